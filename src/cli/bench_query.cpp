// `shoplake bench query`: the overview dashboard's eight queries (models/dashboards/overview.sql)
// over simulated gold and realtime tables, timed over keep-alive HTTP against shoplake's
// ClickHouse interface (served in-process, the real engine and routes) and against a throwaway
// Debian clickhouse-server holding the same rows, after checking that both answer the same.
#include <duckdb.h>
#include <fmt/core.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "bench_statistics.hpp"
#include "commands.hpp"
#include "models_directory.hpp"
#include "shoplake/core/event.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/pipeline/model.hpp"
#include "shoplake/server/clickhouse_routes.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/clickhouse_peer.hpp"
#include "shoplake/sql/engine.hpp"
#include "shoplake/stream/stream_engine.hpp"

namespace shoplake::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Events per event log record, as a collector's request batches them.
constexpr std::uint32_t kEventsPerLogRecord = 1000;

struct BenchQueryOptions {
  int days = 30;
  int realtime_days = 7;
  // The original platform's producer rate: the day tables' sizes do not depend on it (one row a
  // day or a day and category), the minute tables' only a little (empty minutes have no rows).
  double rate = 5;
  int iterations = 200;
  int warmup = 20;
  int runs = 3;
  std::string clickhouse = "auto";
  std::string models;  // empty: found next to the binary's build directory, or in ./models
  int sql_threads = sql::EngineOptions{}.threads;
};

// A table both systems hold, with the columns it is published and created with.
struct TableSpec {
  std::string schema;
  std::string name;
  std::vector<sql::TableColumn> columns;
  std::string order_by;  // the MergeTree key on the clickhouse-server side
};

std::vector<TableSpec> table_specs() {
  using T = sql::TableColumnType;
  return {
      {"gold",
       "daily_active_users",
       {{"event_date", T::date}, {"dau_count", T::int64}},
       "event_date"},
      {"gold",
       "revenue_daily",
       {{"event_date", T::date},
        {"total_revenue", T::float64},
        {"total_purchases", T::int64},
        {"avg_order_value", T::float64}},
       "event_date"},
      {"gold",
       "conversion_rate_daily",
       {{"event_date", T::date},
        {"dau_count", T::int64},
        {"unique_buyers", T::int64},
        {"conversion_rate", T::float64}},
       "event_date"},
      {"gold",
       "category_sales_daily",
       {{"event_date", T::date},
        {"category", T::string},
        {"units_sold", T::int64},
        {"category_revenue", T::float64}},
       "(event_date, category)"},
      {"gold",
       "cart_abandonment_daily",
       {{"event_date", T::date},
        {"sessions_with_cart", T::int64},
        {"sessions_with_purchase", T::int64},
        {"abandoned_sessions", T::int64},
        {"abandonment_rate", T::float64}},
       "event_date"},
      {"gold",
       "events_by_source_daily",
       {{"event_date", T::date}, {"source", T::string}, {"event_count", T::int64}},
       "(event_date, source)"},
      {"realtime",
       "events_per_minute",
       {{"minute", T::timestamp_s}, {"event_type", T::string}, {"event_count", T::int64}},
       "(minute, event_type)"},
      {"realtime",
       "revenue_per_minute",
       {{"minute", T::timestamp_s},
        {"revenue", T::float64},
        {"purchases", T::int64},
        {"orders", T::int64}},
       "minute"},
      {"realtime",
       "category_velocity",
       {{"minute", T::timestamp_s},
        {"category", T::string},
        {"units_sold", T::int64},
        {"revenue", T::float64}},
       "(minute, category)"},
  };
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw CommandError{1, "cannot read " + path.string()};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Panel {
  int number = 0;
  std::string name;
  std::string title;
  std::string sql;
};

// The layout overview.sql documents: "-- panel <n> <name>: <title>", then the query up to a line
// holding only ';'. Comment lines are dropped: the text sent is the query alone.
std::vector<Panel> read_panels(const fs::path& file) {
  static const std::regex header(R"(^-- panel (\d+) (\w+): (.*)$)");
  std::istringstream in(read_text(file));
  std::vector<Panel> panels;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, header)) {
      panels.push_back(Panel{std::stoi(match[1]), match[2], match[3], {}});
      inside = true;
    } else if (inside && line == ";") {
      inside = false;
    } else if (inside && line.rfind("--", 0) != 0) {
      panels.back().sql += line + "\n";
    }
  }
  if (panels.empty() || inside) {
    throw CommandError{1, file.string() + ": no panels, or one without its closing ';' line"};
  }
  return panels;
}

// A trusted DuckDB of the benchmark's own, to build the data (never the engine under test).
class Builder {
 public:
  Builder() {
    if (duckdb_open(nullptr, &database_) != DuckDBSuccess ||
        duckdb_connect(database_, &connection_) != DuckDBSuccess) {
      throw CommandError{1, "cannot open DuckDB to build the benchmark data"};
    }
  }
  ~Builder() {
    duckdb_disconnect(&connection_);
    duckdb_close(&database_);
  }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  void run(const std::string& statement) {
    duckdb_result result;
    const bool failed = duckdb_query(connection_, statement.c_str(), &result) != DuckDBSuccess;
    const std::string error = failed ? duckdb_result_error(&result) : "";
    duckdb_destroy_result(&result);
    if (failed) throw CommandError{1, fmt::format("DuckDB: {}\nin: {}", error, statement)};
  }

 private:
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

// Simulated history ending now, as NDJSON files of one UTC day each (what bronze receives), and
// its events from `realtime_start_ms` on appended to `event_log` (what the stream engine counts).
std::uint64_t simulate_events(const BenchQueryOptions& options, std::int64_t end_ms,
                              const fs::path& directory, std::int64_t realtime_start_ms,
                              log::EventLog& event_log) {
  sim::SimulatorConfig config;
  config.seed = 42;
  config.events_per_second = options.rate;
  config.end_ms = end_ms;
  config.start_ms = end_ms - options.days * core::kMillisPerDay;
  sim::Simulator simulator(config);
  fs::create_directories(directory);
  std::FILE* file = nullptr;
  std::int64_t file_day = -1;
  std::string buffer;
  const auto flush = [&] {
    if (file != nullptr && std::fwrite(buffer.data(), 1, buffer.size(), file) != buffer.size()) {
      throw CommandError{1, "cannot write events under " + directory.string()};
    }
    buffer.clear();
  };
  std::string record;
  std::uint32_t record_events = 0;
  const auto append_record = [&] {
    if (record_events == 0) return;
    log::RecordToAppend to_append;
    to_append.payload = record;
    to_append.count = record_events;
    const auto outcome = event_log.append(std::span(&to_append, 1));
    if (outcome.status != log::AppendStatus::durable) {
      throw CommandError{1, "bench query: appending to the event log failed: " + outcome.message};
    }
    record.clear();
    record_events = 0;
  };
  core::EventView event;
  std::uint64_t count = 0;
  while (simulator.next(event)) {
    if (event.ts_ms >= realtime_start_ms) {
      core::append_encoded_event(event, record);
      if (++record_events == kEventsPerLogRecord) append_record();
    }
    const std::int64_t day = event.ts_ms / core::kMillisPerDay;
    if (day != file_day) {
      flush();
      if (file != nullptr) std::fclose(file);
      file = std::fopen((directory / fmt::format("day-{}.ndjson", day)).c_str(), "wb");
      if (file == nullptr) throw CommandError{1, "cannot create files in " + directory.string()};
      file_day = day;
    }
    core::append_ndjson(event, buffer);
    if (buffer.size() >= (8U << 20)) flush();
    ++count;
  }
  flush();
  append_record();
  if (file != nullptr) std::fclose(file);
  return count;
}

fs::path table_file(const fs::path& lake, const TableSpec& table) {
  return lake / table.schema / table.name / "part-00000.parquet";
}

// Events -> silver_events -> silver_sessions and silver_purchases (models/silver/) -> the gold
// tables (models/gold/*.sql), each one Parquet file in the lake.
void build_gold_tables(const fs::path& events, const fs::path& models, const fs::path& lake) {
  Builder duck;
  // Silver as the batch pipeline will define it: typed, with event_date. The simulator's event
  // ids are unique, so the deduplication silver does is left out here.
  duck.run(fmt::format(
      "CREATE TABLE silver_events AS SELECT event_id, event_type, ts AS event_time, user_id, "
      "session_id, "
      "source, product_id, category, price, quantity, order_id, coalesce(currency, 'USD') AS "
      "currency, CAST(ts AS DATE) AS event_date FROM read_ndjson('{}/*.ndjson', columns = "
      "{{event_id: 'VARCHAR', event_type: 'VARCHAR', ts: 'TIMESTAMP', user_id: 'VARCHAR', "
      "session_id: 'VARCHAR', source: 'VARCHAR', product_id: 'VARCHAR', category: 'VARCHAR', "
      "price: 'DOUBLE', quantity: 'INTEGER', order_id: 'VARCHAR', currency: 'VARCHAR'}})",
      events.string()));
  // needs_recompute steers the pipeline's appending runs; the silver tables have no such column.
  for (const char* table : {"sessions", "purchases"}) {
    duck.run(fmt::format(
        "CREATE TABLE silver_{} AS SELECT * EXCLUDE (needs_recompute) FROM (\n{}\n)", table,
        pipeline::without_final_semicolon(
            read_text(models / "silver" / (std::string(table) + ".sql")))));
  }
  for (const auto& table : table_specs()) {
    if (table.schema != "gold") continue;
    const std::string select =
        pipeline::without_final_semicolon(read_text(models / "gold" / (table.name + ".sql")));
    const fs::path file = table_file(lake, table);
    fs::create_directories(file.parent_path());
    // The newline ends a trailing comment of the model before the closing parenthesis.
    duck.run(fmt::format("COPY (\n{}\n) TO '{}' (FORMAT parquet)", select, file.string()));
    // A gold model may read one before it (conversion reads daily active users).
    duck.run(fmt::format("CREATE VIEW gold_{} AS FROM '{}'", table.name, file.string()));
  }
}

struct Timed {
  double ms = 0;
  int status = 0;
  std::string body;
};

Timed timed_post(httplib::Client& client, const std::string& sql) {
  const auto started = Clock::now();
  const auto response = client.Post("/", sql, "text/plain");
  Timed timed;
  timed.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  if (response) {
    timed.status = response->status;
    timed.body = response->body;
  }
  return timed;
}

std::unique_ptr<httplib::Client> keep_alive_client(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(std::chrono::seconds(60));
  return client;
}

std::string clickhouse_type(sql::TableColumnType type) {
  switch (type) {
    case sql::TableColumnType::boolean:
      return "UInt8";
    case sql::TableColumnType::int64:
      return "Int64";
    case sql::TableColumnType::uint64:
      return "UInt64";
    case sql::TableColumnType::float64:
      return "Float64";
    case sql::TableColumnType::string:
      return "String";
    case sql::TableColumnType::date:
      return "Date";
    case sql::TableColumnType::timestamp_s:
      return "DateTime";
    case sql::TableColumnType::timestamp_ms:
      return "DateTime";  // the minute tables hold whole minutes
    case sql::TableColumnType::event_type: {
      // ClickHouse's own type for a closed set, as shoplake's ENUM: numbered in the names' order,
      // so that both sort them alike.
      const auto& names = core::kEventTypeNamesInByteOrder;
      std::string members;
      for (std::size_t i = 0; i < names.size(); ++i) {
        members += fmt::format("{}'{}' = {}", i == 0 ? "" : ", ", names[i], i + 1);
      }
      return "Enum8(" + members + ")";
    }
  }
  return "String";
}

// Creates the tables on clickhouse-server and loads the rows shoplake serves for them, so both
// hold exactly the same values.
void load_clickhouse(const sql::ClickHousePeer& peer, httplib::Client& shoplake) {
  for (const char* database : {"gold", "realtime"}) {
    if (peer.query(fmt::format("CREATE DATABASE {}", database)).status != 200) {
      throw CommandError{1, "clickhouse-server: cannot create database " + std::string(database)};
    }
  }
  for (const auto& table : table_specs()) {
    const std::string qualified = table.schema + "." + table.name;
    std::string columns;
    std::string select;
    for (const auto& column : table.columns) {
      columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", column.name,
                             clickhouse_type(column.type));
      select += select.empty() ? "" : ", ";
      // DateTime text without fractional seconds, which clickhouse-server 18.16 would refuse.
      select += column.type == sql::TableColumnType::timestamp_ms
                    ? fmt::format("toDateTime({0}) AS {0}", column.name)
                    : column.name;
    }
    const auto created = peer.query(fmt::format(
        "CREATE TABLE {} ({}) ENGINE = MergeTree ORDER BY {}", qualified, columns, table.order_by));
    if (created.status != 200) {
      throw CommandError{
          1, fmt::format("clickhouse-server: CREATE TABLE {}: {}", qualified, created.body)};
    }
    const Timed rows = timed_post(
        shoplake, fmt::format("SELECT {} FROM {} FORMAT TabSeparated", select, qualified));
    if (rows.status != 200) {
      throw CommandError{1, fmt::format("shoplake: reading {}: {}", qualified, rows.body)};
    }
    const auto inserted =
        peer.query(rows.body, "/?query=" + httplib::detail::encode_query_param(fmt::format(
                                               "INSERT INTO {} FORMAT TabSeparated", qualified)));
    if (inserted.status != 200) {
      throw CommandError{
          1, fmt::format("clickhouse-server: loading {}: {}", qualified, inserted.body)};
    }
  }
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream left(a);
  std::istringstream right(b);
  std::string l;
  std::string r;
  for (int line = 1;; ++line) {
    const bool more_left = static_cast<bool>(std::getline(left, l));
    const bool more_right = static_cast<bool>(std::getline(right, r));
    if (!more_left && !more_right) return "same lines";
    if (!more_left || !more_right || l != r) {
      return fmt::format("line {}: shoplake '{}' vs clickhouse '{}'", line, more_left ? l : "<end>",
                         more_right ? r : "<end>");
    }
  }
}

std::int64_t current_minute() {
  return core::now_ms() / core::kMillisPerMinute;
}

struct PanelResult {
  std::size_t rows = 0;
  bool matched = false;
  bool clickhouse_ok = false;
  std::string check;  // what the comparison found, when it is not a plain match
  std::vector<double> shoplake_p50, shoplake_p99, clickhouse_p50, clickhouse_p99;  // per run
};

// Both answers for each panel, in the same minute: the windows slide with now(), so a pair
// straddling a minute boundary may differ honestly and is asked again.
void check_answers(const std::vector<Panel>& panels, httplib::Client& shoplake,
                   httplib::Client* clickhouse, std::vector<PanelResult>& results) {
  for (std::size_t p = 0; p < panels.size(); ++p) {
    auto& result = results[p];
    for (int attempt = 0; attempt < 3; ++attempt) {
      const std::int64_t minute = current_minute();
      const Timed ours = timed_post(shoplake, panels[p].sql);
      if (ours.status != 200) {
        throw CommandError{1, fmt::format("shoplake failed panel {} {}: {}", panels[p].number,
                                          panels[p].name, ours.body)};
      }
      result.rows = line_count(ours.body);
      if (clickhouse == nullptr) break;
      const Timed theirs = timed_post(*clickhouse, panels[p].sql);
      result.clickhouse_ok = theirs.status == 200;
      if (!result.clickhouse_ok) {
        result.check = "clickhouse-server refused it: " + theirs.body.substr(0, 300);
        break;
      }
      result.matched = ours.body == theirs.body;
      if (result.matched) break;
      result.check = first_difference(ours.body, theirs.body);
      if (current_minute() == minute) break;
    }
    if (clickhouse != nullptr && !result.matched) {
      fmt::print(stderr, "*** MISMATCH panel {} {}: {}\n", panels[p].number, panels[p].name,
                 result.check);
    }
  }
}

void measure(const BenchQueryOptions& options, const std::vector<Panel>& panels,
             httplib::Client& shoplake, httplib::Client* clickhouse,
             std::vector<PanelResult>& results) {
  for (int run = 0; run < options.runs; ++run) {
    for (std::size_t p = 0; p < panels.size(); ++p) {
      httplib::Client* peer = results[p].clickhouse_ok ? clickhouse : nullptr;
      std::vector<double> ours;
      std::vector<double> theirs;
      // Alternating the two systems query by query puts both under the same machine noise.
      for (int i = 0; i < options.warmup + options.iterations; ++i) {
        const Timed a = timed_post(shoplake, panels[p].sql);
        if (a.status != 200) throw CommandError{1, "shoplake failed: " + a.body};
        if (i >= options.warmup) ours.push_back(a.ms);
        if (peer != nullptr) {
          const Timed b = timed_post(*peer, panels[p].sql);
          if (b.status != 200) throw CommandError{1, "clickhouse-server failed: " + b.body};
          if (i >= options.warmup) theirs.push_back(b.ms);
        }
      }
      auto& result = results[p];
      result.shoplake_p50.push_back(percentile(ours, 0.5));
      result.shoplake_p99.push_back(percentile(ours, 0.99));
      std::string line = fmt::format("  run {} panel {} {:<20} shoplake p50 {:.3f} p99 {:.3f} ms",
                                     run + 1, panels[p].number, panels[p].name,
                                     result.shoplake_p50.back(), result.shoplake_p99.back());
      if (peer != nullptr) {
        result.clickhouse_p50.push_back(percentile(theirs, 0.5));
        result.clickhouse_p99.push_back(percentile(theirs, 0.99));
        line += fmt::format(" | clickhouse p50 {:.3f} p99 {:.3f} ms", result.clickhouse_p50.back(),
                            result.clickhouse_p99.back());
      }
      fmt::print(stderr, "{}\n", line);
    }
  }
}

// Prints the table and the verdict; returns how many panels clickhouse-server answered otherwise
// (0 without it).
std::size_t report(const BenchQueryOptions& options, const std::vector<Panel>& panels,
                   const std::vector<PanelResult>& results, bool with_clickhouse) {
  fmt::print(
      "bench query: {} dashboard queries, {} timed iterations each after {} warm-up, median of {} "
      "runs, one keep-alive connection per system, queries alternating between them\n",
      panels.size(), options.iterations, options.warmup, options.runs);
  fmt::print("{:<24} {:>5}  {:>17}  {:>17}  {:>15}  {}\n", "query", "rows", "shoplake p50/p99",
             "clickhouse p50/p99", "ratio p50/p99", "check");
  int within_goal = 0;
  int faster = 0;
  int matched = 0;
  double worst = 0;
  std::string worst_name;
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const auto& result = results[p];
    const double p50 = median(result.shoplake_p50);
    const double p99 = median(result.shoplake_p99);
    within_goal += p99 <= 2.0 ? 1 : 0;
    if (p99 > worst) {
      worst = p99;
      worst_name = panels[p].name;
    }
    std::string peer = "-";
    std::string ratio = "-";
    std::string check = with_clickhouse ? "MISMATCH (flagged)" : "not compared";
    if (with_clickhouse && result.clickhouse_ok) {
      const double their_p50 = median(result.clickhouse_p50);
      const double their_p99 = median(result.clickhouse_p99);
      peer = fmt::format("{:.2f} / {:.2f} ms", their_p50, their_p99);
      // Above 1: shoplake answers that much sooner.
      ratio = fmt::format("{:.1f}x / {:.1f}x", their_p50 / p50, their_p99 / p99);
      faster += (p50 < their_p50 && p99 < their_p99) ? 1 : 0;
    } else if (with_clickhouse) {
      check = "clickhouse error (flagged)";
    }
    if (result.matched) {
      check = "same rows";
      ++matched;
    }
    fmt::print("{:<24} {:>5}  {:>17}  {:>17}  {:>15}  {}\n",
               fmt::format("{} {}", panels[p].number, panels[p].name), result.rows,
               fmt::format("{:.2f} / {:.2f} ms", p50, p99), peer, ratio, check);
  }
  fmt::print("shoplake: p99 <= 2 ms on {}/{} queries (worst p99 {:.2f} ms, {})", within_goal,
             panels.size(), worst, worst_name);
  if (with_clickhouse) {
    fmt::print("; faster than clickhouse-server 18.16 at p50 and p99 on {}/{}; same rows on {}/{}",
               faster, panels.size(), matched, panels.size());
  }
  fmt::print("\n");
  return with_clickhouse ? panels.size() - static_cast<std::size_t>(matched) : 0;
}

void run_bench_query(const BenchQueryOptions& options) {
  const fs::path models = find_models_directory(options.models, "dashboards/overview.sql");
  const std::vector<Panel> panels = read_panels(models / "dashboards" / "overview.sql");
  const fs::path scratch = fs::temp_directory_path() /
                           fmt::format("shoplake-bench-query-{}", static_cast<long>(::getpid()));
  fs::remove_all(scratch);
  const fs::path lake = scratch / "lake";
  const std::int64_t end_ms = core::now_ms();

  log::LogOptions log_options;
  log_options.directory = scratch / "log";
  auto opened_log = log::EventLog::open(log_options);
  if (!opened_log) throw CommandError{1, opened_log.error()};
  log::EventLog& event_log = *opened_log.value();

  auto started = Clock::now();
  const std::int64_t realtime_start_ms = end_ms - options.realtime_days * core::kMillisPerDay;
  const std::uint64_t events =
      simulate_events(options, end_ms, scratch / "events", realtime_start_ms, event_log);
  build_gold_tables(scratch / "events", models, lake);
  fs::remove_all(scratch / "events");

  sql::EngineOptions engine_options;
  engine_options.threads = options.sql_threads;
  engine_options.lake_directory = lake;
  engine_options.setup_sql = sql::clickhouse_function_macros();
  auto opened = sql::Engine::open(engine_options);
  if (!opened) throw CommandError{1, opened.error()};
  std::unique_ptr<sql::Engine> engine = std::move(opened).value();
  for (const auto& table : table_specs()) {
    if (table.schema != "gold") continue;
    auto published = engine->catalog().publish_parquet_snapshot(
        table.schema, table.name, table.columns, {table_file(lake, table)});
    if (!published) throw CommandError{1, published.error()};
  }
  // realtime.* as `shoplake up` serves them: the stream engine counting the event log, its
  // closed minutes handed to the SQL engine, the open ones scanned live.
  stream::StreamOptions stream_options;
  stream_options.state_directory = scratch / "stream";
  stream_options.aggregation.retention_ms = options.realtime_days * core::kMillisPerDay;
  auto opened_stream = stream::StreamEngine::open(event_log, stream_options, {});
  if (!opened_stream) throw CommandError{1, opened_stream.error()};
  std::unique_ptr<stream::StreamEngine> stream_engine = std::move(opened_stream).value();
  if (auto published = stream_engine->publish_tables(engine->catalog()); !published) {
    throw CommandError{1, published.error()};
  }
  stream_engine->start();
  if (!stream_engine->wait_for_offset(event_log.appended_end_offset(), std::chrono::minutes(5))) {
    throw CommandError{1, "bench query: the stream engine did not count the event log in time"};
  }
  fmt::print(stderr,
             "bench query: {} simulated events over {} days -> gold tables, and the last {} days "
             "counted by the stream engine, in {:.1f} s\n",
             events, options.days, options.realtime_days,
             std::chrono::duration<double>(Clock::now() - started).count());
  server::MainServer http(server::ServerOptions{"127.0.0.1", 0});
  server::ClickHouseRoutes routes(*engine, {});
  routes.install(http.routes());
  const auto port = http.listen();
  if (!port) throw CommandError{1, port.error()};
  std::thread serving([&http] { http.serve(); });
  const auto ours = keep_alive_client(port.value());

  std::unique_ptr<sql::ClickHousePeer> peer;
  std::unique_ptr<httplib::Client> theirs;
  const std::string binary = sql::find_clickhouse_server(options.clickhouse);
  std::size_t mismatched = 0;
  try {
    if (binary.empty()) {
      fmt::print(stderr, "clickhouse-server: not found (--clickhouse PATH), no side-by-side\n");
    } else {
      peer = std::make_unique<sql::ClickHousePeer>(binary, scratch / "clickhouse");
      if (!peer->wait_ready()) {
        throw CommandError{
            1, "clickhouse-server did not start; see " + (scratch / "clickhouse").string()};
      }
      load_clickhouse(*peer, *ours);
      theirs = keep_alive_client(peer->http_port());
    }
    std::vector<PanelResult> results(panels.size());
    check_answers(panels, *ours, theirs.get(), results);
    measure(options, panels, *ours, theirs.get(), results);
    mismatched = report(options, panels, results, theirs != nullptr);
  } catch (...) {
    http.stop();
    serving.join();
    throw;
  }
  http.stop();
  serving.join();
  theirs.reset();
  peer.reset();
  stream_engine->stop();
  stream_engine.reset();
  engine.reset();
  fs::remove_all(scratch);
  if (mismatched > 0) {
    throw CommandError{1, fmt::format("{} of {} panels answered otherwise than clickhouse-server "
                                      "(the first difference is above)",
                                      mismatched, panels.size())};
  }
}

}  // namespace

void add_bench_query_command(CLI::App& bench) {
  auto options = std::make_shared<BenchQueryOptions>();
  auto* query = bench.add_subcommand(
      "query",
      "The overview dashboard's eight queries (models/dashboards/overview.sql) on simulated gold "
      "and realtime tables, over HTTP against shoplake's ClickHouse interface and against "
      "Debian's clickhouse-server holding the same rows (answers compared first): p50/p99 each");
  query->add_option("--days", options->days, "Days of simulated events behind the gold tables")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  query
      ->add_option("--realtime-days", options->realtime_days,
                   "Last days of those events counted by the stream engine into realtime.*")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  query->add_option("--rate", options->rate, "Mean simulated events per second of event time")
      ->check(CLI::Range(0.01, sim::kMaxEventsPerSecond))
      ->capture_default_str();
  query->add_option("--iterations", options->iterations, "Timed queries per query, system and run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  query->add_option("--warmup", options->warmup, "Untimed queries before those, per run")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  query->add_option("--runs", options->runs, "Runs; the median of their p50s and p99s is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  query
      ->add_option("--sql-threads", options->sql_threads,
                   "DuckDB threads per query, as up's --sql-threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  query
      ->add_option("--clickhouse", options->clickhouse,
                   "auto (use clickhouse-server when installed), off, or its path")
      ->capture_default_str();
  query->add_option("--models", options->models,
                    "The models directory (default: <checkout>/models next to the build "
                    "directory, else ./models)");
  query->callback([options] {
    if (options->realtime_days > options->days) {
      throw CommandError{2, "--realtime-days cannot exceed --days"};
    }
    run_bench_query(*options);
  });
}

}  // namespace shoplake::cli
