// Every alert message the detector decided, newest kept in memory and all appended to a file
// (one JSON object a line) so that the history survives a restart. Served as the live SQL table
// realtime.alerts and by GET /v1/alerts.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/alert/alert.hpp"
#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::alert {

struct AlertHistoryOptions {
  std::filesystem::path file;    // created with its directory if missing
  std::size_t max_kept = 10000;  // messages kept; the file is compacted to them at open
};

struct AlertQuery {
  std::optional<AlertState> state;
  std::string rule;          // empty: every rule
  bool active_only = false;  // only incidents whose latest message is firing
  std::size_t limit = 100;
};

class AlertHistory {
 public:
  // Reads the file back; a damaged line is skipped with a warning naming it.
  static core::Result<std::unique_ptr<AlertHistory>> open(AlertHistoryOptions options);
  ~AlertHistory();
  AlertHistory(const AlertHistory&) = delete;
  AlertHistory& operator=(const AlertHistory&) = delete;

  core::Status record(const Alert& alert);
  std::vector<Alert> list(const AlertQuery& query) const;  // newest first
  std::size_t size() const;

  // realtime.alerts.
  core::Status publish_table(sql::Catalog& catalog);

 private:
  struct State;
  explicit AlertHistory(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace shoplake::alert
