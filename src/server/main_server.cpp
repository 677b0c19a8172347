#include "shoplake/server/main_server.hpp"

#include "buffered_http_server.hpp"
#include "credentials.hpp"

#include <fmt/core.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace shoplake::server {

MainServer::MainServer(ServerOptions options)
    : options_(std::move(options)),
      http_(std::make_unique<BufferedHttpServer>()),
      started_(std::chrono::steady_clock::now()) {
  // httplib's default adds SO_REUSEPORT, which would let a second shoplake share the port
  // silently; SO_REUSEADDR alone still allows a quick restart.
  http_->set_socket_options([](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http_->set_tcp_nodelay(true);  // a response in two writes must not wait for a delayed ACK
  // httplib closes a keep-alive connection after 5 requests by default: senders that batch
  // would pay a reconnect every few bodies.
  http_->set_keep_alive_max_count(100000);
  add_builtin_routes();
}

MainServer::~MainServer() {
  stop();
}

httplib::Server& MainServer::routes() {
  return *http_;
}

void MainServer::add_metrics(std::function<void(MetricsText&)> producer) {
  const std::lock_guard lock(metrics_mutex_);
  metrics_producers_.push_back(std::move(producer));
}

void MainServer::add_health_check(std::function<std::string()> check) {
  const std::lock_guard lock(metrics_mutex_);
  health_checks_.push_back(std::move(check));
}

void MainServer::require_api_credentials(std::string user, std::string password) {
  api_user_ = std::move(user);
  api_password_ = std::move(password);
}

void MainServer::add_builtin_routes() {
  http_->set_pre_routing_handler([this](const httplib::Request& request,
                                        httplib::Response& response) {
    using Answer = httplib::Server::HandlerResponse;
    if (api_password_.empty() || request.path.rfind("/v1/", 0) != 0 ||
        request.path == "/v1/events" || credentials_accepted(request, api_user_, api_password_)) {
      return Answer::Unhandled;
    }
    close_after_response(response);  // the body stays unread
    response.status = 401;
    response.set_header("WWW-Authenticate", "Basic realm=\"shoplake\"");
    response.set_content(nlohmann::json{{"error",
                                         "this API needs the SQL user's password (Basic auth, or "
                                         "X-ClickHouse-User and X-ClickHouse-Key)"}}
                             .dump(),
                         "application/json");
    return Answer::Handled;
  });
  http_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
    nlohmann::json problems = nlohmann::json::array();
    {
      const std::lock_guard lock(metrics_mutex_);
      for (const auto& check : health_checks_) {
        if (std::string problem = check(); !problem.empty()) problems.push_back(problem);
      }
    }
    nlohmann::json health{{"status", problems.empty() ? "ok" : "degraded"},
                          {"version", SHOPLAKE_VERSION},
                          {"uptime_seconds", uptime.count()}};
    if (!problems.empty()) {
      health["problems"] = problems;
      response.status = 503;
    }
    response.set_content(health.dump(), "application/json");
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
    MetricsText metrics;
    metrics.gauge("shoplake_build_info", "The running shoplake version.",
                  fmt::format("version=\"{}\"", SHOPLAKE_VERSION), 1);
    metrics.gauge("shoplake_uptime_seconds", "Seconds since the server started.", uptime.count());
    {
      const std::lock_guard lock(metrics_mutex_);
      for (const auto& producer : metrics_producers_) producer(metrics);
    }
    response.set_content(metrics.text(), "text/plain; version=0.0.4");
  });
}

core::Result<int> MainServer::listen() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.bind.c_str());
    if (port < 0) return core::Error{fmt::format("cannot bind to {} on any port", options_.bind)};
  } else if (!http_->bind_to_port(options_.bind.c_str(), port)) {
    return core::Error{fmt::format(
        "cannot listen on {}:{} (is another shoplake or program using the port? choose another "
        "with --port)",
        options_.bind, port)};
  }
  return port;
}

void MainServer::serve() {
  http_->listen_after_bind();
}

void MainServer::stop() {
  if (http_->is_running()) http_->stop();
}

bool is_loopback_address(const std::string& address) {
  return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

}  // namespace shoplake::server
