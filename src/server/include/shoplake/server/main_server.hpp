// The main HTTP port (default 8080): health, metrics, and the endpoints other components add.
// It knows nothing of what those components do; `shoplake up` wires them in.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/server/metrics_text.hpp"

namespace httplib {
class Server;
}

namespace shoplake::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port (tests)
};

class MainServer {
 public:
  explicit MainServer(ServerOptions options);
  ~MainServer();

  // For components to add their routes, before listen().
  httplib::Server& routes();
  // From now on every /v1/ request but the collector's (which has write keys) must present these
  // credentials as ClickHouse clients do (Basic auth, X-ClickHouse-User/-Key, user= and
  // password=), or is answered 401: the JSON SQL API, the DAGs, the alerts.
  void require_api_credentials(std::string user, std::string password);
  // For components to add their figures to /metrics; each producer runs per scrape.
  void add_metrics(std::function<void(MetricsText&)> producer);
  // For components that can fail while the server runs: a check returns what is wrong (empty:
  // nothing), and /healthz answers 503 "degraded" with every problem while any is.
  void add_health_check(std::function<std::string()> check);

  // Binds the socket; returns the port bound to (the chosen one when options.port is 0).
  core::Result<int> listen();
  // Serves until stop(); call after a successful listen().
  void serve();
  void stop();

 private:
  void add_builtin_routes();

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::chrono::steady_clock::time_point started_;
  std::mutex metrics_mutex_;
  std::vector<std::function<void(MetricsText&)>> metrics_producers_;
  std::vector<std::function<std::string()>> health_checks_;
  std::string api_user_;
  std::string api_password_;  // empty: no credentials asked
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(const std::string& address);

}  // namespace shoplake::server
