// A client of the collector: sends NDJSON batches to POST /v1/events over one keep-alive
// connection, retrying what the server asks to be retried (429, 5xx, a dropped connection).
// `shoplake simulate --to http://…` uses it; so can any C++ program that produces events.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace httplib {
class Client;
}

namespace shoplake::ingest {

struct SenderOptions {
  std::string url;        // http[s]://host[:port][/path]; path defaults to /v1/events
  std::string write_key;  // sent as Authorization: Bearer <key> when not empty
  int max_attempts = 10;  // per batch, then the send fails
  std::chrono::milliseconds first_backoff{100};  // doubled per retry, capped at 5 s
};

struct SenderTotals {
  std::uint64_t batches = 0;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t retries = 0;
};

class HttpEventSender {
 public:
  static core::Result<std::unique_ptr<HttpEventSender>> create(const SenderOptions& options);
  ~HttpEventSender();

  // Sends one batch of whole NDJSON lines and waits for the collector's answer. Errors say what
  // the server answered (4xx other than 429 are not retried: the batch itself is at fault).
  core::Status send(std::string_view ndjson);
  const SenderTotals& totals() const { return totals_; }

 private:
  HttpEventSender(const SenderOptions& options, std::string path,
                  std::unique_ptr<httplib::Client> client);
  SenderOptions options_;
  std::string path_;
  std::unique_ptr<httplib::Client> client_;
  SenderTotals totals_;
};

}  // namespace shoplake::ingest
