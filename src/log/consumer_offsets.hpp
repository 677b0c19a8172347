// Named consumer positions: the offset each consumer has fully processed, one small file per
// consumer under <log>/consumers/, each replaced atomically on commit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::log {

// Names become file names: 1-128 of [A-Za-z0-9._-], not starting with '.' nor ending in ".tmp".
core::Status validate_consumer_name(std::string_view name);

class ConsumerOffsets {
 public:
  explicit ConsumerOffsets(std::filesystem::path directory);

  // Creates the directory if needed and reads every consumer's file.
  core::Status load();
  // Registers `name` at `offset` unless it is registered already (then its offset stays).
  core::Status register_consumer(std::string_view name, std::uint64_t offset);
  core::Status commit(std::string_view name, std::uint64_t offset);
  std::optional<std::uint64_t> offset(std::string_view name) const;
  // The offset of the consumer furthest behind; nullopt when none is registered.
  std::optional<std::uint64_t> slowest() const;

 private:
  core::Status persist(std::string_view name, std::uint64_t offset);

  std::filesystem::path directory_;
  std::mutex file_mutex_;  // one writer of consumer files at a time: they share a directory fsync
  mutable std::mutex offsets_mutex_;
  std::map<std::string, std::uint64_t, std::less<>> offsets_;
};

}  // namespace shoplake::log
