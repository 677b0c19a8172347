#include "shoplake/server/query_routes.hpp"

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "buffered_http_server.hpp"
#include "clickhouse_errors.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/engine.hpp"
#include "shoplake/sql/output_format.hpp"

namespace shoplake::server {
namespace {

using nlohmann::json;

void send_error(httplib::Response& response, int status, const std::string& message, int code,
                std::string_view kind) {
  response.status = status;
  response.set_content(json{{"error", message}, {"code", code}, {"kind", kind}}.dump(),
                       "application/json");
}

void send_error(httplib::Response& response, const ClickHouseError& error) {
  send_error(response, error.http_status, error.message, error.code, error.name);
}

std::optional<sql::QueryParameter> to_parameter(const json& value) {
  if (value.is_null()) return sql::QueryParameter{nullptr};
  if (value.is_boolean()) return sql::QueryParameter{value.get<bool>()};
  if (value.is_number_integer()) return sql::QueryParameter{value.get<std::int64_t>()};
  if (value.is_number()) return sql::QueryParameter{value.get<double>()};
  if (value.is_string()) return sql::QueryParameter{value.get<std::string>()};
  return std::nullopt;
}

// Fills the request from the JSON body; the message says what is wrong with it.
std::optional<std::string> read_request(const json& body, sql::QueryRequest& request,
                                        bool& clickhouse_dialect) {
  if (!body.is_object()) return "the body must be a JSON object like {\"sql\": \"SELECT 1\"}";
  const auto sql = body.find("sql");
  if (sql == body.end() || !sql->is_string() || sql->get<std::string>().empty()) {
    return "\"sql\" must be a non-empty string";
  }
  request.sql = sql->get<std::string>();
  if (const auto dialect = body.find("dialect"); dialect != body.end()) {
    if (*dialect != "clickhouse" && *dialect != "duckdb") {
      return "\"dialect\" must be \"clickhouse\" (the default) or \"duckdb\"";
    }
    clickhouse_dialect = *dialect == "clickhouse";
  }
  if (const auto database = body.find("database"); database != body.end()) {
    if (!database->is_string()) return "\"database\" must be a string";
    request.database = database->get<std::string>();
  }
  if (const auto max_rows = body.find("max_rows"); max_rows != body.end()) {
    if (!max_rows->is_number_unsigned()) return "\"max_rows\" must be a positive integer";
    request.max_result_rows = max_rows->get<std::uint64_t>();
  }
  if (const auto params = body.find("params"); params != body.end()) {
    if (params->is_array()) {
      for (std::size_t i = 0; i < params->size(); ++i) {
        auto parameter = to_parameter((*params)[i]);
        if (!parameter) return "params[" + std::to_string(i) + "] must be a scalar";
        request.parameters.push_back(std::move(*parameter));
      }
    } else if (params->is_object()) {
      for (const auto& [name, value] : params->items()) {
        auto parameter = to_parameter(value);
        if (!parameter) return "params." + name + " must be a scalar";
        request.named_parameters.emplace_back(name, std::move(*parameter));
      }
    } else {
      return "\"params\" must be an array (for $1, $2, …) or an object (for $name)";
    }
  }
  return std::nullopt;
}

}  // namespace

void QueryRoutes::install(httplib::Server& http) {
  http.Post("/v1/query", [this](const httplib::Request& http_request, httplib::Response& response) {
    const json body = json::parse(http_request.body, nullptr, false);
    if (body.is_discarded()) {
      return send_error(response, 400, "the body is not JSON", 27, "bad_request");
    }
    sql::QueryRequest request;
    bool clickhouse_dialect = true;
    if (auto problem = read_request(body, request, clickhouse_dialect)) {
      return send_error(response, 400, *problem, 27, "bad_request");
    }
    if (clickhouse_dialect) {
      if (auto refused = refuse_writing_statement(request.sql)) {
        return send_error(response, *refused);
      }
      sql::TranslationOptions options;
      options.clock_as_parameter = request.parameters.empty();
      request.clock = options.clock;
      const sql::TranslationResult translated =
          sql::translate_clickhouse_query(request.sql, options);
      if (!translated)
        return send_error(response, from_translation_error(translated.error(), request.sql));
      request.sql = translated.value().sql;
    }
    auto started = engine_.query(request);
    if (auto* error = std::get_if<sql::QueryError>(&started)) {
      return send_error(response, from_query_error(*error));
    }
    auto& stream = *std::get<std::unique_ptr<sql::ResultStream>>(started);
    // The answer is held whole: the row limit bounds it, and an error half-way must still be
    // a JSON error, not a cut document.
    const auto format = sql::make_output_format("JSONCompact");
    std::string out;
    format->begin(stream.columns(), out);
    sql::ResultChunk chunk;
    for (;;) {
      auto next = stream.next(chunk);
      if (auto* error = std::get_if<sql::QueryError>(&next)) {
        return send_error(response, from_query_error(*error));
      }
      if (!std::get<bool>(next)) break;
      format->write(chunk, out);
    }
    format->finish(stream.statistics(), out);
    response.set_content(std::move(out), "application/json");
    release_after_response(std::shared_ptr<sql::ResultStream>(
        std::move(std::get<std::unique_ptr<sql::ResultStream>>(started))));
  });
}

}  // namespace shoplake::server
