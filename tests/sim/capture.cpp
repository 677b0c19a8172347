#include "capture.hpp"

#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace shoplake::sim::testing {

namespace {

// The number at the end of "<kind>-<tag>-<number>" if the id has that shape with this `tag` (the
// first id seen sets it), else nullopt.
std::optional<std::uint64_t> id_number(std::string_view id, char kind, std::string& tag) {
  const std::size_t last_dash = id.rfind('-');
  if (id.size() < 5 || id[0] != kind || id[1] != '-' || last_dash <= 2) return std::nullopt;
  const std::string_view id_tag = id.substr(2, last_dash - 2);
  if (tag.empty()) tag = id_tag;
  if (id_tag != tag) return std::nullopt;
  std::uint64_t number = 0;
  const auto [end, error] =
      std::from_chars(id.data() + last_dash + 1, id.data() + id.size(), number);
  if (error != std::errc{} || end != id.data() + id.size()) return std::nullopt;
  return number;
}

// Why `event` breaks the contract, or empty.
std::string contract_problem(const core::EventView& event, const Catalog& catalog) {
  if (event.event_id.empty() || event.event_id.size() > core::kMaxEventIdLength) {
    return "event_id empty or too long";
  }
  if (event.user_id.size() < 2 || event.user_id.size() > core::kMaxUserIdLength ||
      event.user_id[0] != 'u') {
    return "user_id is not u<number>";
  }
  if (event.session_id.empty()) return "no session_id";
  if (event.source != "web" && event.source != "mobile") return "source is not web or mobile";
  if (event.currency != core::kDefaultCurrency) return "currency is not USD";
  if (core::carries_product(event.type)) {
    const Product* product = catalog.find(event.product_id);
    if (product == nullptr) return "product_id not in the catalogue";
    if (event.category != kCategories[product->category].name)
      return "category is not the product's";
    if (!(event.price >= 0)) return "price below 0";
    if (event.quantity < 1) return "quantity below 1";
  }
  if ((event.type == core::EventType::purchase) != !event.order_id.empty()) {
    return "order_id on a non-purchase or missing on a purchase";
  }
  return {};
}

}  // namespace

Capture capture(const SimulatorConfig& config) {
  Simulator simulator(config);
  Capture result;
  std::string tag;
  std::uint64_t last_event_number = 0;
  core::EventView event;
  while (simulator.next(event)) {
    if (const std::string problem = contract_problem(event, simulator.catalog());
        !problem.empty()) {
      if (result.contract_violations++ == 0) result.first_violation = problem;
      continue;
    }
    const auto event_number = id_number(event.event_id, 'e', tag);
    const auto session = id_number(event.session_id, 's', tag);
    const auto order = event.order_id.empty() ? std::optional<std::uint64_t>(0)
                                              : id_number(event.order_id, 'o', tag);
    if (!event_number || *event_number <= last_event_number || !session || !order) {
      ++result.bad_ids;
      continue;
    }
    last_event_number = *event_number;
    CapturedEvent captured{};
    captured.ts_ms = event.ts_ms;
    captured.type = event.type;
    captured.mobile = event.source == "mobile";
    std::from_chars(event.user_id.data() + 1, event.user_id.data() + event.user_id.size(),
                    captured.user);
    captured.session = static_cast<std::uint32_t>(*session);
    captured.order = event.order_id.empty() ? -1 : static_cast<std::int32_t>(*order);
    const Product* product = simulator.catalog().find(event.product_id);
    captured.product =
        product == nullptr
            ? -1
            : static_cast<std::int32_t>(product - simulator.catalog().products().data());
    captured.price = event.price;
    captured.quantity = event.quantity;
    result.events.push_back(captured);
  }
  return result;
}

const Capture& one_day(std::uint64_t seed) {
  static std::mutex mutex;
  static std::map<std::uint64_t, std::unique_ptr<Capture>> days;
  const std::lock_guard lock(mutex);
  std::unique_ptr<Capture>& day = days[seed];
  if (!day) {
    SimulatorConfig config;
    config.seed = seed;
    config.start_ms = kWednesdayMs;
    config.end_ms = kWednesdayMs + core::kMillisPerDay;
    day = std::make_unique<Capture>(capture(config));
  }
  return *day;
}

DayFigures figures_of(const Capture& capture, std::int64_t from_ms, std::int64_t to_ms,
                      std::optional<bool> mobile) {
  std::unordered_set<std::uint32_t> users;
  std::unordered_set<std::uint32_t> buyers;
  std::unordered_set<std::uint32_t> cart_sessions;
  std::unordered_set<std::uint32_t> purchase_sessions;
  std::unordered_set<std::int32_t> orders;
  DayFigures figures;
  for (const CapturedEvent& event : capture.events) {
    if (event.ts_ms < from_ms || event.ts_ms >= to_ms) continue;
    if (mobile && event.mobile != *mobile) continue;
    users.insert(event.user);
    if (event.type == core::EventType::add_to_cart) cart_sessions.insert(event.session);
    if (event.type == core::EventType::purchase) {
      buyers.insert(event.user);
      purchase_sessions.insert(event.session);
      orders.insert(event.order);
      figures.revenue += event.price * event.quantity;
    }
  }
  figures.daily_active_users = users.size();
  figures.buyers = buyers.size();
  figures.sessions_with_cart = cart_sessions.size();
  for (const std::uint32_t session : cart_sessions) {
    if (purchase_sessions.count(session) != 0) ++figures.sessions_with_purchase;
  }
  figures.orders = orders.size();
  return figures;
}

}  // namespace shoplake::sim::testing
