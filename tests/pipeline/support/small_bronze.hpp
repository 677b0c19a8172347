// A bronze.events stand-in for scheduler tests: a Delta table of 30 rows (n, event_date) over
// 2026-01-01 .. 2026-01-03 under <lake>/bronze/events.
#pragma once

#include <filesystem>

#include "shoplake/core/result.hpp"

namespace shoplake::lake {
class ParquetIo;
}

namespace shoplake::testing {

core::Status write_small_bronze(lake::ParquetIo& parquet, const std::filesystem::path& lake);

}  // namespace shoplake::testing
