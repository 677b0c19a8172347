#include "shoplake/server/clickhouse_routes.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "buffered_http_server.hpp"
#include "clickhouse_errors.hpp"
#include "credentials.hpp"
#include "shoplake/core/uuid.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/engine.hpp"
#include "shoplake/sql/output_format.hpp"

namespace shoplake::server {
namespace {

// URL parameters that are not settings (ClickHouse treats every other one as a setting).
bool is_request_parameter(const std::string& name) {
  static constexpr std::string_view kNames[] = {
      "query",      "database",    "default_format",    "query_id",      "user",
      "password",   "session_id",  "session_timeout",   "session_check", "compress",
      "decompress", "buffer_size", "wait_end_of_query", "quota_key"};
  for (std::string_view known : kNames) {
    if (name == known) return true;
  }
  return false;
}

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The settings a query can change, from the URL and then its SETTINGS clause (which wins).
struct QuerySettings {
  std::optional<std::uint64_t> max_result_rows;
  bool overflow_breaks = false;  // result_overflow_mode=break: cut the result instead of failing
  std::optional<std::chrono::milliseconds> timeout;
};

std::optional<ClickHouseError> apply_setting(const std::string& name, const std::string& value,
                                             QuerySettings& settings) {
  if (name == "max_result_rows") {
    const auto rows = parse_number(value);
    if (!rows || *rows < 0) return bad_setting(name, value);
    if (*rows > 0) settings.max_result_rows = static_cast<std::uint64_t>(*rows);
  } else if (name == "max_execution_time") {
    const auto seconds = parse_number(value);
    if (!seconds || *seconds < 0) return bad_setting(name, value);
    if (*seconds > 0) {
      settings.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
    }
  } else if (name == "result_overflow_mode") {
    if (value != "throw" && value != "break") return bad_setting(name, value);
    settings.overflow_breaks = value == "break";
  }
  // Any other setting (output_format_*, send_progress_in_http_headers, readonly, …) has no
  // counterpart here; clients send them by habit, so they are accepted and have no effect.
  return std::nullopt;
}

// Query text as ClickHouse assembles it: the `query` parameter, then the body on a new line.
std::string query_text(const httplib::Request& request) {
  std::string text = request.get_param_value("query");
  if (request.method == "POST" && !request.body.empty()) {
    if (!text.empty()) text += '\n';
    text += request.body;
  }
  return text;
}

// ClickHouse's query parameters: `{name:Type}` in the query, its value in the URL as param_name,
// written as in TabSeparated (\t, \n, \\, \' escapes; \N for NULL).
std::string unescape_parameter(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\' || i + 1 == value.size()) {
      out += value[i];
      continue;
    }
    switch (const char c = value[++i]) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case '0':
        out += '\0';
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A ClickHouse string literal holding exactly `value`: it cannot end the literal early.
std::string quote_literal(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// `{name:Type}` at text[start] ('{'): its name, type and the position after '}'.
struct Placeholder {
  std::string name;
  std::string type;
  std::size_t end = 0;
};

std::optional<Placeholder> placeholder_at(const std::string& text, std::size_t start) {
  const auto skip_blank = [&](std::size_t i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    return i;
  };
  std::size_t i = skip_blank(start + 1);
  if (i >= text.size() || !is_identifier_start(text[i])) return std::nullopt;
  const std::size_t name_start = i;
  while (i < text.size() && is_identifier_char(text[i])) ++i;
  Placeholder found{text.substr(name_start, i - name_start), {}, 0};
  i = skip_blank(i);
  if (i >= text.size() || text[i] != ':') return std::nullopt;
  const std::size_t close = text.find('}', i + 1);
  if (close == std::string::npos) return std::nullopt;
  std::string type = text.substr(i + 1, close - i - 1);
  type.erase(0, type.find_first_not_of(" \t\r\n"));
  type.erase(type.find_last_not_of(" \t\r\n") + 1);
  if (type.empty() || type.find_first_of("{;") != std::string::npos) return std::nullopt;
  found.type = std::move(type);
  found.end = close + 1;
  return found;
}

// The query with every placeholder outside strings, quoted names and comments replaced by
// CAST('value' AS Type), CAST(NULL AS Type) for \N, or a quoted name for Identifier.
std::variant<std::string, ClickHouseError> substitute_parameters(const std::string& text,
                                                                 const httplib::Request& request) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'' || c == '"' || c == '`') {  // a string or quoted name, copied whole
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != c) j += text[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, text.size());
      out.append(text, i, j - i);
      i = j;
    } else if (text.compare(i, 2, "--") == 0) {
      const std::size_t end = std::min(text.find('\n', i), text.size());
      out.append(text, i, end - i);
      i = end;
    } else if (text.compare(i, 2, "/*") == 0) {
      const std::size_t close = text.find("*/", i + 2);
      const std::size_t end = close == std::string::npos ? text.size() : close + 2;
      out.append(text, i, end - i);
      i = end;
    } else if (c == '{') {
      auto placeholder = placeholder_at(text, i);
      if (!placeholder) {
        out += c;
        ++i;
        continue;
      }
      const std::string parameter = "param_" + placeholder->name;
      if (!request.has_param(parameter)) {
        return ClickHouseError{456, "UNKNOWN_QUERY_PARAMETER", 400,
                               fmt::format("Substitution `{}` is not set: pass its value as the "
                                           "URL parameter {}",
                                           placeholder->name, parameter)};
      }
      const std::string value = request.get_param_value(parameter);
      if (placeholder->type == "Identifier") {
        const std::string name = unescape_parameter(value);
        if (name.empty() || name.find_first_of("`\\") != std::string::npos) {
          return ClickHouseError{
              36, "BAD_ARGUMENTS", 400,
              fmt::format("Query parameter `{}` is not a usable identifier", placeholder->name)};
        }
        out += '`' + name + '`';
      } else if (value == "\\N") {
        out += "CAST(NULL AS " + placeholder->type + ")";
      } else {
        out +=
            "CAST(" + quote_literal(unescape_parameter(value)) + " AS " + placeholder->type + ")";
      }
      i = placeholder->end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

void send_error(httplib::Response& response, const ClickHouseError& error,
                const std::string& query_id) {
  response.status = error.http_status;
  response.set_header("X-ClickHouse-Exception-Code", std::to_string(error.code));
  response.set_header("X-ClickHouse-Query-Id", query_id);
  response.set_content(error.body(), "text/plain; charset=UTF-8");
}

// An answer up to this size is made whole before the headers go out (see install()).
constexpr std::size_t kWholeAnswerBytes = 256 * 1024;

// One query's answer while it streams: the rows not sent yet, the writer, the limit.
struct StreamingAnswer {
  std::unique_ptr<sql::ResultStream> stream;
  std::unique_ptr<sql::OutputFormat> format;
  sql::ResultChunk chunk;
  std::string out;
  std::uint64_t rows_sent = 0;
  std::optional<std::uint64_t> break_after_rows;
  bool finished = false;
  QueryCounters* counters = nullptr;

  // Appends the next piece of the body to `out`; sets `finished` after the last.
  std::optional<sql::QueryError> produce() {
    if (break_after_rows && rows_sent >= *break_after_rows) {
      finish();
      return std::nullopt;
    }
    auto next = stream->next(chunk);
    if (auto* error = std::get_if<sql::QueryError>(&next)) {
      finished = true;
      return std::move(*error);
    }
    if (!std::get<bool>(next)) {
      finish();
      return std::nullopt;
    }
    if (break_after_rows && rows_sent + chunk.rows > *break_after_rows) {
      truncate(chunk, static_cast<std::size_t>(*break_after_rows - rows_sent));
    }
    rows_sent += chunk.rows;
    counters->rows_sent.fetch_add(chunk.rows, std::memory_order_relaxed);
    format->write(chunk, out);
    return std::nullopt;
  }

  void finish() {
    format->finish(stream->statistics(), out);
    finished = true;
  }

  static void truncate(sql::ResultChunk& chunk, std::size_t rows);
};

void truncate_column(sql::ColumnData& column, std::size_t rows) {
  column.null.resize(std::min(column.null.size(), rows));
  if (column.i64.size() > rows) column.i64.resize(rows);
  if (column.u64.size() > rows) column.u64.resize(rows);
  if (column.f64.size() > rows) column.f64.resize(rows);
  if (column.str.size() > rows) column.str.resize(rows);
  if (column.offsets.size() > rows + 1) column.offsets.resize(rows + 1);
}

void StreamingAnswer::truncate(sql::ResultChunk& chunk, std::size_t rows) {
  for (auto& column : chunk.columns) truncate_column(column, rows);
  chunk.rows = rows;
}

std::string summary_header(const sql::QueryStatistics& statistics, std::uint64_t result_rows) {
  return fmt::format(
      R"({{"read_rows":"{}","read_bytes":"{}","written_rows":"0","written_bytes":"0",)"
      R"("total_rows_to_read":"{}","result_rows":"{}","result_bytes":"0"}})",
      statistics.rows_read, statistics.bytes_read, statistics.rows_read, result_rows);
}

}  // namespace

ClickHouseRoutes::ClickHouseRoutes(sql::Engine& engine, ClickHouseHttpOptions options)
    : engine_(engine), options_(std::move(options)) {}

void ClickHouseRoutes::install(httplib::Server& http) {
  const auto ok = [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Ok.\n", "text/plain; charset=UTF-8");
  };
  http.Get("/ping", ok);

  const auto handle = [this](const httplib::Request& request, httplib::Response& response) {
    std::string query_id = request.get_param_value("query_id");
    if (query_id.empty()) query_id = core::new_uuid_v4();
    const std::string text = query_text(request);
    // GET / without a query is ClickHouse's health check.
    if (text.empty() && request.method == "GET") {
      response.set_content("Ok.\n", "text/plain; charset=UTF-8");
      return;
    }
    counters_.queries.fetch_add(1, std::memory_order_relaxed);
    const auto fail = [&](const ClickHouseError& error) {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      send_error(response, error, query_id);
    };

    if (!credentials_accepted(request, options_.user, options_.password)) {
      return fail(authentication_failed());
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return fail(empty_query());

    QuerySettings settings;
    for (const auto& [name, value] : request.params) {
      if (is_request_parameter(name) || name.rfind("param_", 0) == 0) continue;
      if (auto error = apply_setting(name, value, settings)) return fail(*error);
    }
    if (auto refused = refuse_writing_statement(text)) return fail(*refused);
    auto substituted = substitute_parameters(text, request);
    if (auto* error = std::get_if<ClickHouseError>(&substituted)) return fail(*error);
    const std::string& statement = std::get<std::string>(substituted);
    const sql::TranslationOptions translation;  // its clock: now, bound below as well
    const sql::TranslationResult translated =
        sql::translate_clickhouse_query(statement, translation);
    if (!translated) return fail(from_translation_error(translated.error(), statement));
    for (const auto& setting : translated.value().settings) {
      if (auto error = apply_setting(setting.name, setting.value, settings)) return fail(*error);
    }

    std::string format_name = translated.value().format;
    if (format_name.empty()) format_name = request.get_param_value("default_format");
    if (format_name.empty()) format_name = request.get_header_value("X-ClickHouse-Format");
    if (format_name.empty()) format_name = "TabSeparated";
    auto format = sql::make_output_format(format_name);
    if (!format) return fail(unknown_format(format_name));

    sql::QueryRequest query;
    query.sql = translated.value().sql;
    query.database = request.get_param_value("database");
    if (query.database.empty()) query.database = request.get_header_value("X-ClickHouse-Database");
    query.timeout = settings.timeout;
    query.clock = translation.clock;
    if (!settings.overflow_breaks) query.max_result_rows = settings.max_result_rows;

    auto started = engine_.query(query);
    if (auto* error = std::get_if<sql::QueryError>(&started)) return fail(from_query_error(*error));

    auto answer = std::make_shared<StreamingAnswer>();
    answer->stream = std::move(std::get<std::unique_ptr<sql::ResultStream>>(started));
    answer->format = std::move(format);
    answer->counters = &counters_;
    if (settings.overflow_breaks) answer->break_after_rows = settings.max_result_rows;
    answer->format->begin(answer->stream->columns(), answer->out);
    // Up to kWholeAnswerBytes of the answer is made before the headers go out: a query failing
    // early (most failures are) gets a proper status and exception code rather than an error
    // inside a 200, and a dashboard's answer, nearly always smaller, goes out whole with a
    // Content-Length in one write instead of as chunks.
    do {
      if (auto error = answer->produce()) return fail(from_query_error(*error));
    } while (!answer->finished && answer->out.size() < kWholeAnswerBytes);

    response.set_header("X-ClickHouse-Query-Id", query_id);
    response.set_header("X-ClickHouse-Format", format_name);
    response.set_header("X-ClickHouse-Timezone", "UTC");
    response.set_header("X-ClickHouse-Summary",
                        summary_header(answer->stream->statistics(), answer->rows_sent));
    const std::string content_type(answer->format->content_type());
    if (answer->finished) {
      // Moved rather than copied by set_content(): the response is fresh, with no content yet.
      response.body = std::move(answer->out);
      response.set_header("Content-Type", content_type);
      release_after_response(std::move(answer));
      return;
    }
    response.set_chunked_content_provider(
        content_type, [answer](std::size_t, httplib::DataSink& sink) {
          if (answer->out.empty() && !answer->finished) {
            if (auto error = answer->produce()) {
              // The headers are gone: like ClickHouse, say it at the end of what was sent.
              answer->counters->failed.fetch_add(1, std::memory_order_relaxed);
              answer->out += from_query_error(*error).body();
            }
          }
          if (!answer->out.empty() && !sink.write(answer->out.data(), answer->out.size())) {
            return false;
          }
          answer->out.clear();
          if (answer->finished) sink.done();
          return true;
        });
  };
  http.Get("/", handle);
  http.Post("/", handle);
}

}  // namespace shoplake::server
