// The stream engine's checkpoint reader: any bytes are refused or restored, never a crash; a
// restored state takes events and answers queries.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "shoplake/stream/minute_aggregator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  shoplake::stream::AggregatorOptions options;
  options.retention_ms = 120 * shoplake::core::kMillisPerMinute;
  auto restored = shoplake::stream::MinuteAggregator::restore(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!restored) return 0;
  auto& aggregator = restored.value();
  shoplake::core::EventView event;
  event.event_id = "e";
  event.user_id = "u";
  event.type = shoplake::core::EventType::purchase;
  event.order_id = "o";
  event.product_id = "p";
  event.category = "c";
  event.price = 1;
  event.quantity = 1;
  event.ts_ms = aggregator.clock_ms();
  std::vector<shoplake::core::MinuteSummary> settled;
  aggregator.add(event, settled);
  aggregator.advance_clock(aggregator.clock_ms() + 10 * shoplake::core::kMillisPerMinute, settled);
  aggregator.visit_minutes([](const shoplake::stream::MinuteTotals&) {});
  aggregator.visit_categories([](const shoplake::stream::CategoryMinute&) {});
  (void)aggregator.settled_history();
  (void)aggregator.today();
  return 0;
}
