#include "pinned_settings.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

std::map<std::string, std::string> all_settings(duckdb_connection connection) {
  duck::Result result;
  EXPECT_EQ(duckdb_query(connection, "SELECT name, value FROM duckdb_settings()", result.out()),
            DuckDBSuccess);
  std::map<std::string, std::string> settings;
  for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
    duck::DuckString name(duckdb_value_varchar(result.get(), 0, row));
    duck::DuckString value(duckdb_value_varchar(result.get(), 1, row));
    settings[name.get()] = value ? value.get() : "";
  }
  return settings;
}

TEST(PinnedSettings, EverySettingKeepsItsValueAndThisDuckdbKnowsThemAll) {
  auto database = duck::open_in_memory({{"threads", "1"}}, "a test DuckDB");
  ASSERT_TRUE(database) << database.error();
  duck::Connection connection;
  ASSERT_EQ(duckdb_connect(database.value().get(), connection.out()), DuckDBSuccess);
  const auto before = all_settings(connection.get());

  auto pinned = pin_settings_read_per_query(connection.get());
  ASSERT_TRUE(pinned) << pinned.error();
  // A DuckDB upgrade that renames one of them would leave its lookups slow: fewer than 21.
  EXPECT_EQ(pinned.value(), "21 of 21 settings DuckDB reads per query pinned to their values");
  for (const auto& [name, value] : all_settings(connection.get())) {
    EXPECT_EQ(value, before.at(name)) << name;
  }

  // Pinned database-wide: a connection opened afterwards sees the same values.
  duck::Connection later;
  ASSERT_EQ(duckdb_connect(database.value().get(), later.out()), DuckDBSuccess);
  for (const auto& [name, value] : all_settings(later.get())) {
    EXPECT_EQ(value, before.at(name)) << name;
  }
}

}  // namespace
}  // namespace shoplake::sql
