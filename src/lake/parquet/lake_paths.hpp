// Files on disk as the lake's Parquet code sees them (internal to shoplake_lake_parquet): table
// roots, data file paths from the log, fresh names, modification times.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::lake::parquet_detail {

// Absolute and lexically normal, without a trailing separator, so paths DuckDB returns can be
// made relative to it by plain prefix comparison.
std::filesystem::path normalized_root(const std::filesystem::path& table_root);

// A random (version 4) UUID, lower-case hex with dashes.
std::string random_uuid();

// The local file an add action's path names: a relative path (URL-encoded in the log) under
// `root`, or an absolute `file:` URI / path that lies inside `root`. Anything else (another
// scheme, a path escaping the root) is an error naming the path.
core::Result<std::filesystem::path> resolve_data_file(const std::filesystem::path& root,
                                                      std::string_view logged_path);

// The file's modification time in epoch milliseconds.
core::Result<std::int64_t> modification_time_ms(const std::filesystem::path& file);

// `child` relative to `root` if it lies inside it ("a=1/part-x.parquet"), else empty.
std::string relative_inside(const std::filesystem::path& root, const std::filesystem::path& child);

}  // namespace shoplake::lake::parquet_detail
