#include "segment_files.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "file_io.hpp"

namespace shoplake::log {
namespace {

constexpr std::size_t kOffsetDigits = 20;  // enough for any 64-bit offset
constexpr std::string_view kSegmentSuffix = ".log";

}  // namespace

std::string segment_file_name(std::uint64_t base_offset) {
  return fmt::format("{:0{}}{}", base_offset, kOffsetDigits, kSegmentSuffix);
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != kOffsetDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char digit : name.substr(0, kOffsetDigits)) {
    if (digit < '0' || digit > '9') return std::nullopt;
    const auto next = value * 10 + static_cast<std::uint64_t>(digit - '0');
    if (next / 10 != value) return std::nullopt;  // wider than 64 bits
    value = next;
  }
  return value;
}

std::filesystem::path segment_path(const std::filesystem::path& directory,
                                   std::uint64_t base_offset) {
  return directory / segment_file_name(base_offset);
}

core::Result<std::vector<SegmentFile>> list_segment_files(const std::filesystem::path& directory) {
  std::vector<SegmentFile> segments;
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    const auto base = parse_segment_file_name(entry->path().filename().native());
    if (base && entry->is_regular_file(error)) segments.push_back({*base, entry->path()});
  }
  if (error) return system_error("cannot list", directory, error.value());
  std::sort(segments.begin(), segments.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.base_offset < b.base_offset;
  });
  return segments;
}

core::Status remove_temporary_files(const std::filesystem::path& directory) {
  std::error_code error;
  std::vector<std::filesystem::path> leftovers;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    if (entry->path().filename().native().ends_with(kTemporarySuffix)) {
      leftovers.push_back(entry->path());
    }
  }
  if (error) return system_error("cannot list", directory, error.value());
  for (const auto& leftover : leftovers) {
    if (!std::filesystem::remove(leftover, error) && error) {
      return system_error("cannot remove", leftover, error.value());
    }
  }
  return core::ok_status();
}

}  // namespace shoplake::log
