// An independent recount of every gold table, straight from events, in plain C++: what the
// pipeline's SQL models must agree with. It shares no code with them on purpose.
//
// Semantics (docs/PIPELINE.md):
// - Events arrive in the order given; a repeated event_id is a duplicate and only its first
//   arrival counts.
// - event_date is the UTC date of ts. Money is price * quantity of purchase events.
// - source: lower-cased; empty counts as "unknown". category: lower-cased.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shoplake/core/event.hpp"

namespace shoplake::testing {

using Date = std::string;  // "YYYY-MM-DD"

struct RevenueDay {
  double total_revenue = 0;          // rounded to cents
  std::int64_t total_purchases = 0;  // distinct order_id among purchases
  double avg_order_value = 0;        // revenue / orders rounded to cents, 0 without orders
};
struct ConversionDay {
  std::int64_t dau_count = 0;
  std::int64_t unique_buyers = 0;
  double conversion_rate = 0;  // buyers / dau
};
struct CategoryDay {
  std::int64_t units_sold = 0;
  double category_revenue = 0;  // rounded to cents
};
struct CartAbandonmentDay {
  std::int64_t sessions_with_cart = 0;
  std::int64_t sessions_with_purchase = 0;  // sessions with an add_to_cart and a purchase
  std::int64_t abandoned_sessions = 0;
  double abandonment_rate = 0;  // abandoned / with_cart, 0 without carts
};
struct FunnelDay {
  std::int64_t viewers = 0;              // distinct users with a view
  std::int64_t cart_users = 0;           // … with an add_to_cart
  std::int64_t checkout_users = 0;       // … with a begin_checkout
  std::int64_t buyers = 0;               // … with a purchase
  double view_to_cart_rate = 0;          // cart_users / viewers (0 if no viewers)
  double cart_to_checkout_rate = 0;      // checkout_users / cart_users
  double checkout_to_purchase_rate = 0;  // buyers / checkout_users
  double overall_conversion_rate = 0;    // buyers / viewers
};
struct HourRevenue {
  double revenue = 0;           // rounded to cents
  std::int64_t orders = 0;      // distinct order_id
  std::int64_t units_sold = 0;  // sum of quantity
};

struct GoldRecount {
  std::map<Date, std::int64_t> daily_active_users;      // every date with an event
  std::map<Date, RevenueDay> revenue_daily;             // every date with an event
  std::map<Date, ConversionDay> conversion_rate_daily;  // every date with an event
  std::map<std::pair<Date, std::string>, CategoryDay>
      category_sales_daily;  // (date, category) with purchases
  // Sessions (non-empty session_id) belong to the date of their first event; every date on which
  // a session starts has a row.
  std::map<Date, CartAbandonmentDay> cart_abandonment_daily;
  std::map<std::pair<Date, std::string>, std::int64_t> events_by_source_daily;  // (date, source)
  std::map<Date, FunnelDay> funnel_daily;                      // every date with an event
  std::map<std::pair<Date, int>, HourRevenue> hourly_revenue;  // (date, UTC hour) with purchases
  std::int64_t duplicates_dropped = 0;
};

GoldRecount recount_gold(const std::vector<core::Event>& events_in_arrival_order);

// "YYYY-MM-DD" of a UTC epoch-millisecond time.
Date utc_date(std::int64_t ts_ms);

}  // namespace shoplake::testing
