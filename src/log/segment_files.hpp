// Segment files: <directory>/<first offset, 20 digits>.log, so that listing them by name lists
// them in offset order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::log {

struct SegmentFile {
  std::uint64_t base_offset = 0;
  std::filesystem::path path;
};

std::string segment_file_name(std::uint64_t base_offset);
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);
std::filesystem::path segment_path(const std::filesystem::path& directory,
                                   std::uint64_t base_offset);

// The segment files of `directory`, oldest first.
core::Result<std::vector<SegmentFile>> list_segment_files(const std::filesystem::path& directory);

// Removes what an interrupted replace_file_atomically left in `directory`.
core::Status remove_temporary_files(const std::filesystem::path& directory);

}  // namespace shoplake::log
