// Reading a checkpoint's Parquet files (classic or all parts of a multi-part one) as actions,
// through a process-wide in-memory DuckDB (internal to shoplake_lake_protocol).
#pragma once

#include <filesystem>
#include <functional>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/actions.hpp"

namespace shoplake::lake::detail {

// Calls `sink` for every action of the checkpoint, in file order. Errors name the file and row.
core::Status read_checkpoint(const std::vector<std::filesystem::path>& files,
                             const std::function<void(Action&&)>& sink);

}  // namespace shoplake::lake::detail
