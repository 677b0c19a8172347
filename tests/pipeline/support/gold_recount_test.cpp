#include "gold_recount.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace shoplake::testing {
namespace {

using core::Event;
using core::EventType;

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// 2026-11-25 is day 20782 after 1970-01-01 (worked out in core's time tests).
constexpr std::int64_t kNov25 = 20782 * kDay;
constexpr std::int64_t kNov26 = kNov25 + kDay;
constexpr std::int64_t kNov27 = kNov26 + kDay;

Event event(std::string id, EventType type, std::int64_t ts_ms, std::string user,
            std::string session = "", std::string source = "web") {
  Event e;
  e.event_id = std::move(id);
  e.type = type;
  e.ts_ms = ts_ms;
  e.user_id = std::move(user);
  e.session_id = std::move(session);
  e.source = std::move(source);
  return e;
}

Event line(std::string id, EventType type, std::int64_t ts_ms, std::string user,
           std::string category, double price, std::int32_t quantity, std::string order = "",
           std::string session = "") {
  Event e = event(std::move(id), type, ts_ms, std::move(user), std::move(session));
  e.product_id = "p-" + e.event_id;
  e.category = std::move(category);
  e.price = price;
  e.quantity = quantity;
  e.order_id = std::move(order);
  return e;
}

Event purchase(std::string id, std::int64_t ts_ms, std::string user, std::string order,
               double price, std::int32_t quantity = 1, std::string category = "toys") {
  return line(std::move(id), EventType::purchase, ts_ms, std::move(user), std::move(category),
              price, quantity, std::move(order));
}

// A deliberately naive calendar (one day at a time, month lengths from a table) to check the
// era arithmetic in utc_date against something that shares none of its tricks.
struct NaiveDate {
  int year = 1970, month = 1, day = 1;

  static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
  static int length(int y, int m) {
    static constexpr int kLengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kLengths[m - 1];
  }
  void next() {
    if (++day > length(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  void previous() {
    if (--day < 1) {
      if (--month < 1) {
        month = 12;
        --year;
      }
      day = length(year, month);
    }
  }
  std::string text() const {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
    return buffer;
  }
};

TEST(UtcDate, KnownInstants) {
  EXPECT_EQ(utc_date(0), "1970-01-01");
  EXPECT_EQ(utc_date(946'684'800'000), "2000-01-01");
  EXPECT_EQ(utc_date(kNov25 + 13 * kHour), "2026-11-25");
  EXPECT_EQ(utc_date(11016 * kDay), "2000-02-29");  // 2000 is a leap year (divisible by 400)
  EXPECT_EQ(utc_date(11017 * kDay), "2000-03-01");
  EXPECT_EQ(utc_date(-25509 * kDay), "1900-02-28");  // 1900 is not (divisible by 100 only)
  EXPECT_EQ(utc_date(-25508 * kDay), "1900-03-01");
  EXPECT_EQ(utc_date(-719'528 * kDay), "0000-01-01");
}

TEST(UtcDate, DayBoundaries) {
  EXPECT_EQ(utc_date(kNov26 - 1), "2026-11-25");  // 23:59:59.999
  EXPECT_EQ(utc_date(kNov26), "2026-11-26");      // 00:00:00.000
  EXPECT_EQ(utc_date(kDay - 1), "1970-01-01");
  EXPECT_EQ(utc_date(kDay), "1970-01-02");
}

TEST(UtcDate, BeforeEpochFloorsToTheContainingDay) {
  // Truncating division would put all of these on 1970-01-01.
  EXPECT_EQ(utc_date(-1), "1969-12-31");
  EXPECT_EQ(utc_date(-kDay + 1), "1969-12-31");
  EXPECT_EQ(utc_date(-kDay), "1969-12-31");
  EXPECT_EQ(utc_date(-kDay - 1), "1969-12-30");
  EXPECT_EQ(utc_date(-365 * kDay), "1969-01-01");
  EXPECT_EQ(utc_date(-365 * kDay - 1), "1968-12-31");
}

TEST(UtcDate, AgreesWithANaiveCalendarFrom1600To2400) {
  NaiveDate forward;
  for (std::int64_t day = 0; forward.year < 2400; ++day, forward.next()) {
    ASSERT_EQ(utc_date(day * kDay), forward.text()) << "day " << day;
    ASSERT_EQ(utc_date(day * kDay + kDay - 1), forward.text()) << "end of day " << day;
  }
  NaiveDate backward;
  for (std::int64_t day = 0; backward.year >= 1600; --day, backward.previous()) {
    ASSERT_EQ(utc_date(day * kDay), backward.text()) << "day " << day;
    ASSERT_EQ(utc_date(day * kDay + kDay - 1), backward.text()) << "end of day " << day;
  }
}

TEST(RecountGold, EmptyInputHasNoRows) {
  const GoldRecount gold = recount_gold({});
  EXPECT_TRUE(gold.daily_active_users.empty());
  EXPECT_TRUE(gold.revenue_daily.empty());
  EXPECT_TRUE(gold.conversion_rate_daily.empty());
  EXPECT_TRUE(gold.category_sales_daily.empty());
  EXPECT_TRUE(gold.cart_abandonment_daily.empty());
  EXPECT_TRUE(gold.events_by_source_daily.empty());
  EXPECT_TRUE(gold.funnel_daily.empty());
  EXPECT_TRUE(gold.hourly_revenue.empty());
  EXPECT_EQ(gold.duplicates_dropped, 0);
}

TEST(RecountGold, FirstArrivalWinsEvenWhenTheCopyDiffers) {
  Event original = event("e-1", EventType::view, kNov25 + kHour, "u1", "s1");
  // Same id, but another day, user, type, session and source: none of it may leak through.
  Event copy = purchase("e-1", kNov26 + kHour, "u2", "o-9", 50.0);
  copy.session_id = "s2";
  copy.source = "app";
  // Arrival order, not time order, decides: this later-stamped event arrives first and stays.
  const Event early_copy = event("e-2", EventType::login, kNov25 + 5 * kHour, "u3");
  const Event late_original = event("e-2", EventType::login, kNov25, "u4");

  const GoldRecount gold = recount_gold({original, copy, copy, early_copy, late_original});
  EXPECT_EQ(gold.duplicates_dropped, 3);

  ASSERT_EQ(gold.daily_active_users.size(), 1u);
  EXPECT_EQ(gold.daily_active_users.at("2026-11-25"), 2);  // u1 and u3
  ASSERT_EQ(gold.revenue_daily.size(), 1u);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-25").total_revenue, 0.0);
  EXPECT_TRUE(gold.category_sales_daily.empty());
  EXPECT_TRUE(gold.hourly_revenue.empty());
  EXPECT_EQ(gold.funnel_daily.at("2026-11-25").viewers, 1);
  EXPECT_EQ(gold.funnel_daily.at("2026-11-25").buyers, 0);
  ASSERT_EQ(gold.cart_abandonment_daily.size(), 1u);  // s1 only; s2 came from a dropped copy
  EXPECT_EQ(gold.cart_abandonment_daily.at("2026-11-25").sessions_with_cart, 0);
  ASSERT_EQ(gold.events_by_source_daily.size(), 1u);
  EXPECT_EQ((gold.events_by_source_daily.at({"2026-11-25", "web"})), 2);
}

TEST(RecountGold, SessionCrossingMidnightBelongsToItsFirstDay) {
  const std::vector<Event> events = {
      // s1 starts at 23:59:59.999 on the 25th, but its first event arrives last.
      line("a1", EventType::add_to_cart, kNov26, "u1", "toys", 3.0, 1, "", "s1"),
      line("a2", EventType::purchase, kNov26 + 10 * kMinute, "u1", "toys", 3.0, 1, "o1", "s1"),
      event("a0", EventType::view, kNov26 - 1, "u1", "s1"),
      // s2: a cart and no purchase, wholly on the 26th.
      line("b1", EventType::add_to_cart, kNov26 + kHour, "u2", "toys", 1.0, 1, "", "s2"),
      // s3: no cart at all. Still a session starting on the 26th.
      event("c1", EventType::view, kNov26 + 2 * kHour, "u3", "s3"),
      // s4: a purchase without an add_to_cart does not count as a cart that converted.
      line("d1", EventType::purchase, kNov26 + 3 * kHour, "u4", "toys", 2.0, 1, "o2", "s4"),
      // No session id: no session, so the 27th gets no cart-abandonment row.
      line("e1", EventType::add_to_cart, kNov27 + kHour, "u5", "toys", 1.0, 1),
  };
  const GoldRecount gold = recount_gold(events);

  ASSERT_EQ(gold.cart_abandonment_daily.size(), 2u);
  const CartAbandonmentDay& first = gold.cart_abandonment_daily.at("2026-11-25");
  EXPECT_EQ(first.sessions_with_cart, 1);
  EXPECT_EQ(first.sessions_with_purchase, 1);
  EXPECT_EQ(first.abandoned_sessions, 0);
  EXPECT_DOUBLE_EQ(first.abandonment_rate, 0.0);
  const CartAbandonmentDay& second = gold.cart_abandonment_daily.at("2026-11-26");
  EXPECT_EQ(second.sessions_with_cart, 1);
  EXPECT_EQ(second.sessions_with_purchase, 0);
  EXPECT_EQ(second.abandoned_sessions, 1);
  EXPECT_DOUBLE_EQ(second.abandonment_rate, 1.0);
  EXPECT_FALSE(gold.cart_abandonment_daily.contains("2026-11-27"));

  // Per-event tables still use each event's own date.
  EXPECT_EQ(gold.daily_active_users.at("2026-11-25"), 1);
  EXPECT_EQ(gold.daily_active_users.at("2026-11-26"), 4);
  EXPECT_EQ(gold.daily_active_users.at("2026-11-27"), 1);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-25").total_revenue, 0.0);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-26").total_revenue, 5.0);
  EXPECT_EQ(gold.revenue_daily.at("2026-11-26").total_purchases, 2);
}

TEST(RecountGold, DayAndHourBoundariesBeforeAndAfterEpoch) {
  const std::vector<Event> events = {
      purchase("p1", -1, "u1", "o1", 10.0),         // 1969-12-31 23:59:59.999
      purchase("p2", 0, "u1", "o2", 20.0),          // 1970-01-01 00:00:00.000
      purchase("p3", -kDay, "u2", "o3", 30.0),      // 1969-12-31 00:00:00.000
      purchase("p4", kHour - 1, "u2", "o4", 40.0),  // 1970-01-01 00:59:59.999
      purchase("p5", kHour, "u2", "o5", 50.0),      // 1970-01-01 01:00:00.000
  };
  const GoldRecount gold = recount_gold(events);

  ASSERT_EQ(gold.revenue_daily.size(), 2u);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("1969-12-31").total_revenue, 40.0);
  EXPECT_EQ(gold.revenue_daily.at("1969-12-31").total_purchases, 2);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("1970-01-01").total_revenue, 110.0);
  EXPECT_EQ(gold.daily_active_users.at("1969-12-31"), 2);
  EXPECT_EQ(gold.daily_active_users.at("1970-01-01"), 2);

  using Key = std::pair<Date, int>;
  ASSERT_EQ(gold.hourly_revenue.size(), 4u);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"1969-12-31", 23}).revenue, 10.0);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"1969-12-31", 0}).revenue, 30.0);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"1970-01-01", 0}).revenue, 60.0);
  EXPECT_EQ(gold.hourly_revenue.at(Key{"1970-01-01", 0}).orders, 2);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"1970-01-01", 1}).revenue, 50.0);
}

TEST(RecountGold, SourcesAreLowerCasedAndEmptyIsUnknown) {
  const std::vector<Event> events = {
      event("s1", EventType::view, kNov25, "u1", "", "Web"),
      event("s2", EventType::view, kNov25, "u1", "", "web"),
      event("s3", EventType::view, kNov25, "u1", "", "WEB"),
      event("s4", EventType::view, kNov25, "u1", "", ""),
      event("s5", EventType::view, kNov25, "u1", "", "APP"),
      event("s6", EventType::view, kNov26, "u1", "", ""),
  };
  const GoldRecount gold = recount_gold(events);

  using Key = std::pair<Date, std::string>;
  ASSERT_EQ(gold.events_by_source_daily.size(), 4u);
  EXPECT_EQ(gold.events_by_source_daily.at(Key{"2026-11-25", "web"}), 3);
  EXPECT_EQ(gold.events_by_source_daily.at(Key{"2026-11-25", "unknown"}), 1);
  EXPECT_EQ(gold.events_by_source_daily.at(Key{"2026-11-25", "app"}), 1);
  EXPECT_EQ(gold.events_by_source_daily.at(Key{"2026-11-26", "unknown"}), 1);
}

TEST(RecountGold, ZeroDenominatorsGiveZeroRates) {
  const std::vector<Event> events = {
      // The 25th: activity without a view, a cart, a checkout or a purchase.
      event("z1", EventType::login, kNov25 + kHour, "u1"),
      event("z2", EventType::search, kNov25 + 2 * kHour, "u2"),
      // The 26th: carts and a purchase, but nobody viewed and nobody began a checkout.
      line("z3", EventType::add_to_cart, kNov26 + kHour, "u1", "toys", 5.0, 1),
      purchase("z4", kNov26 + 2 * kHour, "u1", "o1", 5.0),
  };
  const GoldRecount gold = recount_gold(events);

  const RevenueDay& quiet_revenue = gold.revenue_daily.at("2026-11-25");
  EXPECT_DOUBLE_EQ(quiet_revenue.total_revenue, 0.0);
  EXPECT_EQ(quiet_revenue.total_purchases, 0);
  EXPECT_DOUBLE_EQ(quiet_revenue.avg_order_value, 0.0);
  const ConversionDay& quiet_conversion = gold.conversion_rate_daily.at("2026-11-25");
  EXPECT_EQ(quiet_conversion.dau_count, 2);
  EXPECT_EQ(quiet_conversion.unique_buyers, 0);
  EXPECT_DOUBLE_EQ(quiet_conversion.conversion_rate, 0.0);
  const FunnelDay& quiet = gold.funnel_daily.at("2026-11-25");
  EXPECT_EQ(quiet.viewers, 0);
  EXPECT_EQ(quiet.cart_users, 0);
  EXPECT_EQ(quiet.checkout_users, 0);
  EXPECT_EQ(quiet.buyers, 0);
  EXPECT_DOUBLE_EQ(quiet.view_to_cart_rate, 0.0);
  EXPECT_DOUBLE_EQ(quiet.cart_to_checkout_rate, 0.0);
  EXPECT_DOUBLE_EQ(quiet.checkout_to_purchase_rate, 0.0);
  EXPECT_DOUBLE_EQ(quiet.overall_conversion_rate, 0.0);

  // Numerators above zero over zero denominators must still be 0, not inf.
  const FunnelDay& skewed = gold.funnel_daily.at("2026-11-26");
  EXPECT_EQ(skewed.viewers, 0);
  EXPECT_EQ(skewed.cart_users, 1);
  EXPECT_EQ(skewed.checkout_users, 0);
  EXPECT_EQ(skewed.buyers, 1);
  EXPECT_DOUBLE_EQ(skewed.view_to_cart_rate, 0.0);
  EXPECT_DOUBLE_EQ(skewed.cart_to_checkout_rate, 0.0);
  EXPECT_DOUBLE_EQ(skewed.checkout_to_purchase_rate, 0.0);
  EXPECT_DOUBLE_EQ(skewed.overall_conversion_rate, 0.0);
  EXPECT_DOUBLE_EQ(gold.conversion_rate_daily.at("2026-11-26").conversion_rate, 1.0);

  // No sessions anywhere: no cart-abandonment rows, rather than rows of 0/0.
  EXPECT_TRUE(gold.cart_abandonment_daily.empty());
}

TEST(RecountGold, FunnelCountsDistinctUsersPerStep) {
  const std::vector<Event> events = {
      event("f1", EventType::view, kNov25, "u1"),
      event("f2", EventType::view, kNov25 + 1, "u1"),  // same viewer twice
      event("f3", EventType::view, kNov25, "u2"),
      event("f4", EventType::view, kNov25, "u3"),
      event("f5", EventType::view, kNov25, "u4"),
      line("f6", EventType::add_to_cart, kNov25, "u1", "toys", 1.0, 1),
      line("f7", EventType::add_to_cart, kNov25, "u2", "toys", 1.0, 1),
      event("f8", EventType::begin_checkout, kNov25, "u1"),
      purchase("f9", kNov25, "u1", "o1", 1.0),
      purchase("f10", kNov25, "u1", "o2", 1.0),  // same buyer twice
  };
  const GoldRecount recount = recount_gold(events);
  const FunnelDay& funnel = recount.funnel_daily.at("2026-11-25");
  EXPECT_EQ(funnel.viewers, 4);
  EXPECT_EQ(funnel.cart_users, 2);
  EXPECT_EQ(funnel.checkout_users, 1);
  EXPECT_EQ(funnel.buyers, 1);
  EXPECT_DOUBLE_EQ(funnel.view_to_cart_rate, 0.5);
  EXPECT_DOUBLE_EQ(funnel.cart_to_checkout_rate, 0.5);
  EXPECT_DOUBLE_EQ(funnel.checkout_to_purchase_rate, 1.0);
  EXPECT_DOUBLE_EQ(funnel.overall_conversion_rate, 0.25);
}

TEST(RecountGold, MultiLineOrdersCountOnce) {
  const std::vector<Event> events = {
      purchase("m1", kNov25 + 10 * kHour + 5 * kMinute, "u1", "o1", 19.99, 2, "Books"),
      purchase("m2", kNov25 + 10 * kHour + 20 * kMinute, "u1", "o1", 5.00, 1, "books"),
      purchase("m3", kNov25 + 11 * kHour, "u1", "o1", 0.333, 3, "TOYS"),
      purchase("m4", kNov25 + 10 * kHour + 30 * kMinute, "u2", "o2", 10.00, 1, "toys"),
  };
  const GoldRecount gold = recount_gold(events);

  // 39.98 + 5.00 + 0.999 + 10.00 = 55.979 over 2 orders.
  const RevenueDay& revenue = gold.revenue_daily.at("2026-11-25");
  EXPECT_DOUBLE_EQ(revenue.total_revenue, 55.98);
  EXPECT_EQ(revenue.total_purchases, 2);
  EXPECT_DOUBLE_EQ(revenue.avg_order_value, 27.99);  // 27.9895
  EXPECT_EQ(gold.conversion_rate_daily.at("2026-11-25").unique_buyers, 2);
  EXPECT_DOUBLE_EQ(gold.conversion_rate_daily.at("2026-11-25").conversion_rate, 1.0);

  using CategoryKey = std::pair<Date, std::string>;
  ASSERT_EQ(gold.category_sales_daily.size(), 2u);
  const CategoryDay& books = gold.category_sales_daily.at(CategoryKey{"2026-11-25", "books"});
  EXPECT_EQ(books.units_sold, 3);
  EXPECT_DOUBLE_EQ(books.category_revenue, 44.98);
  const CategoryDay& toys = gold.category_sales_daily.at(CategoryKey{"2026-11-25", "toys"});
  EXPECT_EQ(toys.units_sold, 4);
  EXPECT_DOUBLE_EQ(toys.category_revenue, 11.00);  // 10.999

  // o1 spans two hours, so it counts once in each: hourly orders need not add up to the day's.
  using HourKey = std::pair<Date, int>;
  ASSERT_EQ(gold.hourly_revenue.size(), 2u);
  const HourRevenue& ten = gold.hourly_revenue.at(HourKey{"2026-11-25", 10});
  EXPECT_DOUBLE_EQ(ten.revenue, 54.98);
  EXPECT_EQ(ten.orders, 2);
  EXPECT_EQ(ten.units_sold, 4);
  const HourRevenue& eleven = gold.hourly_revenue.at(HourKey{"2026-11-25", 11});
  EXPECT_DOUBLE_EQ(eleven.revenue, 1.00);  // 0.999
  EXPECT_EQ(eleven.orders, 1);
  EXPECT_EQ(eleven.units_sold, 3);
}

TEST(RecountGold, HourlyBucketsCoverTheWholeDay) {
  const std::vector<Event> events = {
      purchase("h1", kNov25, "u1", "o1", 1.0, 1),
      purchase("h2", kNov25 + 59 * kMinute + 59 * kSecond + 999, "u1", "o2", 2.0, 2),
      purchase("h3", kNov25 + 12 * kHour + 30 * kMinute, "u2", "o3", 3.0, 1),
      purchase("h4", kNov26 - 1, "u3", "o4", 4.0, 1),
      purchase("h5", kNov26, "u3", "o5", 5.0, 1),
  };
  const GoldRecount gold = recount_gold(events);

  using Key = std::pair<Date, int>;
  ASSERT_EQ(gold.hourly_revenue.size(), 4u);
  const HourRevenue& midnight = gold.hourly_revenue.at(Key{"2026-11-25", 0});
  EXPECT_DOUBLE_EQ(midnight.revenue, 5.0);
  EXPECT_EQ(midnight.orders, 2);
  EXPECT_EQ(midnight.units_sold, 3);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"2026-11-25", 12}).revenue, 3.0);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"2026-11-25", 23}).revenue, 4.0);
  EXPECT_DOUBLE_EQ(gold.hourly_revenue.at(Key{"2026-11-26", 0}).revenue, 5.0);
}

TEST(RecountGold, CentsAreRoundedOnceOnTheFinalSum) {
  const std::vector<Event> events = {
      // Three lines of 0.4 cents: 1.2 cents in all, though each line alone rounds to nothing.
      purchase("r1", kNov25, "u1", "o1", 0.004, 1),
      purchase("r2", kNov25, "u1", "o1", 0.004, 1),
      purchase("r3", kNov25, "u1", "o1", 0.004, 1),
      // Exactly half a cent (0.125 is a binary fraction) rounds away from zero.
      purchase("r4", kNov26, "u1", "o2", 0.0625, 2),
  };
  const GoldRecount gold = recount_gold(events);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-25").total_revenue, 0.01);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-26").total_revenue, 0.13);
  EXPECT_DOUBLE_EQ(gold.revenue_daily.at("2026-11-26").avg_order_value, 0.13);
}

TEST(RecountGold, AverageOrderValueUsesTheUnroundedRevenue) {
  // Revenue 1.006 over 2 orders: 0.503 -> 0.50, whereas 1.01 / 2 would give 0.505 -> 0.51.
  const std::vector<Event> events = {
      purchase("v1", kNov25, "u1", "o1", 0.503),
      purchase("v2", kNov25, "u2", "o2", 0.503),
  };
  const GoldRecount recount = recount_gold(events);
  const RevenueDay& revenue = recount.revenue_daily.at("2026-11-25");
  EXPECT_DOUBLE_EQ(revenue.total_revenue, 1.01);
  EXPECT_DOUBLE_EQ(revenue.avg_order_value, 0.50);
}

TEST(RecountGold, PurchasesWithoutAnOrderIdAddRevenueButNoOrder) {
  const std::vector<Event> events = {
      purchase("n1", kNov25 + kHour, "u1", "", 7.5, 2),
  };
  const GoldRecount gold = recount_gold(events);
  const RevenueDay& revenue = gold.revenue_daily.at("2026-11-25");
  EXPECT_DOUBLE_EQ(revenue.total_revenue, 15.0);
  EXPECT_EQ(revenue.total_purchases, 0);
  EXPECT_DOUBLE_EQ(revenue.avg_order_value, 0.0);
  const HourRevenue& hour = gold.hourly_revenue.at({"2026-11-25", 1});
  EXPECT_DOUBLE_EQ(hour.revenue, 15.0);
  EXPECT_EQ(hour.orders, 0);
  EXPECT_EQ(hour.units_sold, 2);
  EXPECT_EQ(gold.conversion_rate_daily.at("2026-11-25").unique_buyers, 1);
}

}  // namespace
}  // namespace shoplake::testing
