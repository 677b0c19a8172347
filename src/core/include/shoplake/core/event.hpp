// The shop event of DESIGN.md ("Events"): the one contract every component speaks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoplake::core {

enum class EventType : std::uint8_t {
  login,
  logout,
  view,
  search,
  add_to_cart,
  remove_from_cart,
  begin_checkout,
  purchase,
};
inline constexpr std::size_t kEventTypeCount = 8;

// Canonical lower-case names, indexed by EventType.
inline constexpr std::array<std::string_view, kEventTypeCount> kEventTypeNames = {
    "login",       "logout",           "view",           "search",
    "add_to_cart", "remove_from_cart", "begin_checkout", "purchase",
};

// The same names in byte order, as a sort by name puts them.
inline constexpr std::array<std::string_view, kEventTypeCount> kEventTypeNamesInByteOrder = [] {
  auto names = kEventTypeNames;
  std::sort(names.begin(), names.end());
  return names;
}();

constexpr std::string_view to_string(EventType type) {
  return kEventTypeNames[static_cast<std::size_t>(type)];
}

// Canonical names only; GA4 aliases (view_item, …) are the parser's business.
std::optional<EventType> event_type_from_name(std::string_view name);

// Cart and purchase events carry a product line (product_id, category, price, quantity).
constexpr bool carries_product(EventType type) {
  return type == EventType::add_to_cart || type == EventType::remove_from_cart ||
         type == EventType::purchase;
}

// Contract limits (DESIGN.md).
inline constexpr std::size_t kMaxEventIdLength = 64;
inline constexpr std::size_t kMaxUserIdLength = 128;
inline constexpr std::string_view kDefaultCurrency = "USD";

// A validated event whose strings point into memory owned by someone else (the parser's buffer,
// the simulator's scratch space). Valid only for the duration of the call that hands it out;
// this is what flows on the hot path, so that no event costs an allocation.
struct EventView {
  std::string_view event_id;
  EventType type = EventType::view;
  std::int64_t ts_ms = 0;  // event time, UTC epoch milliseconds
  std::string_view user_id;
  std::string_view session_id;  // empty: none sent
  std::string_view source;      // empty: none sent
  std::string_view product_id;  // empty unless carries_product(type)
  std::string_view category;
  double price = 0;           // meaningful when carries_product(type)
  std::int32_t quantity = 0;  // meaningful when carries_product(type)
  std::string_view order_id;  // empty unless purchase
  std::string_view currency = kDefaultCurrency;
  std::string_view properties;  // a JSON object's text with every non-contract field, or empty
};

// The owning form of EventView, for tests and for code off the hot path.
struct Event {
  std::string event_id;
  EventType type = EventType::view;
  std::int64_t ts_ms = 0;
  std::string user_id;
  std::string session_id;
  std::string source;
  std::string product_id;
  std::string category;
  double price = 0;
  std::int32_t quantity = 0;
  std::string order_id;
  std::string currency{kDefaultCurrency};
  std::string properties;

  Event() = default;
  explicit Event(const EventView& view);
  EventView view() const;
  bool operator==(const Event&) const = default;
};

}  // namespace shoplake::core
