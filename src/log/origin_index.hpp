// The latest origin value of every origin key ever appended. Lives in memory, is rebuilt at open
// from the origins file plus the record headers of the segments still stored, and is written to
// the origins file before retention deletes a segment holding some key's latest value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::log {

struct OriginUpdate {
  std::string key;
  std::string value;
  std::uint64_t segment_base = 0;  // of the segment holding the record that set it
};

class OriginIndex {
 public:
  explicit OriginIndex(std::filesystem::path file);

  // Reads the origins file, if there is one; call before replaying segments.
  core::Status load();
  void apply(std::string_view key, std::string_view value, std::uint64_t segment_base);
  void apply(std::vector<OriginUpdate>& updates);

  std::map<std::string, std::string> latest() const;

  // Writes the origins file unless every latest value held in the segments up to and including
  // the one starting at `last_doomed_base` is in it already.
  core::Status persist_before_deleting_through(std::uint64_t last_doomed_base);

  const std::filesystem::path& file() const { return file_; }

 private:
  struct Entry {
    std::string value;
    std::uint64_t segment_base = 0;
    bool persisted = false;
  };

  std::string encode_locked() const;

  std::filesystem::path file_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace shoplake::log
