#include "clickhouse_http.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

namespace shoplake::sql::exporter {
namespace {

// ClickHouse's messages run to a stack trace on later versions; the first line says what failed.
std::string first_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text.substr(0, text.find('\n')));
}

std::string quoted(const std::string& text, char mark) {
  std::string out(1, mark);
  for (char c : text) {
    if (c == mark || c == '\\') out += '\\';
    out += c;
  }
  return out + mark;
}

}  // namespace

// Parsed here rather than by httplib, whose constructor throws on an unknown scheme and takes a
// URL with a path for a host name; a user gets a sentence instead.
core::Result<ClickHouseHttp> ClickHouseHttp::connect(const std::string& url,
                                                     const std::string& user,
                                                     const std::string& password,
                                                     std::chrono::milliseconds timeout) {
  std::string_view rest = url;
  const auto scheme_end = rest.find("://");
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view() : rest.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return core::Error{
        fmt::format("ClickHouse URL {}: expected http://host:port or https://…", url)};
  }
  rest.remove_prefix(scheme_end + 3);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  int port = scheme == "https" ? 8443 : 8123;
  std::string_view host = rest;
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos && !rest.ends_with(']')) {
    host = rest.substr(0, colon);
    const std::string_view digits = rest.substr(colon + 1);
    const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (parsed.ec != std::errc{} || parsed.ptr != digits.data() + digits.size() || port <= 0 ||
        port > 65535) {
      return core::Error{fmt::format("ClickHouse URL {}: bad port '{}'", url, digits)};
    }
  }
  if (host.empty() || host.find_first_of("/?#@") != std::string_view::npos) {
    return core::Error{
        fmt::format("ClickHouse URL {}: expected http(s)://host:port with no path or user", url)};
  }
  auto client = std::make_unique<httplib::Client>(fmt::format("{}://{}:{}", scheme, host, port));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client->set_connection_timeout(seconds.count(), micros.count());
  client->set_read_timeout(seconds.count(), micros.count());
  client->set_write_timeout(seconds.count(), micros.count());
  client->set_keep_alive(true);
  // Basic auth, not X-ClickHouse-User/Key: 18.16 predates those headers, and unlike ?password=
  // it keeps the secret out of URLs that proxies and logs record.
  if (!user.empty()) client->set_basic_auth(user, password);
  return ClickHouseHttp(url, std::move(client));
}

core::Result<std::string> ClickHouseHttp::execute(const std::string& body) {
  auto response = client_->Post("/", body, "text/plain; charset=UTF-8");
  if (!response) {
    return core::Error{fmt::format("cannot reach ClickHouse at {}: {}", url_,
                                   httplib::to_string(response.error()))};
  }
  if (response->status != 200) {
    return core::Error{fmt::format("ClickHouse at {} answered {}: {}", url_, response->status,
                                   first_line(response->body))};
  }
  return std::move(response->body);
}

std::string quote_clickhouse_identifier(const std::string& name) {
  return quoted(name, '`');
}

std::string quote_clickhouse_string(const std::string& text) {
  return quoted(text, '\'');
}

}  // namespace shoplake::sql::exporter
