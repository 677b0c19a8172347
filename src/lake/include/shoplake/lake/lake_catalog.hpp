// The lake's tables in the SQL catalog: every Delta table under <lake>/<layer>/<table> appears as
// <layer>.<table>, as its current snapshot, switched when a commit lands.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/snapshot.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::lake {

class ParquetIo;

inline constexpr const char* kLakeLayers[] = {"bronze", "silver", "gold"};

struct LakeTableLocation {
  std::string layer;  // bronze, silver or gold: the SQL schema
  std::string name;
  std::filesystem::path root;
};

// Every folder <lake>/<layer>/<name> holding a `_delta_log`, sorted.
std::vector<LakeTableLocation> list_lake_tables(const std::filesystem::path& lake_directory);
// "bronze.events" -> its location (whether or not it exists yet); an error for another shape.
core::Result<LakeTableLocation> locate_lake_table(const std::filesystem::path& lake_directory,
                                                  const std::string& qualified_name);

class LakePublisher {
 public:
  LakePublisher(sql::Catalog& catalog, ParquetIo& parquet);
  // Switches layer.name to `snapshot` unless a newer version of it is already published (commits
  // and compactions land from different threads).
  core::Status publish(const std::string& layer, const std::string& name, const Snapshot& snapshot);
  // Loads and publishes every table of the lake; errors name the table.
  core::Status publish_all(const std::filesystem::path& lake_directory);

 private:
  sql::Catalog& catalog_;
  ParquetIo& parquet_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> published_versions_;
};

}  // namespace shoplake::lake
