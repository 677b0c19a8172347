// What bronze.events and bronze.rejected hold: their Delta definitions and how one log entry
// becomes one staged row. Event times are Delta `timestamp` (UTC) and event_date their UTC day.
#pragma once

#include <cstdint>

#include "shoplake/core/event.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "staged_rows.hpp"

namespace shoplake::lake {

TableDefinition bronze_events_definition();
TableDefinition bronze_rejected_definition();
// The data columns, staged per partition: event_date is the batch's, not a column of it.
std::vector<StagingColumn> bronze_events_staging_columns();
std::vector<StagingColumn> bronze_rejected_staging_columns();

// The partition (UTC day since the epoch) of an event and of a rejection.
std::int32_t event_day(const core::EventView& event);
std::int32_t rejection_day(std::int64_t appended_at_ms);
// "event_date" = YYYY-MM-DD.
PartitionValues day_partition(std::int32_t day);

void stage_event(StagedRows& rows, const core::EventView& event, std::uint64_t offset,
                 std::int64_t appended_at_ms);
void stage_rejection(StagedRows& rows, const core::RejectionView& rejection, std::uint64_t offset,
                     std::int64_t appended_at_ms);

}  // namespace shoplake::lake
