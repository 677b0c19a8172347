#include "lake_scans.hpp"

#include <fmt/format.h>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

void lake_scan_function(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const auto* registry =
      static_cast<const LakeScanRegistry*>(duckdb_scalar_function_get_extra_info(info));
  duckdb_vector keys = duckdb_data_chunk_get_vector(input, 0);
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(keys));
  std::uint64_t* validity = duckdb_vector_get_validity(keys);
  for (idx_t row = 0; row < duckdb_data_chunk_get_size(input); ++row) {
    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) {
      duckdb_scalar_function_set_error(info, "shoplake_lake_scan: the table key is NULL");
      return;
    }
    const std::string key(duckdb_string_t_data(&strings[row]),
                          duckdb_string_t_length(strings[row]));
    const auto sql = registry->find(key);
    if (!sql) {
      const std::string message = fmt::format("shoplake_lake_scan: no lake table {}", key);
      duckdb_scalar_function_set_error(info, message.c_str());
      return;
    }
    duckdb_vector_assign_string_element_len(output, row, sql->data(), sql->size());
  }
}

}  // namespace

core::Status LakeScanRegistry::register_function(duckdb_connection connection) {
  duck::ScalarFunction function(duckdb_create_scalar_function());
  duckdb_scalar_function_set_name(function.get(), kFunctionName);
  duck::LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_scalar_function_add_parameter(function.get(), varchar.get());
  duckdb_scalar_function_set_return_type(function.get(), varchar.get());
  duckdb_scalar_function_set_extra_info(function.get(), this, nullptr);
  duckdb_scalar_function_set_function(function.get(), lake_scan_function);
  if (duckdb_register_scalar_function(connection, function.get()) != DuckDBSuccess) {
    return core::Error{"cannot register the lake scan function"};
  }
  return core::ok_status();
}

void LakeScanRegistry::set(const std::string& key, std::string select_sql) {
  auto sql = std::make_shared<const std::string>(std::move(select_sql));
  std::lock_guard lock(mutex_);
  scans_[key] = std::move(sql);
}

std::shared_ptr<const std::string> LakeScanRegistry::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = scans_.find(key);
  return found == scans_.end() ? nullptr : found->second;
}

}  // namespace shoplake::sql
