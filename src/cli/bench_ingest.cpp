// `shoplake bench ingest`: NDJSON over HTTP into the durable log, with the client on the same
// machine, and the same batches inserted into Debian's clickhouse-server as the standing peer.
#include <fmt/core.h>
#include <httplib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench_statistics.hpp"
#include "commands.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/server/collector_routes.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/sql/clickhouse_peer.hpp"

namespace shoplake::cli {

namespace {

struct BenchIngestOptions {
  std::uint64_t events = 2'000'000;
  std::size_t batch_bytes = 1 << 20;
  int connections = 4;
  int runs = 3;
  std::string fsync = "interval";
  std::vector<double> rates = {10'000, 100'000};
  double latency_seconds = 5;
  std::string clickhouse = "auto";  // auto | off | path of clickhouse-server
};

// Simulator history ending now, cut into bodies of whole lines.
std::vector<std::string> make_batches(const BenchIngestOptions& options) {
  sim::SimulatorConfig config;
  config.seed = 42;
  config.events_per_second = 2000;
  config.end_ms = core::now_ms() - core::kMillisPerMinute;
  // Long enough for the requested count even at the quietest hour (0.2x the mean rate).
  config.start_ms = config.end_ms - static_cast<std::int64_t>(options.events / 300 + 60) * 1000;
  sim::Simulator simulator(config);
  std::vector<std::string> batches(1);
  core::EventView event;
  for (std::uint64_t i = 0; i < options.events && simulator.next(event); ++i) {
    if (batches.back().size() >= options.batch_bytes) batches.emplace_back();
    core::append_ndjson(event, batches.back());
  }
  return batches;
}

// In this VM (PVM, shadow page tables) the kernel's first read of each 4 KiB page of a process
// costs a page-table fault in the hypervisor: the first run's send() of 1.3 GB of fresh batches
// spent 45 % of the machine's time there, a cost of the client's memory that a client on another
// machine never puts on the server. Every batch is passed through the kernel once, untimed.
void touch_through_kernel(const std::vector<std::string>& batches) {
  const int file = ::memfd_create("shoplake-bench-warm", 0);
  if (file < 0) return;
  for (const std::string& batch : batches) {
    if (::pwrite(file, batch.data(), batch.size(), 0) < 0) break;
  }
  ::close(file);
}

std::string run_name(int run) {
  return run == 0 ? "warm-up run (not counted)" : fmt::format("run {}", run);
}

std::size_t lines_in(const std::string& batch) {
  return static_cast<std::size_t>(std::count(batch.begin(), batch.end(), '\n'));
}

struct Throughput {
  double events_per_second = 0;
  double megabytes_per_second = 0;
};

// Sends every batch once over `connections` keep-alive connections; counts what was answered 200.
Throughput send_all(const std::string& host, int port, const std::string& path,
                    const std::vector<std::string>& batches, int connections,
                    std::uint64_t& events_acknowledged) {
  // Counted before the clock starts: counting 1 MB of newlines per request cost the client as
  // much CPU as a fifth of the server's parse.
  std::vector<std::size_t> events_in(batches.size());
  std::transform(batches.begin(), batches.end(), events_in.begin(), lines_in);
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> bytes{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> senders;
  for (int c = 0; c < connections; ++c) {
    senders.emplace_back([&] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(std::chrono::seconds(120));
      for (std::size_t i = next++; i < batches.size(); i = next++) {
        const std::string& batch = batches[i];
        // A content provider writes the body straight from the batch: the string overload would
        // copy 1 MB per request on a core the server needs.
        const auto write_body = [&batch](std::size_t offset, std::size_t length,
                                         httplib::DataSink& sink) {
          return sink.write(batch.data() + offset, length);
        };
        for (int attempt = 0;; ++attempt) {
          const auto response = client.Post(path, batch.size(), write_body, "application/x-ndjson");
          if (response && response->status == 200) break;
          if (attempt == 100) {
            throw CommandError{1, fmt::format("{} refused a batch 100 times: {}", path,
                                              response ? response->body : "no answer")};
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // 429: try again
        }
        events += events_in[i];
        bytes += batch.size();
      }
    });
  }
  for (auto& sender : senders) sender.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  events_acknowledged = events;
  return {static_cast<double>(events) / seconds, static_cast<double>(bytes) / seconds / 1e6};
}

// Acknowledgement latency at a fixed rate: 100 requests a second, rate/100 events each.
std::vector<double> latencies_at(int port, const std::string& source_ndjson, double rate,
                                 double seconds) {
  const std::size_t per_request = std::max<std::size_t>(1, static_cast<std::size_t>(rate / 100));
  std::vector<std::string> bodies;
  std::size_t begin = 0;
  while (bodies.size() < 64) {
    std::size_t end = begin;
    for (std::size_t line = 0; line < per_request; ++line) {
      const std::size_t newline = source_ndjson.find('\n', end);
      if (newline == std::string::npos) {
        end = 0;
        break;
      }
      end = newline + 1;
    }
    if (end == 0) {
      begin = 0;
      continue;
    }
    bodies.push_back(source_ndjson.substr(begin, end - begin));
    begin = end;
  }
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(std::chrono::seconds(10));
  std::vector<double> latencies;
  const auto interval = std::chrono::milliseconds(10);
  auto due = std::chrono::steady_clock::now();
  const auto end = due + std::chrono::duration<double>(seconds);
  for (std::size_t i = 0; due < end; ++i) {
    std::this_thread::sleep_until(due);
    const auto sent = std::chrono::steady_clock::now();
    const auto response =
        client.Post("/v1/events", bodies[i % bodies.size()], "application/x-ndjson");
    if (response && response->status == 200) {
      latencies.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent)
              .count());
    }
    due += interval;
  }
  return latencies;
}

constexpr const char* kClickHouseTable =
    "CREATE TABLE events (event_id String, event_type String, ts String, user_id String, "
    "session_id String, source String, product_id String, category String, price Float64, "
    "quantity UInt32, order_id String) ENGINE = MergeTree ORDER BY (event_type, ts)";

void run_bench_ingest(const BenchIngestOptions& options) {
  fmt::print(stderr, "bench ingest: generating {} simulator events…\n", options.events);
  const std::vector<std::string> batches = make_batches(options);
  touch_through_kernel(batches);
  std::size_t total_bytes = 0;
  for (const auto& batch : batches) total_bytes += batch.size();
  const auto scratch = std::filesystem::temp_directory_path() /
                       fmt::format("shoplake-bench-{}", static_cast<long>(::getpid()));
  std::filesystem::remove_all(scratch);

  // One log and one server for every run, as clickhouse-server below: a fresh log per run, deleted
  // after it, measured bursts whose pages the kernel never wrote back, not the rate a running
  // server sustains. Run 0 warms up and is not counted: a server that has been up for a while has
  // its allocator's arenas, its threads' buffers and the kernel's page tables for them in place.
  log::LogOptions log_options;
  log_options.directory = scratch / "log";
  auto policy = log::parse_durability_policy(options.fsync);
  if (!policy) throw CommandError{2, "--fsync: " + policy.error()};
  log_options.durability = policy.value();
  auto opened = log::EventLog::open(log_options);
  if (!opened) throw CommandError{1, opened.error()};
  auto event_log = std::move(opened).value();
  server::MainServer http(server::ServerOptions{"127.0.0.1", 0});
  server::CollectorRoutes collector(*event_log, {});
  collector.install(http.routes());
  const auto port = http.listen();
  if (!port) throw CommandError{1, port.error()};
  std::thread serving([&http] { http.serve(); });
  std::vector<double> shoplake_rates;
  std::vector<double> shoplake_mbs;
  std::uint64_t events_logged = 0;
  for (int run = 0; run <= options.runs; ++run) {
    std::uint64_t acknowledged = 0;
    const Throughput result = send_all("127.0.0.1", port.value(), "/v1/events", batches,
                                       options.connections, acknowledged);
    fmt::print(stderr, "  shoplake {}: {:.2f} M events/s, {:.0f} MB/s ({} events acknowledged)\n",
               run_name(run), result.events_per_second / 1e6, result.megabytes_per_second,
               acknowledged);
    events_logged += acknowledged;
    if (run > 0) {
      shoplake_rates.push_back(result.events_per_second);
      shoplake_mbs.push_back(result.megabytes_per_second);
    }
  }
  // What the disk has to keep up with: the log's bytes (records, framing, rejections) per event.
  const double log_bytes_per_event = events_logged == 0
                                         ? 0.0
                                         : static_cast<double>(event_log->stats().bytes_appended) /
                                               static_cast<double>(events_logged);
  for (const double rate : options.rates) {
    const auto latencies =
        latencies_at(port.value(), batches.front(), rate, options.latency_seconds);
    fmt::print(stderr, "latency at {:>7.0f} events/s: p50 {:.2f} ms, p99 {:.2f} ms ({} requests)\n",
               rate, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.size());
  }
  http.stop();
  serving.join();
  event_log.reset();
  std::filesystem::remove_all(log_options.directory);
  fmt::print(
      "shoplake: {:.2f} M events/s, {:.0f} MB/s (median of {} runs; {} events, {:.0f} MB in {} "
      "batches, {} connections, fsync {}; {:.0f} bytes an event in the log)\n",
      median(shoplake_rates) / 1e6, median(shoplake_mbs), options.runs, options.events,
      static_cast<double>(total_bytes) / 1e6, batches.size(), options.connections, options.fsync,
      log_bytes_per_event);

  const std::string clickhouse_binary = sql::find_clickhouse_server(options.clickhouse);
  if (clickhouse_binary.empty()) {
    fmt::print("clickhouse-server: not found (--clickhouse PATH), no side-by-side figure\n");
    std::filesystem::remove_all(scratch);
    return;
  }
  // The peer is warmed up the same way: one server for every run, the first run not counted.
  std::vector<double> clickhouse_rates;
  {
    sql::ClickHousePeer peer(clickhouse_binary, scratch / "clickhouse");
    if (!peer.wait_ready() || peer.query(kClickHouseTable).status != 200) {
      throw CommandError{1, "clickhouse-server did not start; see its log under " +
                                (scratch / "clickhouse").string()};
    }
    for (int run = 0; run <= options.runs; ++run) {
      std::uint64_t acknowledged = 0;
      const Throughput result = send_all("127.0.0.1", peer.http_port(),
                                         "/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow"
                                         "&input_format_skip_unknown_fields=1",
                                         batches, options.connections, acknowledged);
      fmt::print(stderr, "  clickhouse {}: {:.2f} M events/s, {:.0f} MB/s\n", run_name(run),
                 result.events_per_second / 1e6, result.megabytes_per_second);
      if (run > 0) clickhouse_rates.push_back(result.events_per_second);
    }
  }  // the peer stops before its directory is removed
  const double ratio = median(shoplake_rates) / median(clickhouse_rates);
  fmt::print(
      "clickhouse-server 18.16 (JSONEachRow into MergeTree): {:.2f} M events/s (median of "
      "{} runs)\nratio shoplake / clickhouse: {:.2f}x\n",
      median(clickhouse_rates) / 1e6, options.runs, ratio);
  std::filesystem::remove_all(scratch);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Measure shoplake on this machine");
  bench->require_subcommand(1);
  auto options = std::make_shared<BenchIngestOptions>();
  auto* ingest = bench->add_subcommand(
      "ingest",
      "NDJSON over HTTP into the durable event log (client on this machine, simulator output), "
      "acknowledgement latency at fixed rates, and the same batches inserted into Debian's "
      "clickhouse-server (INSERT … FORMAT JSONEachRow into MergeTree) for a ratio. Each side is "
      "one server (shoplake: one log, under $TMPDIR) for a warm-up run, not counted, and the "
      "timed runs");
  ingest->add_option("--events", options->events, "Events to send per run")->capture_default_str();
  ingest->add_option("--batch-bytes", options->batch_bytes, "Bytes per request body")
      ->capture_default_str();
  ingest->add_option("--connections", options->connections, "Concurrent keep-alive connections")
      ->capture_default_str();
  ingest
      ->add_option("--runs", options->runs, "Timed runs after the warm-up; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  ingest->add_option("--fsync", options->fsync, "Durability policy of the log")
      ->capture_default_str();
  ingest->add_option("--rates", options->rates, "Fixed rates for the latency measurement")
      ->delimiter(',');
  ingest->add_option("--latency-seconds", options->latency_seconds, "Seconds per latency rate")
      ->capture_default_str();
  ingest
      ->add_option("--clickhouse", options->clickhouse,
                   "auto (use clickhouse-server when installed), off, or its path")
      ->capture_default_str();
  ingest->callback([options] { run_bench_ingest(*options); });
  add_bench_query_command(*bench);
  add_bench_realtime_command(*bench);
  add_bench_lake_command(*bench);
  add_bench_pipeline_command(*bench);
}

}  // namespace shoplake::cli
