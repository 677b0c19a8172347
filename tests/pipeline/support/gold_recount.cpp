#include "gold_recount.hpp"

#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace shoplake::testing {
namespace {

using core::Event;
using core::EventType;

constexpr std::int64_t kMillisPerHour = 3'600'000;
constexpr std::int64_t kMillisPerDay = 24 * kMillisPerHour;

// C++ division truncates toward zero; event times before 1970 must still land on the day that
// contains them, so both helpers round toward negative infinity.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  return a - floor_div(a, b) * b;
}

// Written here rather than borrowed from core/time so that a bug there cannot hide in both the
// code under test and its oracle. Proleptic Gregorian, after Howard Hinnant's civil_from_days:
// eras of 400 years starting on March 1st make leap days the last day of the year.
void civil_from_days(std::int64_t days, std::int64_t& year, int& month, int& day) {
  days += 719'468;  // shift the epoch from 1970-01-01 to 0000-03-01
  const std::int64_t era = floor_div(days, 146'097);
  const std::int64_t doe = days - era * 146'097;                                     // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                       // [0, 11]
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

int utc_hour(std::int64_t ts_ms) {
  return static_cast<int>(floor_mod(ts_ms, kMillisPerDay) / kMillisPerHour);
}

// The models lower-case with SQL lower(); the generated data is ASCII, so ASCII folding is what
// both sides can be held to.
std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// Rounding once, on the final sum, is the contract: rounding each line first would drift by
// up to half a cent per line.
double round_cents(double x) {
  return std::round(x * 100) / 100;
}

double ratio(std::int64_t numerator, std::int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double line_amount(const Event& event) {
  return event.price * event.quantity;
}

struct DayTally {
  std::set<std::string> users;
  std::set<std::string> viewers, cart_users, checkout_users, buyers;
  std::set<std::string> orders;
  double revenue = 0;  // unrounded
};

struct CategoryTally {
  std::int64_t units = 0;
  double revenue = 0;
};

struct HourTally {
  std::set<std::string> orders;
  std::int64_t units = 0;
  double revenue = 0;
};

struct SessionTally {
  std::int64_t first_ts = 0;
  bool had_cart = false;
  bool purchased = false;
};

}  // namespace

Date utc_date(std::int64_t ts_ms) {
  std::int64_t year = 0;
  int month = 0;
  int day = 0;
  civil_from_days(floor_div(ts_ms, kMillisPerDay), year, month, day);
  char buffer[48];
  // Negative years keep four digits after the sign, as ISO 8601's expanded form does.
  if (year < 0) {
    std::snprintf(buffer, sizeof buffer, "-%04lld-%02d-%02d", static_cast<long long>(-year), month,
                  day);
  } else {
    std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02d", static_cast<long long>(year), month,
                  day);
  }
  return buffer;
}

GoldRecount recount_gold(const std::vector<core::Event>& events_in_arrival_order) {
  GoldRecount gold;

  std::vector<const Event*> events;
  events.reserve(events_in_arrival_order.size());
  {
    std::unordered_set<std::string> seen;
    for (const Event& event : events_in_arrival_order) {
      if (seen.insert(event.event_id).second) {
        events.push_back(&event);
      } else {
        ++gold.duplicates_dropped;
      }
    }
  }

  std::map<Date, DayTally> days;
  std::map<std::pair<Date, std::string>, CategoryTally> categories;
  std::map<std::pair<Date, int>, HourTally> hours;
  std::unordered_map<std::string, SessionTally> sessions;

  for (const Event* event : events) {
    const Date date = utc_date(event->ts_ms);
    DayTally& day = days[date];
    day.users.insert(event->user_id);

    const std::string source = event->source.empty() ? "unknown" : ascii_lower(event->source);
    ++gold.events_by_source_daily[{date, source}];

    switch (event->type) {
      case EventType::view:
        day.viewers.insert(event->user_id);
        break;
      case EventType::add_to_cart:
        day.cart_users.insert(event->user_id);
        break;
      case EventType::begin_checkout:
        day.checkout_users.insert(event->user_id);
        break;
      case EventType::purchase: {
        day.buyers.insert(event->user_id);
        const double amount = line_amount(*event);
        day.revenue += amount;
        CategoryTally& category = categories[{date, ascii_lower(event->category)}];
        category.units += event->quantity;
        category.revenue += amount;
        HourTally& hour = hours[{date, utc_hour(event->ts_ms)}];
        hour.units += event->quantity;
        hour.revenue += amount;
        // An empty order_id is a missing one (NULL once loaded), which COUNT(DISTINCT) skips.
        if (!event->order_id.empty()) {
          day.orders.insert(event->order_id);
          hour.orders.insert(event->order_id);
        }
        break;
      }
      default:
        break;
    }

    if (!event->session_id.empty()) {
      auto [it, inserted] = sessions.try_emplace(event->session_id);
      SessionTally& session = it->second;
      // Arrival order is not time order: a session's start is its earliest event, wherever that
      // sits in the stream.
      if (inserted || event->ts_ms < session.first_ts) session.first_ts = event->ts_ms;
      session.had_cart = session.had_cart || event->type == EventType::add_to_cart;
      session.purchased = session.purchased || event->type == EventType::purchase;
    }
  }

  for (const auto& [date, day] : days) {
    const auto dau = static_cast<std::int64_t>(day.users.size());
    const auto orders = static_cast<std::int64_t>(day.orders.size());
    gold.daily_active_users[date] = dau;

    RevenueDay& revenue = gold.revenue_daily[date];
    revenue.total_revenue = round_cents(day.revenue);
    revenue.total_purchases = orders;
    // From the unrounded sum, so the average is not a rounding of a rounding.
    revenue.avg_order_value = orders == 0 ? 0.0 : round_cents(day.revenue / orders);

    ConversionDay& conversion = gold.conversion_rate_daily[date];
    conversion.dau_count = dau;
    conversion.unique_buyers = static_cast<std::int64_t>(day.buyers.size());
    conversion.conversion_rate = ratio(conversion.unique_buyers, dau);

    FunnelDay& funnel = gold.funnel_daily[date];
    funnel.viewers = static_cast<std::int64_t>(day.viewers.size());
    funnel.cart_users = static_cast<std::int64_t>(day.cart_users.size());
    funnel.checkout_users = static_cast<std::int64_t>(day.checkout_users.size());
    funnel.buyers = static_cast<std::int64_t>(day.buyers.size());
    funnel.view_to_cart_rate = ratio(funnel.cart_users, funnel.viewers);
    funnel.cart_to_checkout_rate = ratio(funnel.checkout_users, funnel.cart_users);
    funnel.checkout_to_purchase_rate = ratio(funnel.buyers, funnel.checkout_users);
    funnel.overall_conversion_rate = ratio(funnel.buyers, funnel.viewers);
  }

  for (const auto& [key, category] : categories) {
    gold.category_sales_daily[key] = {category.units, round_cents(category.revenue)};
  }

  for (const auto& [key, hour] : hours) {
    gold.hourly_revenue[key] = {round_cents(hour.revenue),
                                static_cast<std::int64_t>(hour.orders.size()), hour.units};
  }

  for (const auto& [id, session] : sessions) {
    // A row for every start date, even when none of its sessions touched a cart.
    CartAbandonmentDay& row = gold.cart_abandonment_daily[utc_date(session.first_ts)];
    if (!session.had_cart) continue;
    ++row.sessions_with_cart;
    if (session.purchased) ++row.sessions_with_purchase;
  }
  for (auto& [date, row] : gold.cart_abandonment_daily) {
    row.abandoned_sessions = row.sessions_with_cart - row.sessions_with_purchase;
    row.abandonment_rate = ratio(row.abandoned_sessions, row.sessions_with_cart);
  }

  return gold;
}

}  // namespace shoplake::testing
