#include "shoplake/ingest/http_sender.hpp"

#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <thread>

namespace shoplake::ingest {

namespace {

struct ParsedUrl {
  std::string scheme_host_port;
  std::string path;
};

core::Result<ParsedUrl> parse_url(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return core::Error{"'" + url + "' is not an http:// or https:// URL"};
  }
  const std::size_t path_start = url.find('/', scheme_end + 3);
  ParsedUrl parsed;
  parsed.scheme_host_port = url.substr(0, path_start);
  parsed.path = path_start == std::string::npos ? "/v1/events" : url.substr(path_start);
  if (parsed.scheme_host_port.size() == scheme_end + 3) {
    return core::Error{"'" + url + "' names no host"};
  }
  return parsed;
}

bool worth_retrying(int status) {
  return status == 429 || status >= 500;
}

// The collector answers {"accepted":N,"rejected":M,…}; other servers may not.
void add_counts(const std::string& body, SenderTotals& totals) {
  simdjson::dom::parser parser;
  simdjson::dom::element answer;
  if (parser.parse(body).get(answer) != simdjson::SUCCESS) return;
  std::uint64_t count = 0;
  if (answer["accepted"].get(count) == simdjson::SUCCESS) totals.accepted += count;
  if (answer["rejected"].get(count) == simdjson::SUCCESS) totals.rejected += count;
}

std::chrono::milliseconds retry_after(const httplib::Result& response,
                                      std::chrono::milliseconds backoff) {
  if (response && response->has_header("Retry-After")) {
    const std::string value = response->get_header_value("Retry-After");
    // Nine digits at most: a longer value would not fit stoi (and no server means 30 years).
    if (!value.empty() && value.size() <= 9 && std::all_of(value.begin(), value.end(), ::isdigit)) {
      return std::chrono::seconds(std::stoi(value));
    }
  }
  return backoff;
}

}  // namespace

core::Result<std::unique_ptr<HttpEventSender>> HttpEventSender::create(
    const SenderOptions& options) {
  auto url = parse_url(options.url);
  if (!url) return core::Error{url.error()};
  auto client = std::make_unique<httplib::Client>(url.value().scheme_host_port);
  if (!client->is_valid()) return core::Error{"cannot use '" + options.url + "'"};
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(std::chrono::seconds(60));
  return std::unique_ptr<HttpEventSender>(
      new HttpEventSender(options, url.value().path, std::move(client)));
}

HttpEventSender::HttpEventSender(const SenderOptions& options, std::string path,
                                 std::unique_ptr<httplib::Client> client)
    : options_(options), path_(std::move(path)), client_(std::move(client)) {}

HttpEventSender::~HttpEventSender() = default;

core::Status HttpEventSender::send(std::string_view ndjson) {
  httplib::Headers headers;
  if (!options_.write_key.empty()) {
    headers.emplace("Authorization", "Bearer " + options_.write_key);
  }
  auto backoff = options_.first_backoff;
  std::string last_problem;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    const httplib::Result response =
        client_->Post(path_, headers, ndjson.data(), ndjson.size(), "application/x-ndjson");
    if (response && response->status == 200) {
      ++totals_.batches;
      add_counts(response->body, totals_);
      return core::ok_status();
    }
    if (response && !worth_retrying(response->status)) {
      return core::Error{options_.url + " answered " + std::to_string(response->status) + ": " +
                         response->body};
    }
    last_problem = response ? "answered " + std::to_string(response->status)
                            : "did not answer (" + httplib::to_string(response.error()) + ")";
    ++totals_.retries;
    std::this_thread::sleep_for(retry_after(response, backoff));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  return core::Error{options_.url + " " + last_problem + " after " +
                     std::to_string(options_.max_attempts) + " attempts"};
}

}  // namespace shoplake::ingest
