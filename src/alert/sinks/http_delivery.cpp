#include "http_delivery.hpp"

#include <httplib.h>
#include <pthread.h>

#include <csignal>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <string_view>

#include "webhook_url.hpp"

namespace shoplake::alert {

namespace {

using Clock = std::chrono::steady_clock;

// A Retry-After beyond this is a misconfigured server, not a plan: the alert would be stale.
constexpr std::chrono::seconds kLongestRetryAfter{600};
constexpr std::size_t kLongestBodyInMessage = 200;

// Sleeps until `when`; false when a stop request came first.
bool wait_until(Clock::time_point when, const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  woken.wait_until(lock, stop, when, [] { return false; });
  return !stop.stop_requested();
}

// OpenSSL writes with write(2), which raises SIGPIPE when the server has closed the connection,
// and SIGPIPE ends the process. While one of these lives, SIGPIPE is blocked on this thread; one
// raised meanwhile is taken back instead of delivered, and the write fails with EPIPE instead.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec no_wait{0, 0};
      sigtimedwait(&sigpipe_, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t sigpipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

bool worth_retrying(int status) {
  return status == 429 || status >= 500;
}

// Only the delta-seconds form: an HTTP-date Retry-After falls back to the backoff.
std::optional<std::chrono::milliseconds> retry_after(const httplib::Response& response) {
  if (!response.has_header("Retry-After")) return std::nullopt;
  const std::string value = response.get_header_value("Retry-After");
  if (value.empty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return std::nullopt;
  }
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(value)),
                                             kLongestRetryAfter);
}

std::string describe_failure(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect";
    case httplib::Error::ConnectionTimeout:
      return "timed out connecting";
    case httplib::Error::Read:
      return "sent no answer (read failed or timed out)";
    case httplib::Error::Write:
      return "could not be written to";
    case httplib::Error::SSLConnection:
      return "failed the TLS handshake";
    case httplib::Error::SSLLoadingCerts:
      return "could not be checked: the system's CA certificates did not load";
    case httplib::Error::SSLServerVerification:
      return "presented a TLS certificate that does not verify";
    case httplib::Error::Canceled:
      return "request canceled";
    default:
      return "request failed (" + httplib::to_string(error) + ")";
  }
}

}  // namespace

core::Result<std::unique_ptr<HttpDelivery>> HttpDelivery::create(const SinkConfig& config) {
  auto url = split_webhook_url(config.url);
  if (!url) return core::Error{"the URL in " + config.url_env + " " + url.error()};
  auto client = std::make_unique<httplib::Client>(url.value().origin);
  if (!client->is_valid()) {
    return core::Error{"cannot make an HTTP client for the URL in " + config.url_env};
  }
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(config.timeout);
  client->set_read_timeout(config.timeout);
  client->set_write_timeout(config.timeout);
  return std::unique_ptr<HttpDelivery>(
      new HttpDelivery(config, std::move(url.value().target), std::move(client)));
}

HttpDelivery::HttpDelivery(const SinkConfig& config, std::string target,
                           std::unique_ptr<httplib::Client> client)
    : target_(std::move(target)),
      headers_(config.headers),
      min_interval_(config.min_interval),
      max_attempts_(std::max(config.max_attempts, 1)),
      first_backoff_(config.first_backoff),
      max_backoff_(std::max(config.max_backoff, config.first_backoff)),
      client_(std::move(client)) {
  if (!config.url.empty()) secrets_.push_back(config.url);
  if (target_.size() > 1) secrets_.push_back(target_);
  for (const auto& header : headers_) {
    if (header.second.size() >= 4) secrets_.push_back(header.second);
  }
  // Longest first, so that a secret containing another is redacted whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

HttpDelivery::~HttpDelivery() {
  const SigpipeGuard guard;  // closing a TLS connection writes to it
  client_.reset();
}

core::Status HttpDelivery::post(const std::string& json, std::stop_token stop, SinkTally& tally) {
  // httplib::Client::stop() is its thread-safe way to break a blocked read or write.
  std::stop_callback interrupt(stop, [this] {
    const SigpipeGuard guard;
    client_->stop();
  });
  httplib::Headers headers(headers_.begin(), headers_.end());
  auto backoff = first_backoff_;
  std::string last_problem;
  for (int attempt = 1; attempt <= max_attempts_; ++attempt) {
    if (stop.stop_requested() || (next_request_at_ && !wait_until(*next_request_at_, stop))) {
      return core::Error{"shutting down: gave up before attempt " + std::to_string(attempt)};
    }
    next_request_at_ = Clock::now() + min_interval_;
    const httplib::Result response = [&] {
      const SigpipeGuard guard;
      return client_->Post(target_, headers, json.data(), json.size(), "application/json");
    }();
    if (response && response->status >= 200 && response->status < 300) {
      return core::ok_status();
    }
    if (stop.stop_requested()) {
      return core::Error{"shutting down: interrupted attempt " + std::to_string(attempt)};
    }
    if (response && response->status < 400) {
      return core::Error{"answered " + std::to_string(response->status) +
                         " (redirects are not followed: check the URL)"};
    }
    if (response && !worth_retrying(response->status)) {
      return core::Error{"answered " + std::to_string(response->status) +
                         describe_body(response->body) + " (not retried: the request is at fault)"};
    }
    last_problem =
        response ? "answered " + std::to_string(response->status) + describe_body(response->body)
                 : describe_failure(response.error());
    if (attempt == max_attempts_) break;
    std::chrono::milliseconds wait = backoff;
    if (response && response->status == 429) wait = retry_after(*response).value_or(backoff);
    backoff = std::min(backoff * 2, max_backoff_);
    next_request_at_ = std::max(*next_request_at_, Clock::now() + wait);
    ++tally.retried;
  }
  return core::Error{last_problem + " (gave up after " + std::to_string(max_attempts_) +
                     (max_attempts_ == 1 ? " attempt)" : " attempts)")};
}

std::string HttpDelivery::describe_body(const std::string& body) const {
  std::string text = body;
  constexpr std::string_view kRedacted = "<redacted>";
  for (const std::string& secret : secrets_) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + kRedacted.size())) {
      text.replace(at, secret.size(), kRedacted);
    }
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = ' ';
  }
  text.erase(0, text.find_first_not_of(' '));
  text.erase(text.find_last_not_of(' ') + 1);
  if (text.empty()) return "";
  if (text.size() > kLongestBodyInMessage) {
    std::size_t cut = kLongestBodyInMessage;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "…";
  }
  return ": " + text;
}

}  // namespace shoplake::alert
