// Posting JSON to one webhook the way every HTTP sink must: at most one request per
// min_interval (steady clock), a 429 retried after its Retry-After, a 5xx or a lost connection
// retried with exponential backoff, any other 4xx given up on at once (the message is at fault).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "shoplake/alert/sinks.hpp"
#include "shoplake/core/result.hpp"
#include "sink.hpp"

namespace httplib {
class Client;
}

namespace shoplake::alert {

class HttpDelivery {
 public:
  static core::Result<std::unique_ptr<HttpDelivery>> create(const SinkConfig& config);
  ~HttpDelivery();

  // Waits for its turn, posts, retries; a stop request interrupts waits and the request.
  core::Status post(const std::string& json, std::stop_token stop, SinkTally& tally);

 private:
  HttpDelivery(const SinkConfig& config, std::string target,
               std::unique_ptr<httplib::Client> client);
  // The answer's body, fit for a log line: short, one line, with no secret of ours echoed in it.
  std::string describe_body(const std::string& body) const;

  std::string target_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::string> secrets_;
  std::chrono::milliseconds min_interval_;
  int max_attempts_;
  std::chrono::milliseconds first_backoff_;
  std::chrono::milliseconds max_backoff_;
  std::unique_ptr<httplib::Client> client_;
  std::optional<std::chrono::steady_clock::time_point> next_request_at_;
};

}  // namespace shoplake::alert
