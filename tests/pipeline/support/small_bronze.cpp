#include "small_bronze.hpp"

#include "parquet_io.hpp"
#include "shoplake/lake/delta_table.hpp"

namespace shoplake::testing {

core::Status write_small_bronze(lake::ParquetIo& parquet, const std::filesystem::path& lake) {
  auto connection = parquet.connect();
  if (!connection) return core::Error{connection.error()};
  lake::TableDefinition definition;
  definition.name = "bronze.events";
  definition.schema.fields = {{"n", "long", true, "{}"}, {"event_date", "date", true, "{}"}};
  definition.partition_columns = {"event_date"};
  auto table = lake::DeltaTable::open_or_create(lake / "bronze" / "events", definition, parquet);
  if (!table) return core::Error{table.error()};
  auto appended = table.value()->append(
      connection.value().get(),
      "SELECT i AS n, DATE '2026-01-01' + CAST(i % 3 AS INTEGER) AS event_date FROM range(30) AS "
      "t(i)");
  if (!appended) return core::Error{appended.error()};
  return core::ok_status();
}

}  // namespace shoplake::testing
