#include "shoplake/server/alert_routes.hpp"

#include <httplib.h>

#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shoplake/alert/alert_history.hpp"
#include "shoplake/alert/alert_json.hpp"

namespace shoplake::server {
namespace {

constexpr std::size_t kMaxLimit = 10000;

void send_error(httplib::Response& response, const std::string& message) {
  response.status = 400;
  response.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

// The query from the request's parameters, or the message saying which one is wrong.
std::optional<std::string> read_query(const httplib::Request& request, alert::AlertQuery& query) {
  if (request.has_param("state")) {
    const std::string state = request.get_param_value("state");
    if (state == "firing") {
      query.state = alert::AlertState::firing;
    } else if (state == "resolved") {
      query.state = alert::AlertState::resolved;
    } else {
      return "state must be firing or resolved, not \"" + state + "\"";
    }
  }
  query.rule = request.get_param_value("rule");
  if (request.has_param("active")) {
    const std::string active = request.get_param_value("active");
    if (active != "true" && active != "false" && active != "1" && active != "0") {
      return "active must be true or false, not \"" + active + "\"";
    }
    query.active_only = active == "true" || active == "1";
  }
  if (request.has_param("limit")) {
    const std::string limit = request.get_param_value("limit");
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
    if (error != std::errc() || end != limit.data() + limit.size() || value == 0 ||
        value > kMaxLimit) {
      return "limit must be a whole number from 1 to " + std::to_string(kMaxLimit) + ", not \"" +
             limit + "\"";
    }
    query.limit = value;
  }
  return std::nullopt;
}

}  // namespace

void AlertRoutes::install(httplib::Server& http) {
  http.Get("/v1/alerts", [this](const httplib::Request& request, httplib::Response& response) {
    alert::AlertQuery query;
    if (auto problem = read_query(request, query)) {
      send_error(response, *problem);
      return;
    }
    const auto alerts = history_.list(query);
    std::string body = "{\"alerts\":[";
    for (std::size_t i = 0; i < alerts.size(); ++i) {
      if (i > 0) body += ',';
      body += alert::alert_to_json(alerts[i]);
    }
    body += "],\"count\":" + std::to_string(alerts.size()) + "}";
    response.set_content(body, "application/json");
  });
}

}  // namespace shoplake::server
