// The realtime.* tables as the SQL catalog scans them: the aggregator's state turned into columns
// in the order of the contract (shoplake/sql/contract_tables.hpp), on each query.
#pragma once

#include <string_view>

#include "shoplake/sql/result.hpp"
#include "shoplake/stream/minute_aggregator.hpp"

namespace shoplake::stream {

// One row or more per minute, keyed by the column `minute`: a closed minute's rows are final.
inline constexpr std::string_view kMinuteTableNames[] = {"events_per_minute", "revenue_per_minute",
                                                         "category_velocity"};
// The local day so far: one row, recomputed on every query.
inline constexpr std::string_view kDayTableName = "kpis_today";

// The rows of realtime.<name> (one of kMinuteTableNames, or kDayTableName, which has no minutes
// and ignores `range`).
sql::ResultChunk scan_live_table(std::string_view name, const MinuteAggregator& aggregator,
                                 MinuteRange range = {});

}  // namespace shoplake::stream
