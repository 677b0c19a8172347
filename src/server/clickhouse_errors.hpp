// ClickHouse's error answers: its numeric code and name, the HTTP status its HTTP interface sends
// with them, and the body clients parse ("Code: N. DB::Exception: … (NAME) (version …)").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::server {

struct ClickHouseError {
  int code = 1001;
  std::string_view name = "STD_EXCEPTION";
  int http_status = 500;
  std::string message;

  std::string body() const;
};

ClickHouseError from_query_error(const sql::QueryError& error);
ClickHouseError from_translation_error(const sql::TranslationError& error, std::string_view text);
ClickHouseError authentication_failed();
ClickHouseError empty_query();
ClickHouseError unknown_format(const std::string& name);
ClickHouseError bad_setting(const std::string& name, const std::string& value);
// READONLY (164) when the statement starts with a keyword that writes (CREATE, INSERT, DROP, …),
// checked on the query as sent: ClickHouse-only syntax in it (ENGINE = …) or the translator's
// rewrites would otherwise make it a syntax error before the engine could refuse it.
std::optional<ClickHouseError> refuse_writing_statement(std::string_view text);

}  // namespace shoplake::server
