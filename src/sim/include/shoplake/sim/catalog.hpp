// The shop's assortment: 8 categories, each with its own price range, popularity and products.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shoplake/sim/random.hpp"

namespace shoplake::sim {

struct CategorySpec {
  std::string_view name;  // the `category` field of events
  std::string_view code;  // product ids are "<code>-NNNN"
  double min_price;       // list prices lie in [min_price, max_price]
  double max_price;
  double share_of_cart_adds;  // how often a cart line comes from this category; they sum to 1
  std::uint32_t product_count;
  // How strongly demand falls with price inside the category: products are numbered from the
  // cheapest up and one is drawn at fraction v^demand_skew of the list (v uniform), so the
  // cheapest tenth draws 10^(-1/demand_skew) of the cart lines: 46 % at 3, 22 % at 1.5.
  double demand_skew;
};

inline constexpr std::size_t kCategoryCount = 8;

// Cheap, often-bought categories (fashion, books, groceries) take most cart lines; electronics is
// rare and mostly its cheap end (cables outsell laptops), so it lifts order value without
// dominating it. With 2.2 lines an order this gives an average order value around 105.
inline constexpr std::array<CategorySpec, kCategoryCount> kCategories = {{
    {"electronics", "el", 50, 1500, 0.03, 120, 3.0},
    {"fashion", "fa", 10, 200, 0.22, 300, 1.5},
    {"home", "ho", 15, 400, 0.14, 200, 1.5},
    {"books", "bo", 5, 40, 0.15, 400, 1.5},
    {"beauty", "be", 5, 80, 0.12, 150, 1.5},
    {"sports", "sp", 10, 300, 0.10, 150, 1.5},
    {"toys", "to", 8, 120, 0.09, 150, 1.5},
    {"grocery", "gr", 2, 50, 0.15, 250, 1.5},
}};

struct Product {
  std::string id;
  std::uint8_t category;  // index into kCategories
  double price;           // list price, fixed for the product's life
};

// The catalogue is the same in every run and for every seed, so that a product keeps its price
// across a backfilled history, a live run and a rerun.
class Catalog {
 public:
  Catalog();

  const std::vector<Product>& products() const { return products_; }
  std::span<const Product> category_products(std::size_t category) const;
  const Product* find(std::string_view product_id) const;

  // A product for a cart line: a category by its share of cart adds, then a product within it,
  // demand falling with price (CategorySpec::demand_skew).
  std::uint32_t pick(Random& random) const;

 private:
  std::vector<Product> products_;
  std::array<std::uint32_t, kCategoryCount + 1> category_begin_{};
  std::array<double, kCategoryCount> cumulative_share_{};
  std::unordered_map<std::string_view, std::uint32_t> by_id_;
};

}  // namespace shoplake::sim
