// `shoplake up`: the whole platform in one process. It starts what this build contains and says
// so; each component issue adds its part here.
#include <fmt/core.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "data_directory.hpp"
#include "lake_runtime.hpp"
#include "pipeline_runtime.hpp"
#include "realtime_runtime.hpp"
#include "shoplake/ingest/kafka_source.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/server/alert_routes.hpp"
#include "shoplake/server/clickhouse_routes.hpp"
#include "shoplake/server/collector_routes.hpp"
#include "shoplake/server/dag_routes.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/server/query_routes.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/clickhouse_export.hpp"
#include "shoplake/sql/contract_tables.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::cli {

namespace {

struct UpOptions {
  server::ServerOptions http;
  std::string fsync = "interval";
  std::uint64_t log_max_pending_bytes = log::LogOptions{}.max_pending_bytes;
  server::CollectorOptions collector;
  ingest::KafkaSourceOptions kafka;  // no brokers: no Kafka source
  int clickhouse_port = 8123;
  server::ClickHouseHttpOptions clickhouse;
  sql::EngineOptions sql;
  std::int64_t query_timeout_ms = 30'000;
  // url empty: no export (ExportOptions' own default points at a local ClickHouse).
  sql::ExportOptions clickhouse_export = [] {
    sql::ExportOptions none;
    none.url.clear();
    return none;
  }();
  double export_interval_seconds = 10;
  RealtimeOptions realtime;
  LakeOptions lake;
  PipelineOptions pipeline;
};

std::unique_ptr<sql::Engine> open_sql_engine(const std::filesystem::path& data_dir,
                                             const UpOptions& options) {
  sql::EngineOptions engine_options = options.sql;
  engine_options.lake_directory = std::filesystem::absolute(data_dir / "lake").lexically_normal();
  std::filesystem::create_directories(engine_options.lake_directory);
  engine_options.query_timeout = std::chrono::milliseconds(options.query_timeout_ms);
  engine_options.setup_sql = sql::clickhouse_function_macros();
  auto opened = sql::Engine::open(engine_options);
  if (!opened) throw CommandError{1, "SQL engine: " + opened.error()};
  if (auto published = sql::publish_empty_contract_tables(opened.value()->catalog()); !published) {
    throw CommandError{1, "SQL engine: " + published.error()};
  }
  return std::move(opened).value();
}

std::unique_ptr<log::EventLog> open_event_log(const std::filesystem::path& data_dir,
                                              const UpOptions& options) {
  const auto policy = log::parse_durability_policy(options.fsync);
  if (!policy) throw CommandError{2, "--fsync: " + policy.error()};
  log::LogOptions log_options;
  log_options.directory = data_dir / "log";
  log_options.durability = policy.value();
  log_options.max_pending_bytes = options.log_max_pending_bytes;
  auto opened = log::EventLog::open(log_options);
  if (!opened) throw CommandError{1, opened.error()};
  return std::move(opened).value();
}

// The Kafka source when brokers are given, consuming into the event log; null otherwise.
std::unique_ptr<ingest::KafkaSource> start_kafka_source(log::EventLog& event_log,
                                                        const UpOptions& options) {
  if (options.kafka.brokers.empty()) return nullptr;
  auto created = ingest::KafkaSource::create(event_log, options.kafka);
  if (!created) throw CommandError{2, created.error()};
  const core::Status started = created.value()->start();
  if (!started) throw CommandError{1, started.error()};
  return std::move(created).value();
}

// What /metrics shows of the parts `up` started.
void add_platform_metrics(server::MainServer& http, const log::EventLog& event_log,
                          const server::CollectorRoutes& collector,
                          const server::ClickHouseRoutes& clickhouse,
                          const ingest::KafkaSource* kafka_source) {
  http.add_metrics(
      [&event_log, &collector, &clickhouse, kafka_source](server::MetricsText& metrics) {
        const auto& counters = collector.counters();
        metrics.counter("shoplake_collector_requests_total", "POST /v1/events requests.",
                        static_cast<double>(counters.requests.load()));
        metrics.counter("shoplake_collector_events_accepted_total", "Events accepted over HTTP.",
                        static_cast<double>(counters.accepted.load()));
        metrics.counter("shoplake_collector_events_rejected_total",
                        "Events refused over HTTP (kept with their reason).",
                        static_cast<double>(counters.rejected.load()));
        metrics.counter("shoplake_collector_throttled_total", "Requests answered 429 (overload).",
                        static_cast<double>(counters.throttled.load()));
        const log::LogStats stats = event_log.stats();
        metrics.counter("shoplake_log_records_appended_total", "Event log records appended.",
                        static_cast<double>(stats.records_appended));
        metrics.counter("shoplake_log_bytes_appended_total", "Event log bytes appended.",
                        static_cast<double>(stats.bytes_appended));
        metrics.counter("shoplake_log_fsyncs_total", "fsync calls of the event log.",
                        static_cast<double>(stats.fsyncs));
        metrics.gauge("shoplake_log_durable_end_offset", "One past the last durable log entry.",
                      static_cast<double>(event_log.durable_end_offset()));
        metrics.gauge("shoplake_log_segments", "Event log segment files.",
                      static_cast<double>(stats.segments));
        metrics.gauge("shoplake_log_bytes_on_disk", "Event log bytes on disk.",
                      static_cast<double>(stats.bytes_on_disk));
        const auto& queries = clickhouse.counters();
        metrics.counter("shoplake_clickhouse_queries_total", "Queries on the ClickHouse interface.",
                        static_cast<double>(queries.queries.load()));
        metrics.counter("shoplake_clickhouse_queries_failed_total",
                        "Queries on the ClickHouse interface that ended in an error.",
                        static_cast<double>(queries.failed.load()));
        metrics.counter("shoplake_clickhouse_rows_sent_total", "Rows sent to ClickHouse clients.",
                        static_cast<double>(queries.rows_sent.load()));
        if (kafka_source != nullptr) {
          const ingest::KafkaSourceCounters kafka = kafka_source->counters();
          metrics.counter("shoplake_kafka_messages_total", "Kafka messages consumed.",
                          static_cast<double>(kafka.messages));
          metrics.counter("shoplake_kafka_events_accepted_total", "Events accepted from Kafka.",
                          static_cast<double>(kafka.events_accepted));
          metrics.counter("shoplake_kafka_events_rejected_total", "Events refused from Kafka.",
                          static_cast<double>(kafka.events_rejected));
          metrics.gauge("shoplake_kafka_source_up",
                        "1 while the Kafka source consumes, 0 once it stopped on a failure.",
                        kafka_source->failure().empty() ? 1 : 0);
        }
      });
}

// Blocks SIGINT/SIGTERM in every thread started after this call, so that only the waiting thread
// receives them.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void run_up(const GlobalOptions& global, const UpOptions& options) {
  if (!server::is_loopback_address(options.http.bind) &&
      (options.clickhouse.password.empty() || options.collector.write_keys.empty())) {
    throw CommandError{2, fmt::format("refusing to bind to {} without credentials: set "
                                      "SHOPLAKE_SQL_PASSWORD (queries) and SHOPLAKE_WRITE_KEY "
                                      "(events), or bind to 127.0.0.1",
                                      options.http.bind)};
  }
  const std::filesystem::path data_dir = global.data_dir;
  const DataDirectoryLock lock(data_dir);

  const sigset_t shutdown_signals = block_shutdown_signals();

  const auto event_log = open_event_log(data_dir, options);
  const auto engine = open_sql_engine(data_dir, options);
  const auto kafka_source = start_kafka_source(*event_log, options);
  const auto realtime =
      RealtimeRuntime::start(*event_log, engine->catalog(), data_dir, options.realtime);
  const auto lake = LakeRuntime::start(*event_log, engine->catalog(), data_dir, options.lake);
  const auto pipeline =
      PipelineRuntime::start(*lake, *engine, *realtime, data_dir, options.pipeline);
  pipeline->backfill_history_if_empty(*event_log);
  server::MainServer http(options.http);
  if (!options.clickhouse.password.empty()) {
    http.require_api_credentials(options.clickhouse.user, options.clickhouse.password);
  }
  server::CollectorRoutes collector(*event_log, options.collector);
  collector.install(http.routes());
  server::QueryRoutes query_api(*engine);
  query_api.install(http.routes());
  server::AlertRoutes alert_api(realtime->history());
  alert_api.install(http.routes());
  server::DagRoutes dag_api(pipeline->scheduler(), pipeline->store());
  dag_api.install(http.routes());
  const auto port = http.listen();
  if (!port) throw CommandError{1, port.error()};

  // ClickHouse's HTTP interface has a port of its own, as in the original (8123).
  server::MainServer clickhouse_http({options.http.bind, options.clickhouse_port});
  server::ClickHouseRoutes clickhouse(*engine, options.clickhouse);
  clickhouse.install(clickhouse_http.routes());
  std::unique_ptr<sql::ClickHouseExporter> exporter;
  if (!options.clickhouse_export.url.empty()) {
    sql::ExportOptions export_options = options.clickhouse_export;
    export_options.interval = std::chrono::milliseconds(
        static_cast<std::int64_t>(options.export_interval_seconds * 1000));
    exporter = std::make_unique<sql::ClickHouseExporter>(*engine, export_options);
    exporter->start();
  }
  const auto clickhouse_port = clickhouse_http.listen();
  if (!clickhouse_port) {
    throw CommandError{1, "ClickHouse HTTP interface: " + clickhouse_port.error() +
                              " (choose another with --clickhouse-port)"};
  }
  add_platform_metrics(http, *event_log, collector, clickhouse, kafka_source.get());
  realtime->add_metrics(http);
  realtime->add_health_check(http);
  lake->add_metrics(http);
  lake->add_health_check(http);
  pipeline->add_metrics(http);
  if (kafka_source) {
    http.add_health_check([source = kafka_source.get()] {
      const std::string failure = source->failure();
      return failure.empty() ? failure : "kafka source stopped: " + failure;
    });
  }
  std::thread http_thread([&http] { http.serve(); });
  std::thread clickhouse_thread([&clickhouse_http] { clickhouse_http.serve(); });

  fmt::print(
      "shoplake {0} up\n"
      "  data directory  {1}\n"
      "  http            http://{2}:{3}/  (/healthz, /metrics)\n"
      "  collector       POST http://{2}:{3}/v1/events  (NDJSON, JSON array or object; gzip, "
      "deflate, br, zstd)\n"
      "  event log       {4}  (fsync {5})\n"
      "  sql             POST http://{2}:{3}/v1/query  (JSON), DuckDB {6}\n"
      "  clickhouse      http://{2}:{7}/  (ClickHouse HTTP interface: curl, clients, Grafana)\n",
      SHOPLAKE_VERSION, std::filesystem::absolute(data_dir).lexically_normal().string(),
      options.http.bind, port.value(),
      std::filesystem::absolute(data_dir / "log").lexically_normal().string(), options.fsync,
      engine->duckdb_version(), clickhouse_port.value());
  fmt::print("{}{}{}", realtime->banner(), lake->banner(), pipeline->banner());
  if (kafka_source) {
    fmt::print("  kafka source    {} topic {} group {}\n", options.kafka.brokers,
               options.kafka.topic, options.kafka.group);
  }
  if (exporter) {
    fmt::print("  export          realtime.* and gold.* to ClickHouse at {} every {} s\n",
               options.clickhouse_export.url, options.export_interval_seconds);
  }
  fmt::print("Press Ctrl-C to stop.\n");
  std::fflush(stdout);
  spdlog::info("listening on {}:{}", options.http.bind, port.value());

  int received = 0;
  sigwait(&shutdown_signals, &received);
  spdlog::info("received {}, stopping", received == SIGINT ? "SIGINT" : "SIGTERM");
  if (kafka_source) kafka_source->stop();
  if (exporter) exporter->stop();
  http.stop();
  clickhouse_http.stop();
  http_thread.join();
  clickhouse_thread.join();
  pipeline->stop();
  realtime->stop();
  lake->stop();
}

}  // namespace

void add_up_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<UpOptions>();
  auto* command = app.add_subcommand(
      "up",
      "Start the platform: the collector (POST /v1/events) into the durable event log, /healthz "
      "and "
      "/metrics and the SQL JSON API (POST /v1/query) on the main HTTP port, the "
      "ClickHouse-compatible HTTP interface on its own port, the real-time engine (realtime.* "
      "tables, anomaly alerts to Slack/webhooks, GET /v1/alerts), the bronze landing into the "
      "Delta "
      "lake (bronze.events, bronze.rejected), the batch pipeline (silver.*, gold.*, /v1/dags) "
      "on its schedule, holding the data directory. On an empty data directory it first "
      "simulates days of history and computes them. Web UI and chat join it as they are "
      "built.");
  with_env(command->add_option("--port", options->http.port, "Main HTTP port (0: any free port)")
               ->check(CLI::Range(0, 65535))
               ->capture_default_str());
  with_env(command
               ->add_option("--bind", options->http.bind,
                            "Address to listen on; off loopback only with --sql-password and "
                            "--write-key set")
               ->capture_default_str());
  with_env(command
               ->add_option("--fsync", options->fsync,
                            "Event log durability: interval(MS) answers once written and "
                            "fsyncs once per MS for all written (default 10; survives kill -9, "
                            "an OS crash loses at most MS), always answers after the fsync, "
                            "never leaves syncing to the OS")
               ->capture_default_str());
  with_env(command
               ->add_option("--log-max-pending-bytes", options->log_max_pending_bytes,
                            "Bytes accepted but not yet durable above which the collector "
                            "answers 429 (Retry-After), so memory stays bounded at any load")
               ->capture_default_str());
  with_env(command
               ->add_option("--max-body-bytes", options->collector.max_body_bytes,
                            "Largest request body the collector takes, as sent and inflated")
               ->capture_default_str());
  with_env(command
               ->add_option("--max-events-per-request",
                            options->collector.ingest.max_events_per_body,
                            "Most events one request may carry")
               ->capture_default_str());
  with_env(command
               ->add_option("--write-key", options->collector.write_keys,
                            "Require this key (Authorization: Bearer KEY) on POST /v1/events; "
                            "repeatable. Prefer the environment: SHOPLAKE_WRITE_KEY=k1,k2")
               ->delimiter(','));
  with_env(command->add_option("--kafka-brokers", options->kafka.brokers,
                               "Consume events from Kafka too: HOST:PORT[,HOST:PORT…] (default: "
                               "no Kafka source). Each partition resumes where the event log "
                               "says it stopped; offsets are committed once stored"));
  with_env(command->add_option("--kafka-topic", options->kafka.topic, "Kafka topic to consume")
               ->capture_default_str());
  with_env(command->add_option("--kafka-group", options->kafka.group, "Kafka consumer group")
               ->capture_default_str());
  with_env(command
               ->add_option("--clickhouse-port", options->clickhouse_port,
                            "Port of the ClickHouse-compatible HTTP interface (0: any free port)")
               ->check(CLI::Range(0, 65535))
               ->capture_default_str());
  with_env(command
               ->add_option("--sql-user", options->clickhouse.user,
                            "User name ClickHouse clients give (X-ClickHouse-User, user=, "
                            "Basic auth)")
               ->capture_default_str());
  with_env(command->add_option("--sql-password", options->clickhouse.password,
                               "Password ClickHouse clients must give (default: none, loopback "
                               "only). Prefer the environment: SHOPLAKE_SQL_PASSWORD"));
  with_env(command
               ->add_option("--sql-threads", options->sql.threads,
                            "DuckDB threads per query (queries also run side by side, "
                            "each on its own connection); more speeds up large scans "
                            "and slows small queries")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
  with_env(command
               ->add_option("--sql-memory-limit", options->sql.memory_limit,
                            "DuckDB memory limit, e.g. 512MB or 2GB")
               ->capture_default_str());
  with_env(command
               ->add_option("--query-timeout-ms", options->query_timeout_ms,
                            "A query running longer is stopped (ClickHouse clients may ask for "
                            "less with max_execution_time)")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
  with_env(command
               ->add_option("--max-result-rows", options->sql.max_result_rows,
                            "Most rows a query may return (clients may ask for fewer with "
                            "max_result_rows)")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
  with_env(command->add_option("--export-clickhouse", options->clickhouse_export.url,
                               "Mirror realtime.* and gold.* into the ClickHouse at this URL "
                               "(http://host:8123), see docs/EXPORT.md (default: no export)"));
  with_env(command->add_option("--export-clickhouse-user", options->clickhouse_export.user,
                               "User for --export-clickhouse (default: ClickHouse's default)"));
  with_env(command->add_option("--export-clickhouse-password", options->clickhouse_export.password,
                               "Password for --export-clickhouse. Prefer the environment: "
                               "SHOPLAKE_EXPORT_CLICKHOUSE_PASSWORD"));
  with_env(command
               ->add_option("--export-interval-seconds", options->export_interval_seconds,
                            "Seconds between export passes")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
  add_realtime_flags(*command, options->realtime);
  add_lake_flags(*command, options->lake);
  add_pipeline_flags(*command, options->pipeline);
  command->callback([&global, options] { run_up(global, *options); });
}

}  // namespace shoplake::cli
