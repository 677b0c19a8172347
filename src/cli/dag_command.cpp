// `shoplake dag`: the batch pipeline's scheduler, through the /v1/dags API of a running
// `shoplake up` (the scheduler lives in that process, so this command holds no data of its own and
// is safe to run at any time, from anywhere that can reach the port).
#include <fmt/core.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/pipeline/scheduler.hpp"

namespace shoplake::cli {
namespace {

using nlohmann::json;

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr std::size_t kErrorColumnWidth = 60;

struct DagCommandOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string user = "default";
  std::string password;  // needed when `up` has one (SHOPLAKE_SQL_PASSWORD)
  bool wait = false;
  double timeout_seconds = 3600;
  std::string from;
  std::string to;
  std::size_t limit = 25;
  std::string run_id;
  std::string task;
};

// Run ids hold ':' and task names '.'; everything but the unreserved characters is escaped so that
// no id can ever reach another route.
std::string encode_segment(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// The API of one running shoplake; every failure becomes a CommandError a user can act on.
class DagApi {
 public:
  explicit DagApi(const DagCommandOptions& options)
      : url_(fmt::format("http://{}:{}", options.host, options.port)),
        client_(options.host, options.port) {
    client_.set_connection_timeout(std::chrono::seconds(5));
    if (!options.password.empty()) client_.set_basic_auth(options.user, options.password);
    client_.set_read_timeout(std::chrono::seconds(60));
  }

  json get(const std::string& path) { return parse_json("GET", path, checked("GET", path)); }
  json post(const std::string& path, const json& body) {
    auto response = client_.Post(path, body.dump(), "application/json");
    return parse_json("POST", path, checked("POST", path, std::move(response)));
  }
  std::string get_text(const std::string& path) { return checked("GET", path).body; }

 private:
  httplib::Response checked(const char* method, const std::string& path) {
    return checked(method, path, client_.Get(path));
  }

  httplib::Response checked(const char* method, const std::string& path,
                            httplib::Result result) const {
    if (!result) {
      if (result.error() == httplib::Error::Connection) {
        throw CommandError{
            1, fmt::format("cannot reach shoplake at {} (is `shoplake up` running? --port)", url_)};
      }
      throw CommandError{1, fmt::format("shoplake at {} did not answer {} {}: {}", url_, method,
                                        path, httplib::to_string(result.error()))};
    }
    if (result->status >= 200 && result->status < 300) return *result;
    const json error = json::parse(result->body, nullptr, false);
    const bool explained =
        error.is_object() && error.contains("error") && error["error"].is_string();
    // A 400 is a request the user can correct (a backfill range, a limit), as with a bad flag.
    throw CommandError{
        result->status == 400 ? 2 : 1,
        explained ? error["error"].get<std::string>()
                  : fmt::format("{} {}{} answered HTTP {}", method, url_, path, result->status)};
  }

  json parse_json(const char* method, const std::string& path,
                  const httplib::Response& response) const {
    json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded()) {
      throw CommandError{1, fmt::format("{} {}{} did not answer JSON; is that port shoplake's?",
                                        method, url_, path)};
    }
    return body;
  }

  std::string url_;
  httplib::Client client_;
};

std::string dag_path() {
  return std::string("/v1/dags/") + pipeline::kPipelineDagId;
}

std::string run_path(const std::string& run_id) {
  return dag_path() + "/runs/" + encode_segment(run_id);
}

std::string text(const json& object, const char* key, const std::string& missing = "-") {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return missing;
  return found->get<std::string>();
}

std::int64_t number(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_number() ? found->get<std::int64_t>() : 0;
}

// "2026-11-26T10:05:00.123Z" -> "2026-11-26 10:05:00": seconds are enough to read a table by.
std::string short_time(const json& object, const char* key) {
  std::string time = text(object, key);
  if (time.size() < 19 || time[10] != 'T') return time;
  time[10] = ' ';
  return time.substr(0, 19);
}

std::string with_thousands(std::int64_t value) {
  const std::string digits = std::to_string(value < 0 ? -value : value);
  std::string grouped = value < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

// The first line of an error, cut to fit a table column.
std::string short_error(const std::string& error, std::size_t width = kErrorColumnWidth) {
  std::string line = error.substr(0, error.find('\n'));
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

// Seconds between two RFC 3339 fields of `object`, or "" when either is missing.
std::string duration(const json& object, const char* from, const char* to) {
  const auto start = core::parse_rfc3339_ms(text(object, from));
  const auto end = core::parse_rfc3339_ms(text(object, to));
  if (!start || !end) return "";
  return fmt::format("{:.1f} s", static_cast<double>(*end - *start) / 1000.0);
}

// Columns padded to their widest cell; the last one is not padded.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  const auto print_row = [&widths](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c + 1 == row.size()) {
        line += row[c];
      } else {
        line += fmt::format("{:<{}}  ", row[c], widths[c]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

void list_dags(const DagCommandOptions& options) {
  DagApi api(options);
  const json body = api.get("/v1/dags");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
  for (const json& dag : body.value("dags", json::array())) {
    std::string last = "-";
    if (dag.contains("last_run") && dag["last_run"].is_object()) {
      const json& run = dag["last_run"];
      const char* when = !text(run, "ended_at", "").empty()     ? "ended_at"
                         : !text(run, "started_at", "").empty() ? "started_at"
                                                                : "queued_at";
      last = text(run, "state") + " " + short_time(run, when);
    }
    const bool paused = dag.value("paused", false);
    rows.push_back({text(dag, "dag_id"), text(dag, "schedule"), paused ? "yes" : "no",
                    paused ? "- (paused)" : short_time(dag, "next_run"), last});
    if (dag.contains("active_run") && dag["active_run"].is_object()) {
      notes.push_back(fmt::format("{}: {} running since {}", text(dag, "dag_id"),
                                  text(dag["active_run"], "run_id"),
                                  short_time(dag["active_run"], "started_at")));
    }
    if (const auto queued = number(dag, "queued_runs"); queued > 0) {
      notes.push_back(fmt::format("{}: {} run(s) queued", text(dag, "dag_id"), queued));
    }
  }
  print_table({"DAG", "SCHEDULE (UTC)", "PAUSED", "NEXT RUN", "LAST RUN"}, rows);
  for (const auto& note : notes) fmt::print("{}\n", note);
}

// One line for a task that reached `state`, as --wait prints it.
std::string progress_line(const json& task) {
  const std::string name = text(task, "task");
  const std::string state = text(task, "state");
  const std::int64_t attempt = number(task, "attempt");
  if (state == "success") {
    std::string line = fmt::format("  {}: success ({} rows in, {} out", name,
                                   with_thousands(number(task, "rows_in")),
                                   with_thousands(number(task, "rows_out")));
    if (const auto rejected = number(task, "rows_rejected"); rejected > 0) {
      line += fmt::format(", {} rejected", with_thousands(rejected));
    }
    return line + ")";
  }
  if (state == "running") {
    return attempt > 1 ? fmt::format("  {}: running (attempt {})", name, attempt)
                       : fmt::format("  {}: running", name);
  }
  if (state == "up_for_retry") {
    return fmt::format("  {}: up_for_retry (attempt {} failed: {})", name, attempt,
                       short_error(text(task, "error", "")));
  }
  // The first line only: the run's error, printed in full at the end, has the rest.
  if (state == "failed") {
    return fmt::format("  {}: failed: {}", name, short_error(text(task, "error", "?"), 160));
  }
  return fmt::format("  {}: {}", name, state);
}

// Polls the run until it ends; returns normally when it succeeded, throws when it failed or the
// timeout passed.
void wait_for_run(DagApi& api, const std::string& run_id, double timeout_seconds) {
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000));
  std::map<std::string, std::string> seen;  // task -> state and attempt last printed
  for (;;) {
    const json run = api.get(run_path(run_id));
    for (const json& task : run.value("tasks", json::array())) {
      const std::string state = text(task, "state");
      const std::string key = fmt::format("{}#{}", state, number(task, "attempt"));
      auto& last = seen[text(task, "task")];
      if (last == key) continue;
      last = key;
      // Every task is queued as its run starts; only what happens to one is news.
      if (state == "queued") continue;
      fmt::print("{}\n", progress_line(task));
      std::fflush(stdout);
    }
    const std::string state = text(run, "state");
    if (state == "success") {
      fmt::print("run {} succeeded in {}\n", run_id, duration(run, "started_at", "ended_at"));
      return;
    }
    if (state == "failed") {
      throw CommandError{1, fmt::format("run {} failed: {}", run_id, text(run, "error", "?"))};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw CommandError{
          1, fmt::format("run {} has not ended after {} s (it is {}, and carries on: `shoplake "
                         "dag show {}`)",
                         run_id, timeout_seconds, state, run_id)};
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void trigger(const DagCommandOptions& options, const json& body) {
  DagApi api(options);
  const json run = api.post(dag_path() + "/runs", body);
  const std::string run_id = text(run, "run_id");
  if (text(run, "run_type") == "backfill") {
    fmt::print("queued {} ({}..{})\n", run_id, text(run, "from_date"), text(run, "to_date"));
  } else {
    fmt::print("queued {}\n", run_id);
  }
  std::fflush(stdout);
  if (!options.wait) {
    fmt::print("follow it with `shoplake dag show {}`\n", run_id);
    return;
  }
  wait_for_run(api, run_id, options.timeout_seconds);
}

void list_runs(const DagCommandOptions& options) {
  DagApi api(options);
  const json body = api.get(dag_path() + "/runs?limit=" + std::to_string(options.limit));
  const json runs = body.value("runs", json::array());
  if (runs.empty()) {
    fmt::print("no runs yet; `shoplake dag trigger` starts one\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& run : runs) {
    rows.push_back({text(run, "run_id"), text(run, "run_type"), text(run, "state"),
                    short_time(run, "started_at"), short_time(run, "ended_at"),
                    short_error(text(run, "error", ""))});
  }
  print_table({"RUN ID", "TYPE", "STATE", "STARTED", "ENDED", "ERROR"}, rows);
}

void show_run(const DagCommandOptions& options) {
  DagApi api(options);
  const json run = api.get(run_path(options.run_id));
  fmt::print("run       {}\ntype      {}\nstate     {}\n", text(run, "run_id"),
             text(run, "run_type"), text(run, "state"));
  fmt::print("logical   {}\nqueued    {}\nstarted   {}\n", text(run, "logical_time"),
             text(run, "queued_at"), text(run, "started_at"));
  const std::string took = duration(run, "started_at", "ended_at");
  fmt::print("ended     {}{}\n", text(run, "ended_at"), took.empty() ? "" : " (" + took + ")");
  if (run.value("from_date", json()).is_string()) {
    fmt::print("dates     {}..{}\n", text(run, "from_date"), text(run, "to_date"));
  }
  if (run.value("retry_of", json()).is_string()) {
    fmt::print("retry of  {}\n", text(run, "retry_of"));
  }
  if (run.value("error", json()).is_string()) fmt::print("error     {}\n", text(run, "error"));

  const json tasks = run.value("tasks", json::array());
  if (tasks.empty()) {
    fmt::print("\nno task has started yet\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> details;
  for (const json& task : tasks) {
    std::string rows_out = with_thousands(number(task, "rows_out"));
    if (const auto rejected = number(task, "rows_rejected"); rejected > 0) {
      rows_out += fmt::format(" (+{} rejected)", with_thousands(rejected));
    }
    const std::string error = text(task, "error", "");
    rows.push_back(
        {text(task, "task"), text(task, "state"), std::to_string(number(task, "attempt")),
         with_thousands(number(task, "rows_in")), rows_out,
         text(task, "dates", "").empty() ? "-" : text(task, "dates"),
         text(task, "versions_written", "").empty() ? "-" : text(task, "versions_written"),
         short_error(error)});
    if (!error.empty() && short_error(error) != error) {
      details.push_back(fmt::format("{}: {}", text(task, "task"), error));
    }
    for (const json& expectation : task.value("expectations", json::array())) {
      if (!expectation.is_object() || number(expectation, "failing_rows") == 0) continue;
      details.push_back(fmt::format("{}: expect {} ({}): {} failing rows {}", text(task, "task"),
                                    text(expectation, "expectation"), text(expectation, "severity"),
                                    with_thousands(number(expectation, "failing_rows")),
                                    expectation.value("sample", json::array()).dump()));
    }
  }
  fmt::print("\n");
  print_table(
      {"TASK", "STATE", "ATTEMPT", "ROWS IN", "ROWS OUT", "DATES", "VERSIONS WRITTEN", "ERROR"},
      rows);
  if (!details.empty()) fmt::print("\n");
  for (const auto& detail : details) fmt::print("{}\n", detail);
}

void show_log(const DagCommandOptions& options) {
  DagApi api(options);
  const std::string log =
      api.get_text(run_path(options.run_id) + "/tasks/" + encode_segment(options.task) + "/logs");
  fmt::print("{}", log);
  if (!log.empty() && log.back() != '\n') fmt::print("\n");
}

void set_paused(const DagCommandOptions& options, bool pause) {
  DagApi api(options);
  const json dag = api.post(dag_path() + (pause ? "/pause" : "/unpause"), json::object());
  if (pause) {
    fmt::print(
        "{} paused: the schedule adds no runs (queued runs, triggers and backfills "
        "still run); "
        "`shoplake dag unpause` resumes it\n",
        text(dag, "dag_id"));
  } else {
    fmt::print("{} unpaused; next run at {}\n", text(dag, "dag_id"), text(dag, "next_run"));
  }
}

void add_wait_options(CLI::App* command, DagCommandOptions& options) {
  command->add_flag("--wait", options.wait,
                    "Follow the run to its end, a line per task as it changes; exit 0 if it "
                    "succeeded, 1 with its error if it failed or did not end in time");
  command
      ->add_option("--timeout-seconds", options.timeout_seconds,
                   "With --wait: give up waiting after this long (the run itself goes on)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

}  // namespace

void add_dag_command(CLI::App& app) {
  auto options = std::make_shared<DagCommandOptions>();
  auto* dag = app.add_subcommand(
      "dag",
      "The batch pipeline's scheduler (DAG lakehouse_batch_pipeline: the silver and gold models, "
      "then reconcile): its runs, their tasks and logs; trigger, backfill, pause. Talks to a "
      "running `shoplake up` over HTTP (/v1/dags).");
  dag->require_subcommand(1);
  with_env(dag->add_option("--host", options->host, "Host of the running `shoplake up`")
               ->capture_default_str());
  with_env(dag->add_option("--port", options->port, "Main HTTP port of the running `shoplake up`")
               ->check(CLI::Range(1, 65535))
               ->capture_default_str());
  with_env(dag->add_option("--sql-user", options->user, "User, when `up` has --sql-password")
               ->capture_default_str());
  with_env(dag->add_option("--sql-password", options->password,
                           "Password of a `shoplake up` started with one. Prefer the "
                           "environment: SHOPLAKE_SQL_PASSWORD"));

  dag->add_subcommand("list",
                      "The DAG with its schedule, whether it is paused, its next run and the "
                      "state and time of its last run")
      ->callback([options] { list_dags(*options); });

  auto* trigger_command = dag->add_subcommand(
      "trigger",
      "Queue a manual run now (it starts once any run in progress ends; it recomputes whatever "
      "changed in the inputs since the last run)");
  add_wait_options(trigger_command, *options);
  trigger_command->callback([options] { trigger(*options, json::object()); });

  auto* backfill_command = dag->add_subcommand(
      "backfill",
      "Queue a run recomputing every day from --from to --to (inclusive), whatever changed");
  backfill_command->add_option("--from", options->from, "First day, YYYY-MM-DD")->required();
  backfill_command->add_option("--to", options->to, "Last day, YYYY-MM-DD")->required();
  add_wait_options(backfill_command, *options);
  backfill_command->callback([options] {
    trigger(*options, json{{"from", options->from}, {"to", options->to}});
  });

  auto* runs_command =
      dag->add_subcommand("runs", "The latest runs, newest first, with their state and error");
  runs_command->add_option("--limit", options->limit, "Show at most this many")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  runs_command->callback([options] { list_runs(*options); });

  auto* show_command = dag->add_subcommand(
      "show",
      "One run and its tasks: state, attempts, rows in and out, days recomputed, lake versions "
      "written, failed expectations and errors");
  show_command->add_option("run", options->run_id, "Run id, as `shoplake dag runs` lists it")
      ->required();
  show_command->callback([options] { show_run(*options); });

  auto* logs_command = dag->add_subcommand("logs", "The log of one task of a run");
  logs_command->add_option("run", options->run_id, "Run id, as `shoplake dag runs` lists it")
      ->required();
  logs_command->add_option("task", options->task, "Task: a model (e.g. silver.events) or reconcile")
      ->required();
  logs_command->callback([options] { show_log(*options); });

  dag->add_subcommand("pause",
                      "Stop the schedule from adding runs (kept across restarts); runs already "
                      "queued or running go on, and trigger and backfill still work")
      ->callback([options] { set_paused(*options, true); });
  dag->add_subcommand("unpause",
                      "Let the schedule add runs again from its next tick (the ticks missed "
                      "while paused are not run)")
      ->callback([options] { set_paused(*options, false); });
}

}  // namespace shoplake::cli
