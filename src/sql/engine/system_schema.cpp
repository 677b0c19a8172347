#include "system_schema.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "column_type.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

// ClickHouse clients parse version() as dot-separated numbers to pick features (clickhouse-go,
// JDBC, the Grafana plugin), so it starts with the ClickHouse release whose SQL the dialect layer
// aims at (24.3 LTS); the suffix says who really answers.
constexpr std::string_view kClickHouseVersion = "24.3.0.0-shoplake";

// A SQL expression turning a DuckDB schema name into its ClickHouse database name.
std::string database_of(std::string_view schema_column) {
  return fmt::format("CASE {0} WHEN 'main' THEN 'default' WHEN '{1}' THEN 'system' ELSE {0} END",
                     schema_column, kSystemSchema);
}

struct SystemView {
  std::string_view name;
  std::string_view engine;  // ClickHouse's engine name for it, shown in system.tables
  std::string sql;
};

std::array<SystemView, 4> system_views() {
  // The snapshot copies behind small lake tables are an implementation detail, not a database.
  std::string in_database =
      fmt::format("database_name = current_database() AND schema_name <> '{}'", kSnapshotSchema);
  return {{
      {"databases", "SystemDatabases",
       fmt::format("SELECT {} AS name FROM duckdb_schemas() WHERE {} ORDER BY name",
                   database_of("schema_name"), in_database)},
      {"tables", "SystemTables",
       fmt::format("SELECT {0} AS database, view_name AS name, coalesce(comment, 'View') AS engine "
                   "FROM duckdb_views() WHERE {1} AND NOT internal "
                   "UNION ALL "
                   "SELECT {0}, table_name, coalesce(comment, 'Memory') FROM duckdb_tables() "
                   "WHERE {1} ORDER BY database, name",
                   database_of("schema_name"), in_database)},
      {"columns", "SystemColumns",
       fmt::format("SELECT {} AS database, table_name AS \"table\", column_name AS name, "
                   "clickhouse_type(data_type) AS type, column_index::UBIGINT AS position "
                   "FROM duckdb_columns() WHERE {} AND NOT internal "
                   "ORDER BY database, \"table\", position",
                   database_of("schema_name"), in_database)},
      {"one", "SystemOne", "SELECT 0::UTINYINT AS dummy"},
  }};
}

void clickhouse_type_function(duckdb_function_info, duckdb_data_chunk input, duckdb_vector output) {
  duckdb_vector names = duckdb_data_chunk_get_vector(input, 0);
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(names));
  std::uint64_t* validity = duckdb_vector_get_validity(names);
  for (idx_t row = 0; row < duckdb_data_chunk_get_size(input); ++row) {
    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) {
      duckdb_vector_ensure_validity_writable(output);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(output), row);
      continue;
    }
    std::string_view name(duckdb_string_t_data(&strings[row]),
                          duckdb_string_t_length(strings[row]));
    auto type = column_type_from_duckdb_name(name);
    duckdb_vector_assign_string_element_len(output, row, type.clickhouse_name.data(),
                                            type.clickhouse_name.size());
  }
}

core::Status register_clickhouse_type(duckdb_connection connection) {
  duck::ScalarFunction function(duckdb_create_scalar_function());
  duckdb_scalar_function_set_name(function.get(), "clickhouse_type");
  duck::LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_scalar_function_add_parameter(function.get(), varchar.get());
  duckdb_scalar_function_set_return_type(function.get(), varchar.get());
  duckdb_scalar_function_set_function(function.get(), clickhouse_type_function);
  if (duckdb_register_scalar_function(connection, function.get()) != DuckDBSuccess) {
    return core::Error{"cannot register the clickhouse_type function"};
  }
  return core::ok_status();
}

}  // namespace

std::string schema_for_database(const std::string& database) {
  if (database.empty() || database == "default") return "main";
  if (database == "system") return kSystemSchema;
  return database;
}

core::Status install_system_schema(duckdb_connection connection) {
  if (auto registered = register_clickhouse_type(connection); !registered) return registered;
  // ClickHouse's toTypeName(), defined here beside the function it needs rather than with the
  // dialect's macros, which a DuckDB without the engine's functions also runs.
  if (auto error =
          duck::run(connection, "CREATE MACRO toTypeName(x) AS clickhouse_type(typeof(x))")) {
    return core::Error{"cannot create toTypeName: " + error->message};
  }
  std::string schema = duck::quote_identifier(kSystemSchema);
  if (auto error = duck::run(connection, "CREATE SCHEMA " + schema)) {
    return core::Error{"cannot create the system schema: " + error->message};
  }
  for (const auto& view : system_views()) {
    std::string qualified = schema + "." + std::string(view.name);
    if (auto error = duck::run(connection, "CREATE VIEW " + qualified + " AS " + view.sql)) {
      return core::Error{fmt::format("cannot create system.{}: {}", view.name, error->message)};
    }
    if (auto error = duck::run(connection,
                               fmt::format("COMMENT ON VIEW {} IS '{}'", qualified, view.engine))) {
      return core::Error{error->message};
    }
  }
  return core::ok_status();
}

core::Status install_connection_macros(duckdb_connection connection) {
  const std::string macros[] = {
      fmt::format("CREATE TEMP MACRO version() AS '{}'", kClickHouseVersion),
      fmt::format("CREATE TEMP MACRO currentDatabase() AS {}", database_of("current_schema()")),
  };
  for (const auto& macro : macros) {
    if (auto error = duck::run(connection, macro)) return core::Error{error->message};
  }
  return core::ok_status();
}

}  // namespace shoplake::sql
