// The parts of the model: random numbers, the catalogue, the traffic curve.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "shoplake/core/time.hpp"
#include "shoplake/sim/catalog.hpp"
#include "shoplake/sim/random.hpp"
#include "shoplake/sim/traffic.hpp"

namespace shoplake::sim {
namespace {

TEST(Random, SameSeedSameSequenceDifferentSeedDifferent) {
  Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Random, LogarithmMatchesTheLibrary) {
  Random random(1);
  for (int i = 0; i < 100000; ++i) {
    const double x = random.uniform_positive();
    ASSERT_NEAR(log_unit_interval(x), std::log(x), 1e-13 * std::max(1.0, -std::log(x))) << x;
  }
  EXPECT_EQ(log_unit_interval(1.0), 0.0);
  EXPECT_NEAR(log_unit_interval(0x1.0p-53), std::log(0x1.0p-53), 1e-12);
}

TEST(Random, DistributionsHaveTheirMeansAndTails) {
  Random random(2);
  constexpr int kDraws = 1000000;
  double sum = 0;
  int beyond_three = 0;
  double geometric_sum = 0;
  int below = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = random.exponential(2.0);
    ASSERT_GE(x, 0);
    sum += x;
    beyond_three += x > 6.0 ? 1 : 0;                         // P(Exp(mean 2) > 6) = e^-3
    geometric_sum += random.geometric(std::log(4.0 / 5.0));  // mean 4
    below += random.below(10) < 3 ? 1 : 0;
  }
  EXPECT_NEAR(sum / kDraws, 2.0, 0.01);
  EXPECT_NEAR(beyond_three / double{kDraws}, std::exp(-3.0), 0.002);
  EXPECT_NEAR(geometric_sum / kDraws, 4.0, 0.03);
  EXPECT_NEAR(below / double{kDraws}, 0.3, 0.002);
}

TEST(Catalog, EightCategoriesOfProductsWithFixedPricesInRange) {
  const Catalog catalog;
  ASSERT_EQ(kCategories.size(), 8u);
  double shares = 0;
  std::set<std::string> ids;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    const CategorySpec& spec = kCategories[c];
    shares += spec.share_of_cart_adds;
    const auto products = catalog.category_products(c);
    ASSERT_EQ(products.size(), spec.product_count);
    double previous = 0;
    for (const Product& product : products) {
      EXPECT_EQ(product.category, c);
      EXPECT_GE(product.price, spec.min_price) << product.id;
      EXPECT_LE(product.price, spec.max_price) << product.id;
      EXPECT_GE(product.price, previous) << "numbered from the cheapest up";
      previous = product.price;
      EXPECT_TRUE(ids.insert(product.id).second) << product.id;
      EXPECT_EQ(catalog.find(product.id), &product);
    }
  }
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_EQ(catalog.find("no-such-product"), nullptr);
  EXPECT_EQ(Catalog().products()[17].price, catalog.products()[17].price) << "the same every run";
}

TEST(Catalog, PicksFollowTheCategoryShares) {
  const Catalog catalog;
  Random random(3);
  std::array<int, kCategoryCount> picks{};
  constexpr int kPicks = 200000;
  for (int i = 0; i < kPicks; ++i) ++picks[catalog.products()[catalog.pick(random)].category];
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    EXPECT_NEAR(picks[c] / double{kPicks}, kCategories[c].share_of_cart_adds, 0.005)
        << kCategories[c].name;
  }
}

TEST(Traffic, CurvesAverageToOne) {
  double day = 0;
  constexpr int kSteps = 24 * 60;
  for (int minute = 0; minute < kSteps; ++minute) day += hour_of_day_factor((minute + 0.5) / 60);
  EXPECT_NEAR(day / kSteps, 1.0, 1e-3);
  double week = 0;
  for (int weekday = 0; weekday < 7; ++weekday) week += day_of_week_factor(weekday);
  EXPECT_NEAR(week / 7, 1.0, 1e-12);
}

TEST(Traffic, QuietNightsBusyEveningsBusierWeekends) {
  EXPECT_LT(hour_of_day_factor(4), 0.3);
  EXPECT_GT(hour_of_day_factor(20), 1.6);
  EXPECT_LT(hour_of_day_factor(7), hour_of_day_factor(11));
  EXPECT_GT(day_of_week_factor(5), day_of_week_factor(2));
  EXPECT_GT(day_of_week_factor(6), day_of_week_factor(5));
  // 2026-11-25 is a Wednesday, 2026-11-29 a Sunday, 1970-01-01 a Thursday.
  const std::int64_t wednesday = core::days_from_civil(2026, 11, 25) * core::kMillisPerDay;
  EXPECT_EQ(weekday_of(wednesday), 2);
  EXPECT_EQ(weekday_of(wednesday + 4 * core::kMillisPerDay + 1), 6);
  EXPECT_EQ(weekday_of(0), 3);
  EXPECT_EQ(weekday_of(-1), 2);
  EXPECT_NEAR(traffic_factor(wednesday + 20 * core::kMillisPerHour),
              hour_of_day_factor(20) * day_of_week_factor(2), 1e-12);
}

}  // namespace
}  // namespace shoplake::sim
