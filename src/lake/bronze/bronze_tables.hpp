// What bronze.events and bronze.rejected hold: their Delta definitions and how one log entry
// becomes one staged row. Event times are Delta `timestamp` (UTC) and event_date their UTC day.
#pragma once

#include <cstdint>

#include "shoplake/core/event.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "staging_table.hpp"

namespace shoplake::lake {

TableDefinition bronze_events_definition();
TableDefinition bronze_rejected_definition();
std::vector<StagingColumn> bronze_events_staging_columns();
std::vector<StagingColumn> bronze_rejected_staging_columns();

core::Status stage_event(StagingTable& table, const core::EventView& event, std::uint64_t offset,
                         std::int64_t appended_at_ms);
core::Status stage_rejection(StagingTable& table, const core::RejectionView& rejection,
                             std::uint64_t offset, std::int64_t appended_at_ms);

}  // namespace shoplake::lake
