#include "shoplake/server/dag_routes.hpp"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shoplake/core/time.hpp"
#include "shoplake/pipeline/run_store.hpp"
#include "shoplake/pipeline/scheduler.hpp"

namespace shoplake::server {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultRunLimit = 25;
constexpr std::size_t kMaxRunLimit = 1000;

void send_error(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(json{{"error", message}}.dump(), "application/json");
}

void send_json(httplib::Response& response, const json& body, int status = 200) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

json time_or_null(std::int64_t epoch_ms) {
  return epoch_ms == 0 ? json(nullptr) : json(core::format_rfc3339_ms(epoch_ms));
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json run_json(const pipeline::DagRun& run) {
  return json{{"run_id", run.run_id},
              {"dag_id", run.dag_id},
              {"run_type", run.run_type},
              {"state", pipeline::to_string(run.state)},
              {"logical_time", time_or_null(run.logical_ms)},
              {"queued_at", time_or_null(run.queued_ms)},
              {"started_at", time_or_null(run.started_ms)},
              {"ended_at", time_or_null(run.ended_ms)},
              {"from_date", text_or_null(run.from_date)},
              {"to_date", text_or_null(run.to_date)},
              {"retry_of", text_or_null(run.retry_of)},
              {"error", text_or_null(run.error)}};
}

json optional_run_json(const std::optional<pipeline::DagRun>& run) {
  return run ? run_json(*run) : json(nullptr);
}

json task_json(const pipeline::TaskRun& task) {
  json expectations = json::parse(task.expectations_json, nullptr, false);
  // The store wrote it; should it ever be damaged, the run is still worth showing.
  if (expectations.is_discarded()) expectations = json::array();
  return json{{"task", task.task},
              {"state", pipeline::to_string(task.state)},
              {"attempt", task.attempt},
              {"started_at", time_or_null(task.started_ms)},
              {"ended_at", time_or_null(task.ended_ms)},
              {"rows_in", task.rows_in},
              {"rows_out", task.rows_out},
              {"rows_rejected", task.rows_rejected},
              {"dates", task.dates},
              {"versions_read", task.versions_read},
              {"versions_written", task.versions_written},
              {"expectations", std::move(expectations)},
              {"error", text_or_null(task.error)}};
}

json dag_json(const pipeline::DagInfo& info) {
  json tasks = json::array();
  for (const auto& task : info.tasks) {
    tasks.push_back(json{{"task", task.task}, {"inputs", task.inputs}});
  }
  return json{{"dag_id", info.dag_id},
              {"schedule", info.schedule},
              {"paused", info.paused},
              {"catchup", info.catchup},
              {"next_run", time_or_null(info.next_run_ms)},
              {"tasks", std::move(tasks)},
              {"last_run", optional_run_json(info.last_run)},
              {"active_run", optional_run_json(info.active_run)},
              {"queued_runs", info.queued_runs}};
}

// The limit parameter, or the message saying what is wrong with it.
std::optional<std::string> read_limit(const httplib::Request& request, std::size_t& limit) {
  limit = kDefaultRunLimit;
  if (!request.has_param("limit")) return std::nullopt;
  const std::string text = request.get_param_value("limit");
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > kMaxRunLimit) {
    return "limit must be a whole number from 1 to " + std::to_string(kMaxRunLimit) + ", not \"" +
           text + "\"";
  }
  limit = value;
  return std::nullopt;
}

// The trigger a POST …/runs body asks for, or the message saying what is wrong with it.
std::optional<std::string> read_trigger(const std::string& body,
                                        pipeline::TriggerRequest& trigger) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return "the body is not JSON";
  if (!parsed.is_object()) {
    return "the body must be a JSON object: {} for a manual run, or {\"from\": \"YYYY-MM-DD\", "
           "\"to\": \"YYYY-MM-DD\"} for a backfill";
  }
  // A misspelt key would otherwise turn a backfill into a manual run without a word.
  for (const auto& [key, value] : parsed.items()) {
    if (key != "from" && key != "to") {
      return "unknown key \"" + key + "\" (the body takes \"from\" and \"to\")";
    }
    if (!value.is_string() && !value.is_null()) {
      return "\"" + key + "\" must be a date string, YYYY-MM-DD";
    }
  }
  const auto text = [&parsed](const char* key) {
    const auto found = parsed.find(key);
    return found == parsed.end() || found->is_null() ? std::string() : found->get<std::string>();
  };
  trigger.from_date = text("from");
  trigger.to_date = text("to");
  if (trigger.from_date.empty() && trigger.to_date.empty()) return std::nullopt;
  if (trigger.from_date.empty()) return "a backfill needs \"from\" as well as \"to\" (YYYY-MM-DD)";
  if (trigger.to_date.empty()) return "a backfill needs \"to\" as well as \"from\" (YYYY-MM-DD)";
  trigger.run_type = "backfill";
  return std::nullopt;
}

}  // namespace

void DagRoutes::install(httplib::Server& routes) {
  // A path segment: anything but '/'. httplib has already percent-decoded the path, so a run id
  // such as manual__2026-11-26T10:05:00.123Z matches whether or not the client encoded its ':'.
  const std::string dag = "/v1/dags/([^/]+)";
  const std::string run_path = dag + "/runs/([^/]+)";
  // The DAG the path names, or a 404 naming the DAGs there are.
  const auto find_dag = [this](const std::string& dag_id,
                               httplib::Response& response) -> std::optional<pipeline::DagInfo> {
    pipeline::DagInfo info = scheduler_.info();
    if (info.dag_id != dag_id) {
      send_error(response, 404, "no DAG named '" + dag_id + "' (" + info.dag_id + ")");
      return std::nullopt;
    }
    return info;
  };
  // The run the path names, if it is one of this DAG's; a 404 otherwise.
  const auto find_run = [this](const std::string& dag_id, const std::string& run_id,
                               httplib::Response& response) -> std::optional<pipeline::DagRun> {
    auto run = store_.run(run_id);
    if (!run || run->dag_id != dag_id) {
      send_error(response, 404, "no run '" + run_id + "' of DAG " + dag_id);
      return std::nullopt;
    }
    return run;
  };

  routes.Get("/v1/dags", [this](const httplib::Request&, httplib::Response& response) {
    send_json(response, json{{"dags", json::array({dag_json(scheduler_.info())})}});
  });

  routes.Get(dag, [find_dag](const httplib::Request& request, httplib::Response& response) {
    if (auto info = find_dag(request.matches[1], response)) {
      send_json(response, dag_json(*info));
    }
  });

  routes.Post(dag + "/runs",
              [this, find_dag](const httplib::Request& request, httplib::Response& response) {
                if (!find_dag(request.matches[1], response)) return;
                pipeline::TriggerRequest trigger;
                if (auto problem = read_trigger(request.body, trigger)) {
                  return send_error(response, 400, *problem);
                }
                auto run = scheduler_.trigger(trigger);
                if (!run) return send_error(response, 400, run.error());
                // The store's copy is the run as queued (with its queued_at), or already further.
                const auto stored = store_.run(run.value().run_id);
                send_json(response, run_json(stored ? *stored : run.value()), 201);
              });

  routes.Get(dag + "/runs",
             [this, find_dag](const httplib::Request& request, httplib::Response& response) {
               const std::string dag_id = request.matches[1];
               if (!find_dag(dag_id, response)) return;
               std::size_t limit = 0;
               if (auto problem = read_limit(request, limit)) {
                 return send_error(response, 400, *problem);
               }
               json runs = json::array();
               for (const auto& run : store_.runs(dag_id, limit)) runs.push_back(run_json(run));
               send_json(response, json{{"runs", std::move(runs)}});
             });

  routes.Get(run_path, [this, find_dag, find_run](const httplib::Request& request,
                                                  httplib::Response& response) {
    const std::string dag_id = request.matches[1];
    if (!find_dag(dag_id, response)) return;
    const auto run = find_run(dag_id, request.matches[2], response);
    if (!run) return;
    json body = run_json(*run);
    json tasks = json::array();
    for (const auto& task : store_.tasks(run->run_id)) tasks.push_back(task_json(task));
    body["tasks"] = std::move(tasks);
    send_json(response, body);
  });

  routes.Get(run_path + "/tasks/([^/]+)/logs", [this, find_dag, find_run](
                                                   const httplib::Request& request,
                                                   httplib::Response& response) {
    const std::string dag_id = request.matches[1];
    const std::string task = request.matches[3];
    if (!find_dag(dag_id, response)) return;
    const auto run = find_run(dag_id, request.matches[2], response);
    if (!run) return;
    // Only a task the run has: the names become a file path, which must stay under
    // the store's logs directory whatever the request says.
    const auto tasks = store_.tasks(run->run_id);
    const bool known =
        std::any_of(tasks.begin(), tasks.end(), [&task](const auto& t) { return t.task == task; });
    if (!known) {
      return send_error(response, 404, "run " + run->run_id + " has no task '" + task + "' (yet)");
    }
    auto log = store_.read_log(run->run_id, task);
    if (!log) return send_error(response, 404, log.error());
    response.set_content(std::move(log).value(), "text/plain; charset=utf-8");
  });

  const auto pause_route = [this, find_dag](bool pause) {
    return [this, find_dag, pause](const httplib::Request& request, httplib::Response& response) {
      const std::string dag_id = request.matches[1];
      if (!find_dag(dag_id, response)) return;
      const auto status = pause ? scheduler_.pause() : scheduler_.unpause();
      if (!status) return send_error(response, 500, status.error());
      send_json(response, dag_json(scheduler_.info()));
    };
  };
  routes.Post(dag + "/pause", pause_route(true));
  routes.Post(dag + "/unpause", pause_route(false));
}

}  // namespace shoplake::server
