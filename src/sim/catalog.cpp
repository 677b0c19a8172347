#include "shoplake/sim/catalog.hpp"

#include <algorithm>
#include <cmath>

namespace shoplake::sim {

namespace {

// The catalogue does not depend on the simulation seed (see Catalog), so it has its own.
constexpr std::uint64_t kCatalogSeed = 0x5ca1ab1e0ddba11ULL;

// Prices spread log-uniformly over the category's range (many cheap items, few dear ones) and end
// in .99, as shop prices do.
double list_price(const CategorySpec& spec, Random& random) {
  const double raw =
      spec.min_price * std::exp(random.uniform() * std::log(spec.max_price / spec.min_price));
  const double price = std::floor(raw) + 0.99;
  return price > spec.max_price ? spec.max_price - 0.01 : price;
}

std::string product_id(std::string_view code, std::uint32_t number) {
  std::string id(code);
  id.push_back('-');
  const std::string digits = std::to_string(number);
  if (digits.size() < 4) id.append(4 - digits.size(), '0');
  id.append(digits);
  return id;
}

}  // namespace

Catalog::Catalog() {
  Random random(kCatalogSeed);
  double cumulative = 0;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    const CategorySpec& spec = kCategories[c];
    category_begin_[c] = static_cast<std::uint32_t>(products_.size());
    std::vector<double> prices(spec.product_count);
    for (double& price : prices) price = list_price(spec, random);
    std::sort(prices.begin(), prices.end());
    for (std::uint32_t n = 1; n <= spec.product_count; ++n) {
      products_.push_back(
          Product{product_id(spec.code, n), static_cast<std::uint8_t>(c), prices[n - 1]});
    }
    cumulative += spec.share_of_cart_adds;
    cumulative_share_[c] = cumulative;
  }
  category_begin_[kCategoryCount] = static_cast<std::uint32_t>(products_.size());
  cumulative_share_[kCategoryCount - 1] = 1.0;  // the shares sum to 1 up to rounding
  by_id_.reserve(products_.size());
  for (std::uint32_t i = 0; i < products_.size(); ++i) by_id_.emplace(products_[i].id, i);
}

std::span<const Product> Catalog::category_products(std::size_t category) const {
  return std::span<const Product>(products_).subspan(
      category_begin_[category], category_begin_[category + 1] - category_begin_[category]);
}

const Product* Catalog::find(std::string_view product_id) const {
  const auto found = by_id_.find(product_id);
  return found == by_id_.end() ? nullptr : &products_[found->second];
}

std::uint32_t Catalog::pick(Random& random) const {
  const double u = random.uniform();
  std::size_t category = 0;
  while (category + 1 < kCategoryCount && u >= cumulative_share_[category]) ++category;
  const std::uint32_t count = category_begin_[category + 1] - category_begin_[category];
  const double position = std::pow(random.uniform(), kCategories[category].demand_skew);
  const auto within = static_cast<std::uint32_t>(position * count);
  return category_begin_[category] + within;
}

}  // namespace shoplake::sim
