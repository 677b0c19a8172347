// The Catalog the other components publish through: every table is a view in its schema, so
// replacing one is a single catalog change that readers see whole or not at all.
#pragma once

#include <filesystem>
#include <mutex>

#include "duckdb_handles.hpp"
#include "live_tables.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

class DuckdbCatalog final : public Catalog {
 public:
  // `connection` is trusted and used only for publishing; `lake_directory` bounds the Parquet
  // files.
  DuckdbCatalog(duck::Connection connection, LiveTableRegistry& live_tables,
                std::filesystem::path lake_directory);

  core::Status publish_live_table(const std::string& schema, const std::string& name,
                                  std::vector<TableColumn> columns, LiveTableScan scan) override;
  core::Status publish_parquet_snapshot(const std::string& schema, const std::string& name,
                                        std::vector<TableColumn> columns,
                                        std::vector<std::filesystem::path> files) override;
  core::Status drop_table(const std::string& schema, const std::string& name) override;

 private:
  // Replaces the view and its engine comment in one transaction.
  core::Status replace_view(const std::string& schema, const std::string& name,
                            const std::string& select, const char* engine);

  std::mutex mutex_;  // one publisher statement at a time on the connection
  duck::Connection connection_;
  LiveTableRegistry& live_tables_;
  std::filesystem::path lake_directory_;
};

}  // namespace shoplake::sql
