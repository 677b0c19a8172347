// One event-time minute of the whole shop as the speed layer counted it: what the anomaly
// detector watches. The stream engine produces these; the alert rules read them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shoplake::core {

// A count or sum broken down by one dimension (a category, a source), largest first.
struct DimensionValue {
  std::string name;
  double value = 0;
  bool operator==(const DimensionValue&) const = default;
};

struct MinuteSummary {
  std::int64_t minute_ms = 0;      // the minute's first instant, UTC epoch milliseconds
  std::uint64_t events = 0;        // every accepted event in the minute
  std::uint64_t active_users = 0;  // distinct users with any event in the minute
  std::uint64_t buyers = 0;        // distinct users with a purchase in the minute
  std::uint64_t purchases = 0;     // purchase events (order lines), each counted once
  std::uint64_t orders = 0;        // distinct order_ids
  double revenue = 0;              // sum of price × quantity over the purchases
  std::vector<DimensionValue> events_by_source;     // "web", "mobile", "" for none sent
  std::vector<DimensionValue> events_by_category;   // cart and purchase events only
  std::vector<DimensionValue> revenue_by_category;  // purchases only
  bool operator==(const MinuteSummary&) const = default;
};

}  // namespace shoplake::core
