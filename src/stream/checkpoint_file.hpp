// The stream engine's checkpoint on disk: the aggregator's state and the log offset it covers,
// replaced atomically (a temporary file, fsync, rename), with a checksum so that a damaged file
// is noticed and the state rebuilt from the log instead of trusted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::stream {

struct Checkpoint {
  std::uint64_t offset = 0;  // every log entry before it is in `state`
  std::string state;
};

core::Status save_checkpoint(const std::filesystem::path& directory, std::uint64_t offset,
                             std::string_view state);
// nullopt when there is none, or when it is damaged (said in the log).
core::Result<std::optional<Checkpoint>> load_checkpoint(const std::filesystem::path& directory);

}  // namespace shoplake::stream
