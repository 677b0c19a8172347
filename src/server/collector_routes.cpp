#include "shoplake/server/collector_routes.hpp"

#include "buffered_http_server.hpp"
#include "credentials.hpp"

#include <httplib.h>

#include <charconv>
#include <optional>

#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/ingest/decompress.hpp"

namespace shoplake::server {

namespace {

void send_json_error(httplib::Response& response, int status, const std::string& message) {
  std::string body = "{\"error\":";
  core::append_json_string(message, body);
  body += "}\n";
  response.status = status;
  response.set_content(body, "application/json");
}

std::string result_json(const ingest::IngestResult& result) {
  std::string body = "{\"accepted\":" + std::to_string(result.accepted) +
                     ",\"rejected\":" + std::to_string(result.rejected) + ",\"errors\":[";
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    const auto& error = result.errors[i];
    if (i > 0) body += ',';
    body += "{\"line\":" + std::to_string(error.line) + ",\"field\":";
    core::append_json_string(error.field, body);
    body += ",\"error\":";
    core::append_json_string(error.error, body);
    body += '}';
  }
  body += "]}\n";
  return body;
}

std::string presented_key(const httplib::Request& request) {
  const std::string authorization = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.rfind(kBearer, 0) == 0) return authorization.substr(kBearer.size());
  return request.get_header_value("X-Write-Key");
}

// The body's length when it is sent whole (Content-Length, no Transfer-Encoding).
std::optional<std::size_t> plain_content_length(const httplib::Request& request) {
  if (request.has_header("Transfer-Encoding") || !request.has_header("Content-Length")) {
    return std::nullopt;
  }
  const std::string text = request.get_header_value("Content-Length");
  std::size_t length = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return length;
}

}  // namespace

CollectorRoutes::CollectorRoutes(log::EventLog& log, CollectorOptions options)
    : log_(log), options_(std::move(options)) {}

CollectorRoutes::~CollectorRoutes() = default;

std::unique_ptr<ingest::Ingestor> CollectorRoutes::borrow() {
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      auto ingestor = std::move(idle_.back());
      idle_.pop_back();
      return ingestor;
    }
  }
  return std::make_unique<ingest::Ingestor>(log_, options_.ingest);
}

void CollectorRoutes::give_back(std::unique_ptr<ingest::Ingestor> ingestor) {
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(ingestor));
}

void CollectorRoutes::install(httplib::Server& http) {
  http.set_payload_max_length(options_.max_body_bytes);
  http.Post("/v1/events", [this](const httplib::Request& request, httplib::Response& response,
                                 const httplib::ContentReader& read_content) {
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    if (!options_.write_keys.empty()) {
      const std::string key = presented_key(request);
      bool known = false;
      for (const auto& write_key : options_.write_keys)
        known |= constant_time_equal(key, write_key);
      if (!known) {
        close_after_response(response);  // the body stays unread
        send_json_error(response, 401,
                        key.empty() ? "a write key is required: send Authorization: Bearer <key>"
                                    : "the write key is not valid");
        return;
      }
    }
    thread_local std::string received;
    received.clear();
    std::string encoding = request.get_header_value("Content-Encoding");
    const bool inflated_by_httplib =
        encoding == "gzip" || encoding == "deflate" || encoding == "br";
    const std::optional<std::size_t> length = plain_content_length(request);
    ConnectionStream* connection = ConnectionStream::of_this_thread();
    if (connection != nullptr && length && *length <= options_.max_body_bytes &&
        !inflated_by_httplib) {
      // The common case: the body goes from the socket straight into the buffer it is parsed in.
      if (!connection->read_into(received, *length)) {
        close_after_response(response);  // what the client sends later is not a request
        return send_json_error(response, 400,
                               "the body ended after " + std::to_string(received.size()) +
                                   " of its " + std::to_string(*length) +
                                   " bytes (Content-Length): the connection closed or stalled");
      }
    } else {
      // httplib inflates gzip, deflate and br itself, without a ceiling: read through the limit
      // here so that a small compressed body cannot grow without bound in memory.
      bool over_limit = false;
      read_content([&](const char* data, std::size_t size) {
        over_limit = received.size() + size > options_.max_body_bytes;
        if (!over_limit) received.append(data, size);
        return !over_limit;
      });
      if (over_limit) {
        return send_json_error(
            response, 413,
            "the body is larger than " + std::to_string(options_.max_body_bytes) +
                " bytes (once inflated), the collector's limit: send smaller batches");
      }
    }
    if (inflated_by_httplib) encoding.clear();
    // An uncompressed body (the common case) is parsed where it was received: no second copy.
    thread_local std::string inflated;
    std::string* body = &received;
    if (!encoding.empty() && encoding != "identity") {
      const auto decompressed =
          ingest::decompress(encoding, received, options_.max_body_bytes, inflated);
      switch (decompressed.error) {
        case ingest::DecompressError::none:
          break;
        case ingest::DecompressError::unsupported:
          return send_json_error(response, 415, decompressed.message);
        case ingest::DecompressError::too_large:
          return send_json_error(response, 413, decompressed.message);
        case ingest::DecompressError::corrupt:
          return send_json_error(response, 400, decompressed.message);
      }
      body = &inflated;
    }

    auto ingestor = borrow();
    const ingest::IngestResult result = ingestor->ingest(core::PaddedText(*body));
    give_back(std::move(ingestor));
    switch (result.status) {
      case ingest::IngestStatus::stored:
        counters_.accepted.fetch_add(result.accepted, std::memory_order_relaxed);
        counters_.rejected.fetch_add(result.rejected, std::memory_order_relaxed);
        response.set_content(result_json(result), "application/json");
        return;
      case ingest::IngestStatus::not_json:
        return send_json_error(response, 400, result.message);
      case ingest::IngestStatus::too_many:
        return send_json_error(response, 413, result.message);
      case ingest::IngestStatus::overloaded:
        counters_.throttled.fetch_add(1, std::memory_order_relaxed);
        response.set_header("Retry-After", "1");
        return send_json_error(response, 429, result.message);
      case ingest::IngestStatus::failed:
        return send_json_error(response, 503, result.message);
    }
  });
}

}  // namespace shoplake::server
