#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "clickhouse_http.hpp"
#include "shoplake/sql/catalog.hpp"
#include "shoplake/sql/clickhouse_export.hpp"
#include "table_export.hpp"

namespace shoplake::sql {
namespace {

std::string quote_duckdb_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + '\'';
}

// The tables to mirror, from the engine's ClickHouse-style system.tables, so that whatever a
// component publishes in those schemas (now or later) is exported without being registered here.
core::Result<std::vector<exporter::TableTarget>> list_tables(
    Engine& engine, const std::vector<std::string>& schemas) {
  std::string in;
  for (const auto& schema : schemas) in += (in.empty() ? "" : ", ") + quote_duckdb_string(schema);
  if (in.empty()) return std::vector<exporter::TableTarget>{};
  QueryRequest request;
  request.sql = fmt::format(
      "SELECT database, name FROM {}.tables WHERE database IN ({}) ORDER BY "
      "database, name",
      kClickHouseSystemSchema, in);
  auto started = engine.query(request);
  if (auto* error = std::get_if<QueryError>(&started)) {
    return core::Error{"cannot list the tables to export: " + error->message};
  }
  auto& stream = *std::get<std::unique_ptr<ResultStream>>(started);
  std::vector<exporter::TableTarget> tables;
  while (true) {
    ResultChunk chunk;
    auto more = stream.next(chunk);
    if (auto* error = std::get_if<QueryError>(&more)) {
      return core::Error{"cannot list the tables to export: " + error->message};
    }
    if (!std::get<bool>(more)) break;
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      tables.push_back({chunk.columns[0].str[row], chunk.columns[1].str[row]});
    }
  }
  return tables;
}

}  // namespace

std::uint64_t ExportReport::rows_sent() const {
  std::uint64_t total = 0;
  for (const auto& table : tables) total += table.rows_sent;
  return total;
}

bool ExportReport::ok() const {
  for (const auto& table : tables) {
    if (!table.error.empty()) return false;
  }
  return true;
}

std::string ExportReport::errors() const {
  std::string all;
  for (const auto& table : tables) {
    if (!table.error.empty()) all += (all.empty() ? "" : "\n") + table.error;
  }
  return all;
}

struct ClickHouseExporter::State {
  State(Engine& engine, ExportOptions options) : engine(engine), options(std::move(options)) {}

  Engine& engine;
  const ExportOptions options;

  std::mutex pass_mutex;  // one pass at a time; guards the members up to the next blank line
  std::map<std::string, exporter::TableState> tables;  // by "database.table"
  exporter::VersionClock clock;

  std::mutex thread_mutex;  // guards the members below
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

ClickHouseExporter::ClickHouseExporter(Engine& engine, ExportOptions options)
    : state_(std::make_unique<State>(engine, std::move(options))) {}

ClickHouseExporter::~ClickHouseExporter() {
  stop();
}

core::Result<ExportReport> ClickHouseExporter::run_once() {
  std::lock_guard pass(state_->pass_mutex);
  const ExportOptions& options = state_->options;
  auto http = exporter::ClickHouseHttp::connect(options.url, options.user, options.password,
                                                options.timeout);
  if (!http) return core::Error{http.error()};
  // First, the server's version: it decides the column types, and asking it tells early and in
  // one message that the server is unreachable or refuses the credentials.
  auto version = http.value().execute("SELECT version()");
  if (!version) return core::Error{version.error()};
  const auto features = exporter::ServerFeatures::of_version(version.value());

  auto tables = list_tables(state_->engine, options.schemas);
  if (!tables) return core::Error{tables.error()};
  ExportReport report;
  std::map<std::string, exporter::TableState> kept;
  for (const auto& target : tables.value()) {
    const std::string name = target.database + "." + target.table;
    auto& table_state = kept[name] = std::move(state_->tables[name]);
    report.tables.push_back(exporter::export_table(state_->engine, http.value(), features, target,
                                                   options.batch_rows, state_->clock, table_state));
  }
  // A table dropped from shoplake is forgotten, so that if it comes back it is checked afresh.
  state_->tables = std::move(kept);
  return report;
}

void ClickHouseExporter::start() {
  std::lock_guard lock(state_->thread_mutex);
  if (state_->thread.joinable()) return;
  state_->stopping = false;
  state_->thread = std::thread([this] {
    std::unique_lock lock(state_->thread_mutex);
    while (!state_->stopping) {
      lock.unlock();
      auto report = run_once();
      if (!report) {
        spdlog::warn("ClickHouse export: {}; retrying in {} ms", report.error(),
                     state_->options.interval.count());
      } else {
        for (const auto& table : report.value().tables) {
          if (!table.error.empty()) spdlog::warn("ClickHouse export: {}", table.error);
          if (!table.warning.empty()) spdlog::warn("ClickHouse export: {}", table.warning);
        }
        spdlog::debug("ClickHouse export: {} rows sent to {}", report.value().rows_sent(),
                      state_->options.url);
      }
      lock.lock();
      state_->wake.wait_for(lock, state_->options.interval, [&] { return state_->stopping; });
    }
  });
}

void ClickHouseExporter::stop() {
  std::thread thread;
  {
    std::lock_guard lock(state_->thread_mutex);
    state_->stopping = true;
    thread = std::move(state_->thread);
  }
  state_->wake.notify_all();
  if (thread.joinable()) thread.join();
}

}  // namespace shoplake::sql
