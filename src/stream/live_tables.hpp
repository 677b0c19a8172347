// The realtime.* tables as the SQL catalog scans them: the aggregator's state turned into columns
// in the order of the contract (shoplake/sql/contract_tables.hpp), on each query.
#pragma once

#include <string_view>

#include "shoplake/sql/result.hpp"
#include "shoplake/stream/minute_aggregator.hpp"

namespace shoplake::stream {

inline constexpr std::string_view kLiveTableNames[] = {"events_per_minute", "revenue_per_minute",
                                                       "category_velocity", "kpis_today"};

// The rows of realtime.<name> (one of kLiveTableNames).
sql::ResultChunk scan_live_table(std::string_view name, const MinuteAggregator& aggregator);

}  // namespace shoplake::stream
