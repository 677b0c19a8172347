#include "pinned_settings.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

// Found in DuckDB 1.4's sources as DBConfig::GetSetting calls on the paths of binding, planning,
// running and returning a SELECT. default_order and default_null_order are left out: they are
// read when a statement is bound, which a reused statement is not, and pinning them would change
// how they read back ("ASC" for "ASCENDING").
constexpr std::array<std::string_view, 21> kSettingsReadPerQuery = {
    "debug_verify_vector",
    "preserve_insertion_order",
    "immediate_transaction_mode",
    "arrow_large_buffer_size",
    "arrow_output_list_view",
    "arrow_lossless_conversion",
    "produce_arrow_string_view",
    "arrow_output_version",
    "scalar_subquery_error_on_multiple_rows",
    "dynamic_or_filter_threshold",
    "perfect_ht_threshold",
    "prefer_range_joins",
    "nested_loop_join_threshold",
    "merge_join_threshold",
    "index_scan_percentage",
    "index_scan_max_count",
    "preserve_identifier_case",
    "integer_division",
    "debug_window_mode",
    "debug_asof_iejoin",
    "asof_loop_join_threshold",

};

}  // namespace

core::Result<std::string> pin_settings_read_per_query(duckdb_connection connection) {
  std::string names;
  for (auto name : kSettingsReadPerQuery) {
    names += names.empty() ? "" : ", ";
    names += duck::quote_literal(std::string(name));
  }
  duck::Result current;
  const std::string select =
      fmt::format("SELECT name, value FROM duckdb_settings() WHERE name IN ({})", names);
  if (duckdb_query(connection, select.c_str(), current.out()) != DuckDBSuccess) {
    return core::Error{"cannot read DuckDB's settings: " + duck::error_of(current).message};
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (idx_t row = 0; row < duckdb_row_count(current.get()); ++row) {
    duck::DuckString name(duckdb_value_varchar(current.get(), 0, row));
    duck::DuckString value(duckdb_value_varchar(current.get(), 1, row));
    if (name && value) values.emplace_back(name.get(), value.get());
  }
  for (const auto& [name, value] : values) {
    if (auto error = duck::run(
            connection, fmt::format("SET GLOBAL {} = {}", name, duck::quote_literal(value)))) {
      return core::Error{
          fmt::format("cannot pin DuckDB's setting {} = '{}': {}", name, value, error->message)};
    }
  }
  return fmt::format("{} of {} settings DuckDB reads per query pinned to their values",
                     values.size(), kSettingsReadPerQuery.size());
}

}  // namespace shoplake::sql
