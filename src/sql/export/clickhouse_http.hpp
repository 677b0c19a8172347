// A client for ClickHouse's HTTP interface: one statement a POST (an INSERT's rows follow its
// FORMAT clause in the same body), errors that name the server and quote ClickHouse's message.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "shoplake/core/result.hpp"

namespace shoplake::sql::exporter {

class ClickHouseHttp {
 public:
  // `url`: http(s)://host[:port][/]; the port defaults to ClickHouse's (8123, https 8443).
  static core::Result<ClickHouseHttp> connect(const std::string& url, const std::string& user,
                                              const std::string& password,
                                              std::chrono::milliseconds timeout);

  // The response body, or why the statement failed.
  core::Result<std::string> execute(const std::string& body);
  const std::string& url() const { return url_; }

 private:
  ClickHouseHttp(std::string url, std::unique_ptr<httplib::Client> client)
      : url_(std::move(url)), client_(std::move(client)) {}

  std::string url_;
  std::unique_ptr<httplib::Client> client_;
};

// `name` as a ClickHouse identifier: `name`, with ` and \ escaped.
std::string quote_clickhouse_identifier(const std::string& name);
// `text` as a ClickHouse string literal.
std::string quote_clickhouse_string(const std::string& text);

}  // namespace shoplake::sql::exporter
