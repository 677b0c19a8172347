// POST /v1/events: the HTTP face of the collector. Parses the transport (auth, encoding, limits)
// and hands the body to an ingest::Ingestor; answers only once what was accepted is durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shoplake/ingest/ingestor.hpp"

namespace httplib {
class Server;
}

namespace shoplake::server {

struct CollectorOptions {
  ingest::IngestOptions ingest;
  std::size_t max_body_bytes = 32u << 20;  // as sent and once inflated
  std::vector<std::string> write_keys;     // empty: no key needed
};

struct CollectorCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> throttled{0};  // 429s
};

class CollectorRoutes {
 public:
  CollectorRoutes(log::EventLog& log, CollectorOptions options);
  ~CollectorRoutes();
  void install(httplib::Server& http);
  const CollectorCounters& counters() const { return counters_; }

 private:
  std::unique_ptr<ingest::Ingestor> borrow();
  void give_back(std::unique_ptr<ingest::Ingestor> ingestor);

  log::EventLog& log_;
  CollectorOptions options_;
  CollectorCounters counters_;
  std::mutex idle_mutex_;
  std::vector<std::unique_ptr<ingest::Ingestor>> idle_;  // reused: their buffers stay warm
};

}  // namespace shoplake::server
