// `shoplake bench pipeline`: the batch pipeline's two figures, on simulator events landed in
// bronze through the real event log and bronze writer. A full rebuild (every model of models/, in
// dependency order, with full_refresh: bronze -> silver -> gold), and an hourly incremental run of
// every model after one more hour of events has landed. Side by side, Debian's clickhouse-server
// computes the same silver and gold from the same events with INSERT … SELECT, and a few KPIs of
// both are compared.
#include <duckdb.h>
#include <fmt/core.h>
#include <httplib.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "bench_statistics.hpp"
#include "commands.hpp"
#include "models_directory.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/lake/bronze_writer.hpp"
#include "shoplake/lake/lake_catalog.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/pipeline/dag_execution.hpp"
#include "shoplake/pipeline/model.hpp"
#include "shoplake/pipeline/model_runner.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/sql/clickhouse_peer.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A fixed start makes every run of the benchmark land the same events (the runner does not care
// when they happened, only which days they fall on).
constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
// Records of this many events, as a collector batch would append them.
constexpr std::uint32_t kEventsPerRecord = 2000;
constexpr double kFullRebuildGoalSeconds = 5;
constexpr double kIncrementalGoalMs = 300;

struct BenchPipelineOptions {
  std::uint64_t events = 10'000'000;
  int days = 7;
  int runs = 3;
  int hours = 24;
  std::size_t parallel_tasks = 0;  // 0: the cores, as `shoplake up` runs them
  std::string clickhouse = "auto";
  std::string models;   // empty: found next to the binary's build directory, or in ./models
  std::string scratch;  // empty: a fresh folder under the temp directory
  bool keep = false;
  std::string memory_limit = "2GB";
};

double seconds_since(Clock::time_point started) {
  return std::chrono::duration<double>(Clock::now() - started).count();
}

void progress(const std::string& line) {
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

fs::path make_scratch(const BenchPipelineOptions& options) {
  const fs::path base =
      options.scratch.empty() ? fs::temp_directory_path() : fs::path(options.scratch);
  fs::create_directories(base);
  std::string pattern = (base / "shoplake-bench-pipeline-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw CommandError{1, fmt::format("cannot create a scratch folder under {}", base.string())};
  }
  return pattern;
}

// One simulator for the whole benchmark: the hours of the incremental runs continue the same shop
// (its sessions, users, id sequences), so their events follow the base ones and no id repeats.
class EventSource {
 public:
  EventSource(const BenchPipelineOptions& options, log::EventLog& event_log)
      : simulator_(config(options)), log_(event_log) {}

  // Appends the next events to the log, up to `limit` of them and before event time `end_ms`,
  // and to `ndjson` (when given) as the JSON lines clickhouse-server loads, each with its position
  // in the log as `arrival`: what silver's "first arrival wins" orders by.
  std::uint64_t append(std::uint64_t limit, std::int64_t end_ms, std::FILE* ndjson) {
    std::string payload;
    std::string lines;
    std::uint32_t in_record = 0;
    std::uint64_t appended = 0;
    core::EventView view;
    while (appended < limit && simulator_.next_event_ms() < end_ms && simulator_.next(view)) {
      core::append_encoded_event(view, payload);
      if (ndjson != nullptr) {
        core::append_ndjson(view, lines);
        lines.resize(lines.size() - 2);  // the closing "}\n", reopened for one more member
        fmt::format_to(std::back_inserter(lines), R"(,"arrival":{}}})", arrival_);
        lines += '\n';
        if (lines.size() >= (std::size_t{8} << 20)) write(lines, ndjson);
      }
      ++arrival_;
      ++appended;
      if (++in_record == kEventsPerRecord) {
        flush(payload, in_record);
      }
    }
    if (in_record > 0) flush(payload, in_record);
    if (ndjson != nullptr) write(lines, ndjson);
    return appended;
  }

  std::int64_t clock_ms() const { return simulator_.clock_ms(); }

 private:
  static sim::SimulatorConfig config(const BenchPipelineOptions& options) {
    sim::SimulatorConfig config;
    config.seed = 31;
    config.start_ms = kStartMs;
    // The simulator's mean rate is over a week: this rate spreads N events over about --days.
    config.events_per_second =
        std::min(sim::kMaxEventsPerSecond, static_cast<double>(options.events) /
                                               (static_cast<double>(options.days) * 86400.0));
    // Users in proportion to the rate, as many per event as the default shop has: with the default
    // 1,000 users a higher rate only makes them visit more often, and a frequent visitor rarely
    // fills a cart, so 10 M events would hold about 500 purchases instead of a shop's share.
    const double scale =
        std::max(1.0, config.events_per_second / sim::SimulatorConfig{}.events_per_second);
    config.initial_users = static_cast<std::uint32_t>(config.initial_users * scale);
    config.users_per_hour *= scale;
    return config;
  }

  void flush(std::string& payload, std::uint32_t& count) {
    log::RecordToAppend record;
    record.payload = payload;
    record.count = count;
    if (log_.append(std::span(&record, 1)).status != log::AppendStatus::durable) {
      throw CommandError{1, "bench pipeline: the event log refused an append"};
    }
    payload.clear();
    count = 0;
  }

  static void write(std::string& lines, std::FILE* file) {
    if (std::fwrite(lines.data(), 1, lines.size(), file) != lines.size()) {
      throw CommandError{1, "bench pipeline: cannot write the NDJSON copy of the events"};
    }
    lines.clear();
  }

  sim::Simulator simulator_;
  log::EventLog& log_;
  std::uint64_t arrival_ = 0;
};

// The figures both systems are compared on: one aggregate of one gold table each.
struct Kpi {
  std::string label;
  std::string table;       // gold.<name>, in the lake and on clickhouse-server
  std::string aggregate;   // SQL both dialects accept
  double tolerance = 0.5;  // integers must match; money sums may differ by float summation order
};

std::vector<Kpi> kpis() {
  return {
      {"sum dau_count", "gold.daily_active_users", "sum(dau_count)"},
      {"sum total_revenue", "gold.revenue_daily", "sum(total_revenue)", 1.0},
      {"sum total_purchases", "gold.revenue_daily", "sum(total_purchases)"},
      {"sum unique_buyers", "gold.conversion_rate_daily", "sum(unique_buyers)"},
      {"category rows", "gold.category_sales_daily", "count(*)"},
      {"sum units_sold", "gold.category_sales_daily", "sum(units_sold)"},
      {"sum sessions_with_cart", "gold.cart_abandonment_daily", "sum(sessions_with_cart)"},
      {"sum abandoned_sessions", "gold.cart_abandonment_daily", "sum(abandoned_sessions)"},
      {"sum event_count", "gold.events_by_source_daily", "sum(event_count)"},
      {"sum checkout_users", "gold.funnel_daily", "sum(checkout_users)"},
      {"hourly rows", "gold.hourly_revenue", "count(*)"},
  };
}

std::vector<double> shoplake_kpis(lake::ParquetIo& parquet, const fs::path& lake_directory) {
  auto connection = parquet.connect();
  if (!connection) throw CommandError{1, connection.error()};
  std::vector<double> values;
  for (const auto& kpi : kpis()) {
    auto location = lake::locate_lake_table(lake_directory, kpi.table);
    if (!location) throw CommandError{1, location.error()};
    auto snapshot = lake::load_snapshot(location.value().root);
    if (!snapshot) throw CommandError{1, kpi.table + ": " + snapshot.error()};
    auto scan = parquet.scan_sql(snapshot.value());
    if (!scan) throw CommandError{1, scan.error()};
    const std::string sql =
        fmt::format("SELECT CAST({} AS DOUBLE) FROM ({})", kpi.aggregate, scan.value());
    sql::duck::Result result;
    if (duckdb_query(connection.value().get(), sql.c_str(), result.out()) == DuckDBError) {
      throw CommandError{1, fmt::format("{}: {}", kpi.table, duckdb_result_error(result.get()))};
    }
    values.push_back(duckdb_value_double(result.get(), 0, 0));
  }
  return values;
}

// Where a model's time goes, from the moments its task log reports: the query (snapshots, views,
// the model's SELECT into a temporary table), the expectations, and writing the Parquet files and
// the commit.
struct Phases {
  double query = 0;
  double checks = 0;
  double write = 0;
};

struct ModelTimes {
  std::vector<double> totals;                           // seconds, one per run or hour
  std::map<std::string, std::vector<double>> by_model;  // seconds
  std::map<std::string, std::vector<Phases>> phases;
};

// Runs every model once, as the scheduler runs a DAG run (side by side where the inputs allow,
// `parallelism` at a time); the run's seconds, and each model's.
void run_all(pipeline::ModelRunner& runner, const std::vector<pipeline::Model>& models,
             const pipeline::TaskRequest& request, std::size_t parallelism, ModelTimes& times,
             std::map<std::string, pipeline::TaskOutcome>* outcomes = nullptr) {
  std::mutex mutex;  // over times, outcomes and failure
  std::optional<std::string> failure;
  pipeline::DagExecution execution;
  execution.run_task = [&](std::size_t index) {
    const pipeline::Model& model = models[index];
    const auto started = Clock::now();
    std::optional<Clock::time_point> computed;
    std::optional<Clock::time_point> checked;
    // The runner's log lines are its only view of the phases; their wording is model_runner.cpp's.
    const pipeline::TaskLog log = [&](const std::string& line) {
      if (line.starts_with("computed in DuckDB")) computed = Clock::now();
      if (line.find("expectation ") != std::string::npos) checked = Clock::now();
    };
    auto outcome = runner.run(model, request, log);
    const auto finished = Clock::now();
    const std::lock_guard lock(mutex);
    if (!outcome) {
      if (!failure) failure = outcome.error();
      return false;
    }
    if (computed) {
      const auto span = [](Clock::time_point from, Clock::time_point to) {
        return std::chrono::duration<double>(to - from).count();
      };
      const auto checks_end = checked.value_or(*computed);
      times.phases[model.name].push_back(Phases{
          span(started, *computed), span(*computed, checks_end), span(checks_end, finished)});
    }
    times.by_model[model.name].push_back(std::chrono::duration<double>(finished - started).count());
    if (outcomes != nullptr) (*outcomes)[model.name] = std::move(outcome).value();
    return true;
  };
  const auto started = Clock::now();
  pipeline::execute_dag(models, parallelism, execution);
  if (failure) {
    const bool memory = failure->find("Out of Memory") != std::string::npos;
    throw CommandError{1, "bench pipeline: " + *failure +
                              (memory ? "\n(the models run in the lake's DuckDB: raise "
                                        "--memory-limit)"
                                      : "")};
  }
  times.totals.push_back(seconds_since(started));
}

// The median of each phase over the runs.
Phases median_phases(const std::vector<Phases>& runs) {
  std::vector<double> query;
  std::vector<double> checks;
  std::vector<double> write;
  for (const auto& run : runs) {
    query.push_back(run.query);
    checks.push_back(run.checks);
    write.push_back(run.write);
  }
  return {median(query), median(checks), median(write)};
}

void land(lake::BronzeWriter& bronze) {
  if (auto landed = bronze.land_available(); !landed) throw CommandError{1, landed.error()};
}

// What clickhouse-server 18.16 computes for silver.events and the eight gold models: the same
// columns and the same rules as models/, in its SQL (no window functions, no trim, no FILTER).
struct ClickHouseStatement {
  std::string table;
  std::string create;  // columns and engine, after "CREATE TABLE <table>"
  std::string select;
};

std::vector<ClickHouseStatement> clickhouse_statements() {
  return {
      {"silver.events",
       "(event_id String, event_type String, event_time DateTime, user_id String, session_id "
       "String, source String, product_id String, category String, price Float64, quantity "
       "Int32, order_id String, currency String, event_date Date) ENGINE = MergeTree ORDER BY "
       "(event_date, event_time)",
       // The first arrival of each event_id, then the normalizations gold depends on and the
       // semantic rules of models/silver/events.sql (event_time_after_arrival cannot fire: the
       // events are from January, landed now). The collector has already trimmed the values, and
       // the simulator always sends a session, so neither trimming nor derived sessions change
       // anything here.
       "SELECT event_id, lower(event_type), event_time, user_id, session_id, lower(source), "
       "product_id, lower(category), price, quantity, order_id, upper(if(currency = '', 'USD', "
       "currency)), event_date FROM (SELECT * FROM (SELECT event_id, event_type, event_time, "
       "user_id, session_id, source, product_id, category, price, quantity, order_id, currency, "
       "event_date FROM events ORDER BY event_id, arrival LIMIT 1 BY event_id) WHERE price <= "
       "100000 AND quantity <= 1000)"},
      {"gold.daily_active_users",
       "(event_date Date, dau_count Int64) ENGINE = MergeTree ORDER BY event_date",
       "SELECT event_date, uniqExact(user_id) FROM silver.events GROUP BY event_date"},
      {"gold.revenue_daily",
       "(event_date Date, total_revenue Float64, total_purchases Int64, avg_order_value Float64) "
       "ENGINE = MergeTree ORDER BY event_date",
       "SELECT event_date, round(revenue, 2), orders, if(orders = 0, 0., round(revenue / orders, "
       "2)) FROM (SELECT event_date, sumIf(price * quantity, event_type = 'purchase') AS revenue, "
       "uniqExactIf(order_id, event_type = 'purchase') AS orders FROM silver.events GROUP BY "
       "event_date)"},
      {"gold.conversion_rate_daily",
       "(event_date Date, dau_count Int64, unique_buyers Int64, conversion_rate Float64) ENGINE "
       "= MergeTree ORDER BY event_date",
       "SELECT event_date, dau, buyers, if(dau = 0, 0., buyers / dau) FROM (SELECT event_date, "
       "uniqExact(user_id) AS dau, uniqExactIf(user_id, event_type = 'purchase') AS buyers FROM "
       "silver.events GROUP BY event_date)"},
      {"gold.category_sales_daily",
       "(event_date Date, category String, units_sold Int64, category_revenue Float64) ENGINE = "
       "MergeTree ORDER BY (event_date, category)",
       "SELECT event_date, category, toInt64(sum(quantity)), round(sum(price * quantity), 2) FROM "
       "silver.events WHERE event_type = 'purchase' GROUP BY event_date, category"},
      {"gold.cart_abandonment_daily",
       "(event_date Date, sessions_with_cart Int64, sessions_with_purchase Int64, "
       "abandoned_sessions Int64, abandonment_rate Float64) ENGINE = MergeTree ORDER BY "
       "event_date",
       // A session belongs to the day it started on, as in the model.
       "SELECT first_date, with_cart, with_purchase, with_cart - with_purchase, if(with_cart = 0, "
       "0., (with_cart - with_purchase) / with_cart) FROM (SELECT first_date, countIf(had_cart) "
       "AS with_cart, countIf(had_cart AND purchased) AS with_purchase FROM (SELECT "
       "min(event_date) AS first_date, max(event_type = 'add_to_cart') AS had_cart, "
       "max(event_type = 'purchase') AS purchased FROM silver.events WHERE session_id != '' "
       "GROUP BY session_id) GROUP BY first_date)"},
      {"gold.events_by_source_daily",
       "(event_date Date, source String, event_count Int64) ENGINE = MergeTree ORDER BY "
       "(event_date, source)",
       "SELECT event_date, if(source = '', 'unknown', source) AS source_name, count() FROM "
       "silver.events GROUP BY event_date, source_name"},
      {"gold.funnel_daily",
       "(event_date Date, viewers Int64, cart_users Int64, checkout_users Int64, buyers Int64, "
       "view_to_cart_rate Float64, cart_to_checkout_rate Float64, checkout_to_purchase_rate "
       "Float64, overall_conversion_rate Float64) ENGINE = MergeTree ORDER BY event_date",
       "SELECT event_date, viewing, carting, checking_out, buying, if(viewing = 0, 0., carting / "
       "viewing), if(carting = 0, 0., checking_out / carting), if(checking_out = 0, 0., buying / "
       "checking_out), if(viewing = 0, 0., buying / viewing) FROM (SELECT event_date, "
       "uniqExactIf(user_id, event_type = 'view') AS viewing, uniqExactIf(user_id, event_type = "
       "'add_to_cart') AS carting, uniqExactIf(user_id, event_type = 'begin_checkout') AS "
       "checking_out, uniqExactIf(user_id, event_type = 'purchase') AS buying FROM silver.events "
       "GROUP BY event_date)"},
      {"gold.hourly_revenue",
       "(event_date Date, hour Int32, revenue Float64, orders Int64, units_sold Int64) ENGINE = "
       "MergeTree ORDER BY (event_date, hour)",
       "SELECT event_date, toInt32(toHour(event_time)) AS hour_of_day, round(sum(price * "
       "quantity), 2), uniqExact(order_id), toInt64(sum(quantity)) FROM silver.events WHERE "
       "event_type = 'purchase' GROUP BY event_date, hour_of_day"},
  };
}

std::string clickhouse_query(const sql::ClickHousePeer& peer, const std::string& sql) {
  const auto answer = peer.query(sql);
  if (answer.status != 200) {
    throw CommandError{1, fmt::format("clickhouse-server: {}\nin: {}",
                                      answer.status == 0 ? "no answer" : answer.body, sql)};
  }
  return answer.body;
}

// Posts the NDJSON file in bodies of whole lines (the peer's client holds a body in memory).
void load_clickhouse_events(const sql::ClickHousePeer& peer, const fs::path& ndjson) {
  const std::string path =
      "/?input_format_skip_unknown_fields=1&query=" +
      httplib::detail::encode_query_param(
          "INSERT INTO events (event_id, event_type, ts, user_id, session_id, source, product_id, "
          "category, price, quantity, order_id, currency, arrival) FORMAT JSONEachRow");
  std::FILE* file = std::fopen(ndjson.c_str(), "rb");
  if (file == nullptr) throw CommandError{1, "cannot read " + ndjson.string()};
  std::string body;
  std::string carry;
  std::vector<char> buffer(std::size_t{64} << 20);
  for (;;) {
    const std::size_t read = std::fread(buffer.data(), 1, buffer.size(), file);
    if (read == 0) break;
    body = std::move(carry);
    body.append(buffer.data(), read);
    const std::size_t cut = body.rfind('\n');
    carry = cut == std::string::npos ? std::move(body) : body.substr(cut + 1);
    if (cut == std::string::npos) continue;
    body.resize(cut + 1);
    const auto answer = peer.query(body, path);
    if (answer.status != 200) {
      std::fclose(file);
      throw CommandError{1, "clickhouse-server: loading the events: " + answer.body};
    }
  }
  std::fclose(file);
  if (!carry.empty()) throw CommandError{1, "bench pipeline: the NDJSON copy ends mid-line"};
}

struct ClickHouseFigures {
  bool ran = false;
  std::string note;  // why it did not run
  double load_seconds = 0;
  std::vector<double> totals;
  std::map<std::string, std::vector<double>> by_table;
  std::vector<double> kpis;
};

ClickHouseFigures bench_clickhouse(const BenchPipelineOptions& options, const fs::path& scratch,
                                   const fs::path& ndjson, std::uint64_t events) {
  ClickHouseFigures figures;
  const std::string binary = sql::find_clickhouse_server(options.clickhouse);
  if (binary.empty()) {
    figures.note = options.clickhouse == "off"
                       ? "skipped (--clickhouse off)"
                       : "skipped: clickhouse-server is not installed (--clickhouse PATH)";
    progress("clickhouse-server: " + figures.note);
    return figures;
  }
  sql::ClickHousePeer peer(binary, scratch / "clickhouse");
  if (!peer.wait_ready()) {
    throw CommandError{
        1, "clickhouse-server did not start; see " + (scratch / "clickhouse/server.log").string()};
  }
  clickhouse_query(peer, "CREATE DATABASE silver");
  clickhouse_query(peer, "CREATE DATABASE gold");
  // bronze.events as clickhouse-server would hold it: typed on the way in, sorted by day and time.
  clickhouse_query(
      peer,
      "CREATE TABLE events (event_id String, event_type String, ts String, user_id String, "
      "session_id String, source String, product_id String, category String, price Float64, "
      "quantity Int32, order_id String, currency String, arrival UInt64, event_time DateTime "
      "MATERIALIZED toDateTime(concat(substring(ts, 1, 10), ' ', substring(ts, 12, 8))), "
      "event_date Date MATERIALIZED toDate(event_time)) ENGINE = MergeTree ORDER BY (event_date, "
      "event_time)");
  const auto statements = clickhouse_statements();
  for (const auto& statement : statements) {
    clickhouse_query(peer, fmt::format("CREATE TABLE {} {}", statement.table, statement.create));
  }
  progress(fmt::format("clickhouse-server: loading the {} events (JSONEachRow) …", events));
  const auto load_started = Clock::now();
  load_clickhouse_events(peer, ndjson);
  clickhouse_query(peer, "OPTIMIZE TABLE events FINAL");
  figures.load_seconds = seconds_since(load_started);
  const std::string loaded = clickhouse_query(peer, "SELECT count() FROM events");
  if (std::stoull(loaded) != events) {
    throw CommandError{1, fmt::format("clickhouse-server holds {} events, expected {}",
                                      std::stoull(loaded), events)};
  }
  progress(fmt::format("clickhouse-server: loaded and merged in {:.1f} s", figures.load_seconds));

  for (int run = 0; run < options.runs; ++run) {
    for (const auto& statement : statements) {
      clickhouse_query(peer, "TRUNCATE TABLE " + statement.table);
    }
    double total = 0;
    for (const auto& statement : statements) {
      const auto started = Clock::now();
      clickhouse_query(peer, fmt::format("INSERT INTO {} {}", statement.table, statement.select));
      const double seconds = seconds_since(started);
      figures.by_table[statement.table].push_back(seconds);
      total += seconds;
    }
    figures.totals.push_back(total);
    progress(fmt::format("  clickhouse run {}: {:.2f} s (silver {:.2f} s)", run + 1, total,
                         figures.by_table["silver.events"].back()));
  }
  for (const auto& kpi : kpis()) {
    const std::string value = clickhouse_query(
        peer, fmt::format("SELECT toFloat64({}) FROM {}", kpi.aggregate, kpi.table));
    figures.kpis.push_back(std::stod(value));
  }
  figures.ran = true;
  return figures;
}

std::string ms(double seconds) {
  return fmt::format("{:.0f} ms", seconds * 1000);
}

void run_bench_pipeline(const BenchPipelineOptions& options) {
  const fs::path models_directory = find_models_directory(options.models, "silver/events.sql");
  auto loaded_models = pipeline::load_models(models_directory);
  if (!loaded_models) throw CommandError{1, loaded_models.error()};
  const std::vector<pipeline::Model> models = std::move(loaded_models).value();
  const fs::path scratch = make_scratch(options);
  const fs::path lake_directory = scratch / "lake";
  const fs::path ndjson = scratch / "events.ndjson";
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t parallel_tasks = options.parallel_tasks == 0 ? cores : options.parallel_tasks;

  lake::ParquetOptions parquet_options;
  parquet_options.threads = static_cast<int>(cores);
  parquet_options.memory_limit = options.memory_limit;
  auto parquet = lake::ParquetIo::open(parquet_options);
  if (!parquet) throw CommandError{1, parquet.error()};

  log::LogOptions log_options;
  log_options.directory = scratch / "log";
  // The log's own cost is bench ingest's business: here it only feeds bronze.
  log_options.durability.mode = log::FsyncMode::never;
  auto opened_log = log::EventLog::open(log_options);
  if (!opened_log) throw CommandError{1, opened_log.error()};
  auto event_log = std::move(opened_log).value();
  lake::BronzeOptions bronze_options;
  bronze_options.lake_directory = lake_directory;
  bronze_options.optimize_interval = std::chrono::milliseconds(0);
  auto opened_bronze = lake::BronzeWriter::open(*event_log, *parquet.value(), bronze_options);
  if (!opened_bronze) throw CommandError{1, opened_bronze.error()};
  auto bronze = std::move(opened_bronze).value();

  progress(
      fmt::format("bench pipeline: simulating {} events from 2026-01-01 into the event log "
                  "under {} …",
                  options.events, scratch.string()));
  auto started = Clock::now();
  EventSource source(options, *event_log);
  std::FILE* ndjson_file = std::fopen(ndjson.c_str(), "wb");
  if (ndjson_file == nullptr) throw CommandError{1, "cannot create " + ndjson.string()};
  const std::uint64_t events =
      source.append(options.events, std::numeric_limits<std::int64_t>::max(), ndjson_file);
  std::fclose(ndjson_file);
  const std::int64_t last_event_ms = source.clock_ms();
  progress(fmt::format("  {} events up to {} in {:.1f} s", events,
                       core::format_rfc3339_ms(last_event_ms), seconds_since(started)));
  started = Clock::now();
  land(*bronze);
  const double landing_seconds = seconds_since(started);
  progress(
      fmt::format("  landed in bronze.events in {:.1f} s ({} commits; not part of the figures)",
                  landing_seconds, bronze->stats().commits));

  pipeline::ModelRunner runner(lake_directory, *parquet.value());
  ModelTimes full;
  std::map<std::string, pipeline::TaskOutcome> outcomes;
  pipeline::TaskRequest full_refresh;
  full_refresh.full_refresh = true;
  for (int run = 0; run < options.runs; ++run) {
    progress(fmt::format("full rebuild run {} of {} …", run + 1, options.runs));
    run_all(runner, models, full_refresh, parallel_tasks, full, &outcomes);
    progress(fmt::format("  {:.2f} s (silver.events {:.2f} s)", full.totals.back(),
                         full.by_model["silver.events"].back()));
  }
  const std::vector<double> ours = shoplake_kpis(*parquet.value(), lake_directory);

  ModelTimes hourly;
  std::vector<std::uint64_t> hour_events;
  std::vector<std::size_t> hour_days;  // days silver appended to or recomputed
  int hours_appended = 0;              // hours in which silver appended
  std::int64_t cut_ms = last_event_ms + 1;
  for (int hour = 0; hour < options.hours; ++hour) {
    cut_ms += core::kMillisPerHour;
    hour_events.push_back(
        source.append(std::numeric_limits<std::uint64_t>::max(), cut_ms, nullptr));
    const auto landing = Clock::now();
    land(*bronze);
    const double landed = seconds_since(landing);
    std::map<std::string, pipeline::TaskOutcome> hour_outcomes;
    run_all(runner, models, pipeline::TaskRequest{}, parallel_tasks, hourly, &hour_outcomes);
    const pipeline::TaskOutcome& silver = hour_outcomes["silver.events"];
    hour_days.push_back(silver.dates.size());
    hours_appended += silver.appended ? 1 : 0;
    progress(fmt::format(
        "hour {}: {} events landed in {:.2f} s; incremental run {} (silver.events {}: {} {} "
        "day(s) from {} bronze rows)",
        hour + 1, hour_events.back(), landed, ms(hourly.totals.back()),
        ms(hourly.by_model["silver.events"].back()), silver.appended ? "appended to" : "recomputed",
        hour_days.back(), silver.rows_in));
  }

  ClickHouseFigures clickhouse = bench_clickhouse(options, scratch, ndjson, events);

  // The summary.
  const double full_median = median(full.totals);
  fmt::print(
      "\nbench pipeline: {} simulator events over {} days from 2026-01-01, {} models ({} side by "
      "side where the inputs allow), {} cores, DuckDB memory limit {}\n",
      events, options.days, models.size(), parallel_tasks, cores, options.memory_limit);
  fmt::print("bronze landing (not timed into the figures): {:.1f} s, {:.2f} M events/s\n",
             landing_seconds, static_cast<double>(events) / landing_seconds / 1e6);
  fmt::print(
      "full rebuild bronze -> silver -> gold: {:.2f} s median of {} (min {:.2f}, max {:.2f}), "
      "{:.2f} M events/s; goal <= {:.0f} s: {}\n",
      full_median, options.runs, *std::min_element(full.totals.begin(), full.totals.end()),
      *std::max_element(full.totals.begin(), full.totals.end()),
      static_cast<double>(events) / full_median / 1e6, kFullRebuildGoalSeconds,
      full_median <= kFullRebuildGoalSeconds ? "met" : "MISSED");
  for (const auto& model : models) {
    const auto& outcome = outcomes[model.name];
    const Phases phases = median_phases(full.phases[model.name]);
    fmt::print(
        "  {:<30} {:>8.3f} s  {:>5.1f}%  (query {:.2f} s, expectations {:.2f} s, Parquet and "
        "commit {:.2f} s)  {} rows in, {} out\n",
        model.name, median(full.by_model[model.name]),
        100 * median(full.by_model[model.name]) / full_median, phases.query, phases.checks,
        phases.write, outcome.rows_in, outcome.rows_out);
  }
  if (options.hours > 0) {
    const double hourly_median = median(hourly.totals);
    const double hourly_max = *std::max_element(hourly.totals.begin(), hourly.totals.end());
    std::vector<double> counts(hour_events.begin(), hour_events.end());
    fmt::print(
        "hourly incremental run (every model, after one more hour of ~{:.0f} events): {} median, "
        "{} max over {} hours; silver appended in {} of them, to {}-{} days each; goal <= {:.0f} "
        "ms every hour: {}\n",
        median(counts), ms(hourly_median), ms(hourly_max), options.hours, hours_appended,
        *std::min_element(hour_days.begin(), hour_days.end()),
        *std::max_element(hour_days.begin(), hour_days.end()), kIncrementalGoalMs,
        hourly_max * 1000 <= kIncrementalGoalMs ? "met" : "MISSED");
    for (const auto& model : models) {
      const Phases phases = median_phases(hourly.phases[model.name]);
      fmt::print("  {:<30} {:>8} median  (query {}, expectations {}, Parquet and commit {})\n",
                 model.name, ms(median(hourly.by_model[model.name])), ms(phases.query),
                 ms(phases.checks), ms(phases.write));
    }
  }
  int disagreements = 0;
  if (!clickhouse.ran) {
    fmt::print("clickhouse-server: {}\n", clickhouse.note);
  } else {
    const double theirs = median(clickhouse.totals);
    fmt::print(
        "clickhouse-server 18.16, the same silver and gold as INSERT … SELECT (load of the events "
        "{:.1f} s, not timed): {:.2f} s median of {}\n",
        clickhouse.load_seconds, theirs, options.runs);
    for (const auto& statement : clickhouse_statements()) {
      fmt::print("  {:<30} {:>8.3f} s\n", statement.table,
                 median(clickhouse.by_table[statement.table]));
    }
    fmt::print("ratio clickhouse / shoplake (full rebuild): {:.2f}x ({})\n", theirs / full_median,
               theirs >= full_median ? "shoplake faster" : "clickhouse-server faster");
    std::string compared;
    const auto list = kpis();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const bool agree = std::fabs(ours[i] - clickhouse.kpis[i]) <= list[i].tolerance;
      compared += fmt::format("{}{} {:.0f}", compared.empty() ? "" : ", ", list[i].label, ours[i]);
      if (!agree) {
        ++disagreements;
        fmt::print("WARNING: {} differs: shoplake {:.2f}, clickhouse-server {:.2f}\n",
                   list[i].label, ours[i], clickhouse.kpis[i]);
      }
    }
    fmt::print("KPIs after the full rebuild: {} ({})\n",
               disagreements == 0 ? "both agree"
                                  : fmt::format("{} of {} DIFFER", disagreements, list.size()),
               compared);
  }

  bronze.reset();
  event_log.reset();
  if (options.keep) {
    fmt::print("scratch kept: {}\n", scratch.string());
  } else {
    fs::remove_all(scratch);
  }
  if (disagreements > 0) {
    throw CommandError{
        1, fmt::format("{} KPIs differ from clickhouse-server's (listed above)", disagreements)};
  }
}

}  // namespace

void add_bench_pipeline_command(CLI::App& bench) {
  auto options = std::make_shared<BenchPipelineOptions>();
  auto* command = bench.add_subcommand(
      "pipeline",
      "The batch pipeline on simulator events landed through the event log into bronze.events: "
      "a full rebuild of every model of models/ (bronze -> silver -> gold, full_refresh; goal "
      "<= 5 s for 10 M events), then hourly incremental runs after one more hour of events lands "
      "(goal <= 300 ms), and the same silver and gold computed by Debian's clickhouse-server "
      "(INSERT … SELECT) for a ratio, with a few KPIs of both compared");
  command->add_option("--events", options->events, "Events of the full rebuild")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--days", options->days, "Days of event time they span, from 2026-01-01")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  command
      ->add_option("--runs", options->runs,
                   "Full rebuilds (and clickhouse-server runs); the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--hours", options->hours, "Hourly incremental runs timed after those")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--parallel-tasks", options->parallel_tasks,
                   "Models run side by side where their inputs allow, as the scheduler does "
                   "(default: the cores, as `shoplake up --pipeline-parallel-tasks`)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--clickhouse", options->clickhouse,
                   "auto (use clickhouse-server when installed), off, or its path")
      ->capture_default_str();
  command
      ->add_option("--memory-limit", options->memory_limit,
                   "Memory limit of the lake's DuckDB, which runs the models (DuckDB syntax)")
      ->capture_default_str();
  command->add_option("--models", options->models,
                      "The models directory (default: <checkout>/models next to the build "
                      "directory, else ./models)");
  command->add_option("--scratch", options->scratch,
                      "Where the scratch folder is made (default: the temp directory); 10 M events "
                      "need ~6 GB free");
  command->add_flag("--keep", options->keep, "Keep the scratch folder (log, lake, NDJSON)");
  command->callback([options] { run_bench_pipeline(*options); });
}

}  // namespace shoplake::cli
