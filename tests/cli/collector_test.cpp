// POST /v1/events on the real server: what is acknowledged is in the log, what is refused says
// why, and nothing acknowledged is lost or doubled across kill -9.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "compression.hpp"
#include "raw_http.hpp"
#include "running_shoplake.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::testing {
namespace {

using std::chrono::seconds;

std::string event_line(const std::string& id) {
  return R"({"event_id":")" + id + R"(","event_type":"view","ts":)" +
         std::to_string(core::now_ms()) + R"(,"user_id":"u1","session_id":"s1"})";
}

std::string body_of(const std::vector<std::string>& ids) {
  std::string body;
  for (const auto& id : ids) body += event_line(id) + "\n";
  return body;
}

// The ids the log holds, as `shoplake log dump` prints them (the server must be stopped).
std::vector<std::string> logged_ids(const std::string& data_dir) {
  const auto dump = run_shoplake({"--data-dir", data_dir, "log", "dump"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  std::vector<std::string> ids;
  std::istringstream lines(dump.out);
  std::string line;
  static const std::string kKey = R"("event_id":")";
  while (std::getline(lines, line)) {
    const auto start = line.find(kKey) + kKey.size();
    ids.push_back(line.substr(start, line.find('"', start) - start));
  }
  return ids;
}

class Collector : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& args = {}, const std::vector<std::string>& env = {}) {
    server_ = std::make_unique<RunningShoplake>(data_dir(), args, env);
    ASSERT_GT(server_->port(), 0) << server_->process().read_all_stderr();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void stop() {
    client_.reset();
    ASSERT_EQ(server_->stop(), 0);
  }
  httplib::Result post(const std::string& body, const httplib::Headers& headers = {}) {
    return client_->Post("/v1/events", headers, body, "application/x-ndjson");
  }
  std::string data_dir() const { return dir_.path() + "/data"; }

  TempDir dir_;
  std::unique_ptr<RunningShoplake> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Collector, StoresGoodLinesAndReportsBadOnes) {
  start();
  const std::string body = event_line("a") + "\n" + R"({"event_id":"b","event_type":"view"})" +
                           "\n" + event_line("c") + "\n";
  const auto response = post(body);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_NE(response->body.find(R"("accepted":2,"rejected":1)"), std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find(R"({"line":2,"field":"ts","error":"missing required field"})"),
            std::string::npos)
      << response->body;
  const auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("\nshoplake_collector_events_accepted_total 2\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("\nshoplake_collector_events_rejected_total 1\n"), std::string::npos)
      << metrics->body;
  stop();
  EXPECT_EQ(logged_ids(data_dir()), (std::vector<std::string>{"a", "c"}));
  const auto rejected = run_shoplake({"--data-dir", data_dir(), "log", "dump", "--rejections"});
  EXPECT_NE(rejected.out.find(R"("field":"ts")"), std::string::npos) << rejected.out;
  EXPECT_NE(rejected.out.find(R"(\"event_id\":\"b\")"), std::string::npos) << rejected.out;
}

TEST_F(Collector, TakesArraysAndCompressedBodies) {
  start();
  const auto array = post("[" + event_line("a1") + "," + event_line("a2") + "]");
  ASSERT_TRUE(array);
  EXPECT_NE(array->body.find(R"("accepted":2)"), std::string::npos) << array->body;

  const auto gzipped = post(gzip(body_of({"g1", "g2", "g3"})), {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(gzipped);
  EXPECT_NE(gzipped->body.find(R"("accepted":3)"), std::string::npos) << gzipped->body;

  const std::string text = body_of({"z1"});
  std::string compressed(ZSTD_compressBound(text.size()), '\0');
  compressed.resize(
      ZSTD_compress(compressed.data(), compressed.size(), text.data(), text.size(), 3));
  const auto zstd = post(compressed, {{"Content-Encoding", "zstd"}});
  ASSERT_TRUE(zstd);
  EXPECT_NE(zstd->body.find(R"("accepted":1)"), std::string::npos) << zstd->body;

  const auto lzw = post(text, {{"Content-Encoding", "compress"}});
  ASSERT_TRUE(lzw);
  EXPECT_EQ(lzw->status, 415);
  const auto corrupt = post("not gzip", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->status, 400);
  stop();
  EXPECT_EQ(logged_ids(data_dir()).size(), 6u);
}

// Bodies are read from the connection straight into the parse buffer: bodies sent back to back
// in one write are each read to their Content-Length and no further, and a body cut short is
// refused with what arrived, storing nothing.
TEST_F(Collector, BodiesSentBackToBackAreEachStoredAndACutBodyIsRefused) {
  start();
  const auto request = [](const std::string& body, const std::string& extra_headers = "") {
    return "POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-ndjson\r\n" +
           extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string answers = raw_http_exchange(
      server_->port(), {{request(body_of({"b1", "b2"})) + request(body_of({"b3"})) +
                         request(body_of({"b4", "b5", "b6"}), "Connection: close\r\n")}});
  EXPECT_EQ(occurrences(answers, "HTTP/1.1 200 OK"), 3U) << answers;
  EXPECT_EQ(occurrences(answers, R"("accepted":2)"), 1U) << answers;
  EXPECT_EQ(occurrences(answers, R"("accepted":1)"), 1U) << answers;
  EXPECT_EQ(occurrences(answers, R"("accepted":3)"), 1U) << answers;

  const std::string whole = body_of({"c1", "c2"});
  RawExchange cut{{"POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                   std::to_string(whole.size() + 100) + "\r\n\r\n" + whole}};
  cut.close_sending_side = true;
  const std::string refused = raw_http_exchange(server_->port(), cut);
  EXPECT_NE(refused.find("HTTP/1.1 400"), std::string::npos) << refused;
  EXPECT_NE(refused.find("the body ended after " + std::to_string(whole.size()) + " of its " +
                         std::to_string(whole.size() + 100) + " bytes"),
            std::string::npos)
      << refused;
  stop();
  const auto ids = logged_ids(data_dir());
  EXPECT_EQ(ids, (std::vector<std::string>{"b1", "b2", "b3", "b4", "b5", "b6"}));
}

TEST_F(Collector, ABodyThatIsNotJsonIs400WithTheLine) {
  start();
  const auto response = post("this is not json\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("line 1"), std::string::npos) << response->body;
}

TEST_F(Collector, LimitsAnswer413AndStoreNothing) {
  start({"--max-body-bytes", "2000", "--max-events-per-request", "3"});
  std::vector<std::string> many;
  for (int i = 0; i < 4; ++i) many.push_back("m" + std::to_string(i));
  const auto too_many = post(body_of(many));
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 413);
  EXPECT_NE(too_many->body.find("at most 3"), std::string::npos) << too_many->body;

  const auto too_big = post(std::string(5000, ' ') + event_line("big"));
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);

  const auto bomb =
      post(gzip(std::string(100000, ' ') + event_line("bomb")), {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(bomb);
  EXPECT_EQ(bomb->status, 413);
  stop();
  EXPECT_TRUE(logged_ids(data_dir()).empty());
}

TEST_F(Collector, WriteKeysGuardTheDoor) {
  start({}, {"SHOPLAKE_WRITE_KEY=k-one,k-two"});
  const auto none = post(body_of({"x1"}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  const auto wrong = post(body_of({"x2"}), {{"Authorization", "Bearer nope"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  const auto bearer = post(body_of({"ok1"}), {{"Authorization", "Bearer k-two"}});
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200) << bearer->body;
  const auto header = post(body_of({"ok2"}), {{"X-Write-Key", "k-one"}});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->status, 200) << header->body;
  // A refused request's body is never read: the connection closes after the 401, so neither that
  // body nor a request sent behind it on the same connection is taken for a request.
  const std::string refused_body = body_of({"x3"});
  const std::string answers = raw_http_exchange(
      server_->port(),
      {{"POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: " +
        std::to_string(refused_body.size()) + "\r\n\r\n" + refused_body +
        "POST /v1/events HTTP/1.1\r\nHost: a\r\nX-Write-Key: k-one\r\nContent-Length: " +
        std::to_string(refused_body.size()) + "\r\n\r\n" + refused_body}});
  EXPECT_EQ(occurrences(answers, "HTTP/1.1 "), 1U) << answers;
  EXPECT_NE(answers.find("HTTP/1.1 401"), std::string::npos) << answers;
  EXPECT_NE(answers.find("Connection: close"), std::string::npos) << answers;
  stop();
  EXPECT_EQ(logged_ids(data_dir()), (std::vector<std::string>{"ok1", "ok2"}));
}

TEST_F(Collector, OverloadAnswers429WithRetryAfter) {
  // Group commit once a second and room for one pending body: a body sent within the same second
  // as two others finds the log full. Each sender tries a few times, so that a slow machine
  // (sanitizers, other tests) that spreads the first requests over seconds still gets there.
  start({"--fsync", "interval(1000)", "--log-max-pending-bytes", "3000"});
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back("o" + std::to_string(i));
  const std::string body = body_of(ids);
  std::atomic<int> throttled{0};
  std::atomic<int> stored{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server_->port());
      for (int attempt = 0; attempt < 10 && throttled.load() == 0; ++attempt) {
        const auto response = client.Post("/v1/events", body, "application/x-ndjson");
        if (!response) return;
        if (response->status == 429 && response->get_header_value("Retry-After") == "1") {
          ++throttled;
        }
        if (response->status == 200) ++stored;
      }
      (void)t;
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_GE(throttled.load(), 1);
  EXPECT_GE(stored.load(), 1);
  stop();
  EXPECT_EQ(logged_ids(data_dir()).size(), static_cast<std::size_t>(stored.load()) * ids.size());
}

TEST_F(Collector, SimulatorSendsByHttpAndTheLogHoldsItsExactOutput) {
  start();
  // A fixed span of the last hours, inside the collector's accepted window.
  const std::int64_t hour = core::now_ms() / core::kMillisPerHour * core::kMillisPerHour;
  const std::vector<std::string> shop = {"simulate",
                                         "--start",
                                         core::format_rfc3339_ms(hour - 3 * core::kMillisPerHour),
                                         "--end",
                                         core::format_rfc3339_ms(hour - core::kMillisPerHour),
                                         "--rate",
                                         "20",
                                         "--seed",
                                         "3"};
  std::vector<std::string> send = shop;
  send.insert(send.end(), {"--to", "http://127.0.0.1:" + std::to_string(server_->port())});
  const auto sent = run_shoplake(send);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.err.find("rejected 0"), std::string::npos) << sent.err;
  stop();
  const auto local = run_shoplake(shop);
  ASSERT_EQ(local.exit_code, 0);
  const auto dump = run_shoplake({"--data-dir", data_dir(), "log", "dump"});
  EXPECT_GT(std::count(dump.out.begin(), dump.out.end(), '\n'), 10000);
  EXPECT_TRUE(dump.out == local.out) << "the log does not hold exactly what the simulator sent";
}

// bronze.events ids with how often each is there, read through the running server's SQL.
std::map<std::string, int> bronze_ids(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  const auto response = client.Post("/v1/query", R"({"sql": "SELECT event_id FROM bronze.events"})",
                                    "application/json");
  std::map<std::string, int> ids;
  if (!response || response->status != 200) {
    ADD_FAILURE() << (response ? response->body : "no answer");
    return ids;
  }
  const auto document = nlohmann::json::parse(response->body);
  for (const auto& row : document["data"]) ++ids[row[0].get<std::string>()];
  return ids;
}

std::uint64_t metric(int port, const std::string& name) {
  httplib::Client client("127.0.0.1", port);
  const auto response = client.Get("/metrics");
  if (!response) return 0;
  const auto at = response->body.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(response->body.substr(at + name.size() + 2));
}

// A client sends at full speed and remembers what was acknowledged; the server is killed at
// random moments, also in the middle of bronze commits (one every 50 ms); after every restart
// each acknowledged event is in the log exactly once, and in the end in bronze.events exactly
// once, with every file of the table's snapshot readable.
TEST_F(Collector, AcknowledgedEventsSurviveKill9ExactlyOnce) {
  constexpr int kCycles = 20;
  constexpr int kBatch = 200;
  std::mt19937 random(12345);
  std::set<std::string> acknowledged;
  std::uint64_t batches_acknowledged = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    start({"--bronze-commit-interval-seconds", "0.05"});
    std::atomic<bool> stop_sending{false};
    std::vector<std::string> acked_this_cycle;
    std::thread sender([&] {
      httplib::Client client("127.0.0.1", server_->port());
      for (int batch = 0; !stop_sending; ++batch) {
        std::vector<std::string> ids;
        for (int i = 0; i < kBatch; ++i) {
          ids.push_back("k" + std::to_string(cycle) + "-" + std::to_string(batch) + "-" +
                        std::to_string(i));
        }
        const auto response = client.Post("/v1/events", body_of(ids), "application/x-ndjson");
        if (!response) break;  // killed
        if (response->status == 200) {
          acked_this_cycle.insert(acked_this_cycle.end(), ids.begin(), ids.end());
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 250));
    server_->process().send_signal(SIGKILL);
    server_->process().wait(seconds(10));
    stop_sending = true;
    sender.join();
    client_.reset();
    acknowledged.insert(acked_this_cycle.begin(), acked_this_cycle.end());
    batches_acknowledged += acked_this_cycle.size() / kBatch;
  }
  ASSERT_GT(batches_acknowledged, static_cast<std::uint64_t>(kCycles));
  const auto ids = logged_ids(data_dir());
  std::map<std::string, int> seen;
  for (const auto& id : ids) ++seen[id];
  for (const auto& id : acknowledged) {
    ASSERT_EQ(seen[id], 1) << id << " acknowledged but stored " << seen[id] << " times";
  }
  for (const auto& [id, times] : seen) ASSERT_EQ(times, 1) << id << " stored twice";

  // Every id comes back in one answer: a fast machine sends more than the default limit of
  // 1,000,000 rows in the 20 cycles.
  start({"--bronze-commit-interval-seconds", "0.05", "--max-result-rows", "100000000"});
  for (int wait = 0; wait < 600 && metric(server_->port(), "shoplake_bronze_landed_offset") <
                                       metric(server_->port(), "shoplake_log_durable_end_offset");
       ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto landed = bronze_ids(server_->port());
  EXPECT_EQ(landed.size(), seen.size());
  for (const auto& [id, times] : landed) {
    ASSERT_EQ(times, 1) << id << " landed in bronze " << times << " times";
    ASSERT_EQ(seen.count(id), 1u) << id << " is in bronze but not in the log";
  }
  stop();
}

// bronze.events through SQL now and as it was (Spark's time travel), then `shoplake lake` on the
// files once the server has stopped.
TEST_F(Collector, BronzeAnswersSqlTimeTravelAndLakeCommands) {
  start({"--bronze-commit-interval-seconds", "0.05"});
  const auto count_at = [&](const std::string& clause) {
    httplib::Client client("127.0.0.1", server_->port());
    const auto response = client.Post(
        "/v1/query", R"({"sql": "SELECT count(*) FROM bronze.events )" + clause + R"("})",
        "application/json");
    if (!response || response->status != 200) {
      ADD_FAILURE() << (response ? response->body : "no answer");
      return std::int64_t{-1};
    }
    // 64-bit integers come quoted, as in ClickHouse's JSON formats.
    const auto cell = nlohmann::json::parse(response->body)["data"][0][0];
    return cell.is_string() ? std::int64_t{std::stoll(cell.get<std::string>())}
                            : cell.get<std::int64_t>();
  };
  const auto wait_for_rows = [&](std::int64_t rows) {
    for (int i = 0; i < 200 && count_at("") < rows; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return count_at("");
  };
  ASSERT_EQ(post(body_of({"t1", "t2", "t3"}))->status, 200);
  ASSERT_EQ(wait_for_rows(3), 3);
  ASSERT_EQ(post(body_of({"t4", "t5"}))->status, 200);
  ASSERT_EQ(wait_for_rows(5), 5);
  EXPECT_EQ(count_at("VERSION AS OF 0"), 0);
  EXPECT_EQ(count_at("VERSION AS OF 1"), 3);
  EXPECT_EQ(count_at("TIMESTAMP AS OF '2999-01-01 00:00:00'"), 5);
  httplib::Client client("127.0.0.1", server_->port());
  const auto missing =
      client.Post("/v1/query", R"({"sql": "SELECT count(*) FROM bronze.events VERSION AS OF 999"})",
                  "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400) << missing->body;
  EXPECT_NE(missing->body.find("999"), std::string::npos) << missing->body;
  stop();

  const auto ls = run_shoplake({"--data-dir", data_dir(), "lake", "ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("bronze.events"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("bronze.rejected"), std::string::npos) << ls.out;
  const auto history = run_shoplake({"--data-dir", data_dir(), "lake", "history", "bronze.events"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("CREATE TABLE"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("WRITE"), std::string::npos) << history.out;
  const auto described = run_shoplake(
      {"--data-dir", data_dir(), "lake", "describe", "bronze.events", "--version", "1"});
  EXPECT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("rows        3"), std::string::npos) << described.out;
  const auto checkpoint =
      run_shoplake({"--data-dir", data_dir(), "lake", "checkpoint", "bronze.events"});
  EXPECT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  const auto optimized =
      run_shoplake({"--data-dir", data_dir(), "lake", "optimize", "bronze.events"});
  EXPECT_EQ(optimized.exit_code, 0) << optimized.err;
  EXPECT_NE(optimized.out.find("compacted 2 files into 1"), std::string::npos) << optimized.out;
  const auto dry = run_shoplake({"--data-dir", data_dir(), "lake", "vacuum", "bronze.events",
                                 "--retention-hours", "0", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would delete 2 files"), std::string::npos) << dry.out;
  const auto after = run_shoplake({"--data-dir", data_dir(), "lake", "describe", "bronze.events"});
  EXPECT_NE(after.out.find("rows        5"), std::string::npos) << after.out;
  const auto unknown = run_shoplake({"--data-dir", data_dir(), "lake", "describe", "gold.nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("gold.nope does not exist"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace shoplake::testing
