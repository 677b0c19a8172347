// A real HTTP server on 127.0.0.1 standing in for Slack or a webhook: records every request and
// answers from a script (429 with Retry-After, 5xx, 4xx, a hang), then 200 "ok".
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace shoplake::alert::testing {

// What the secret part of a webhook URL looks like; no log line or error may show it.
inline constexpr std::string_view kSecretPath = "/services/T0SECRET/B0SECRET/xoxSECRETtoken";

struct Answer {
  int status = 200;
  std::optional<std::string> retry_after;
  bool echo_request = false;          // the body quotes the path and Authorization, as some do
  std::chrono::milliseconds hang{0};  // before answering, unless released sooner
};

inline Answer status(int code) {
  Answer answer;
  answer.status = code;
  return answer;
}
inline Answer retry_after(std::string seconds) {
  Answer answer;
  answer.status = 429;
  answer.retry_after = std::move(seconds);
  return answer;
}
inline Answer echoing(int code) {
  Answer answer = status(code);
  answer.echo_request = true;
  return answer;
}
inline Answer hanging(std::chrono::milliseconds how_long) {
  Answer answer;
  answer.hang = how_long;
  return answer;
}

struct ReceivedRequest {
  std::string path;
  std::string body;
  httplib::Headers headers;
  std::chrono::steady_clock::time_point at;
};

class Receiver {
 public:
  Receiver();
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const;  // http://127.0.0.1:<port> + kSecretPath
  int port() const { return port_; }
  void script(std::vector<Answer> answers);
  // Ends every hang now and makes later requests answer without one.
  void release();
  std::vector<ReceivedRequest> requests() const;
  // True once `count` requests have arrived.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void handle(const httplib::Request& request, httplib::Response& response);

  httplib::Server server_;
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<Answer> script_;
  std::vector<ReceivedRequest> requests_;
  bool released_ = false;
  std::thread thread_;
};

}  // namespace shoplake::alert::testing
