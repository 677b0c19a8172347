#include "shoplake/alert/alert_history.hpp"

#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shoplake/alert/alert_json.hpp"

namespace shoplake::alert {
namespace {

const std::vector<sql::TableColumn>& alert_columns() {
  using T = sql::TableColumnType;
  static const std::vector<sql::TableColumn> columns = {
      {"id", T::string},
      {"rule", T::string},
      {"dimensions", T::string},
      {"state", T::string},
      {"severity", T::string},
      {"repeat", T::boolean},
      {"started_at", T::timestamp_ms},
      {"minute", T::timestamp_s},
      {"emitted_at", T::timestamp_ms},
      {"value", T::float64},
      {"expected", T::float64},
      {"summary", T::string},
      {"hint", T::string},
  };
  return columns;
}

sql::ResultChunk alert_rows(const std::deque<Alert>& alerts) {
  sql::ResultChunk chunk;
  chunk.columns.resize(alert_columns().size());
  auto& c = chunk.columns;
  for (const Alert& alert : alerts) {
    c[0].str.push_back(alert.id);
    c[1].str.push_back(alert.rule);
    c[2].str.push_back(alert.dimensions);
    c[3].str.emplace_back(to_string(alert.state));
    c[4].str.emplace_back(to_string(alert.severity));
    c[5].i64.push_back(alert.repeat ? 1 : 0);
    c[6].i64.push_back(alert.started_ms);
    c[7].i64.push_back(alert.minute_ms / 1000);
    c[8].i64.push_back(alert.emitted_at_ms);
    c[9].f64.push_back(alert.value);
    c[10].f64.push_back(alert.expected);
    c[11].str.push_back(alert.summary);
    c[12].str.push_back(alert.hint);
  }
  chunk.rows = alerts.size();
  return chunk;
}

std::string incident_key(const Alert& alert) {
  return alert.rule + '\n' + alert.dimensions;
}

}  // namespace

struct AlertHistory::State {
  AlertHistoryOptions options;
  mutable std::mutex mutex;
  std::deque<Alert> alerts;  // oldest first
  std::ofstream file;

  void keep(Alert alert) {
    alerts.push_back(std::move(alert));
    while (alerts.size() > options.max_kept) alerts.pop_front();
  }
};

AlertHistory::AlertHistory(std::shared_ptr<State> state) : state_(std::move(state)) {}
AlertHistory::~AlertHistory() = default;

core::Result<std::unique_ptr<AlertHistory>> AlertHistory::open(AlertHistoryOptions options) {
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  const auto& path = state->options.file;
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    return core::Error{
        fmt::format("cannot create {}: {}", path.parent_path().string(), error.message())};
  }
  std::size_t lines = 0;
  if (std::ifstream existing(path); existing) {
    std::string line;
    while (std::getline(existing, line)) {
      ++lines;
      if (line.empty()) continue;
      auto alert = alert_from_json(line);
      if (!alert) {
        spdlog::warn("alerts: {} line {} skipped: {}", path.string(), lines, alert.error());
        continue;
      }
      state->keep(std::move(alert).value());
    }
  }
  // Compacts to what is kept, so that the file does not grow without bound across restarts.
  const bool compact = lines > state->alerts.size();
  if (compact) {
    const auto temporary = path.string() + ".tmp";
    {
      std::ofstream rewritten(temporary, std::ios::trunc);
      for (const Alert& alert : state->alerts) rewritten << alert_to_json(alert) << '\n';
      if (!rewritten) return core::Error{fmt::format("cannot write {}", temporary)};
    }
    std::filesystem::rename(temporary, path, error);
    if (error)
      return core::Error{fmt::format("cannot replace {}: {}", path.string(), error.message())};
  }
  state->file.open(path, std::ios::app);
  if (!state->file) return core::Error{fmt::format("cannot open {} for appending", path.string())};
  return std::unique_ptr<AlertHistory>(new AlertHistory(std::move(state)));
}

core::Status AlertHistory::record(const Alert& alert) {
  std::lock_guard lock(state_->mutex);
  state_->keep(alert);
  state_->file << alert_to_json(alert) << '\n';
  state_->file.flush();
  if (!state_->file) {
    state_->file.clear();
    return core::Error{fmt::format("cannot append to {}", state_->options.file.string())};
  }
  return core::ok_status();
}

std::vector<Alert> AlertHistory::list(const AlertQuery& query) const {
  std::lock_guard lock(state_->mutex);
  std::vector<Alert> found;
  std::set<std::string> seen_incidents;  // newest message of each (rule, dimensions) seen
  for (auto it = state_->alerts.rbegin(); it != state_->alerts.rend(); ++it) {
    if (found.size() >= query.limit) break;
    const Alert& alert = *it;
    if (query.active_only) {
      if (!seen_incidents.insert(incident_key(alert)).second) continue;
      if (alert.state != AlertState::firing) continue;
    }
    if (query.state && alert.state != *query.state) continue;
    if (!query.rule.empty() && alert.rule != query.rule) continue;
    found.push_back(alert);
  }
  return found;
}

std::size_t AlertHistory::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->alerts.size();
}

core::Status AlertHistory::publish_table(sql::Catalog& catalog) {
  return catalog.publish_live_table("realtime", "alerts", alert_columns(),
                                    [weak = std::weak_ptr<State>(state_)] {
                                      const auto state = weak.lock();
                                      if (!state) return alert_rows({});
                                      std::lock_guard lock(state->mutex);
                                      return alert_rows(state->alerts);
                                    });
}

}  // namespace shoplake::alert
