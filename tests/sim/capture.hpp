// Runs of the simulator kept in compact form for the tests, and the daily figures the gold tables
// compute (DESIGN.md): buyers / DAU, cart abandonment, average order value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/event.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::sim::testing {

// 2026-11-25, a Wednesday, and 2026-11-20, a Friday, at midnight UTC.
inline constexpr std::int64_t kWednesdayMs = 20782 * core::kMillisPerDay;
inline constexpr std::int64_t kFridayMs = 20777 * core::kMillisPerDay;

struct CapturedEvent {
  std::int64_t ts_ms;
  core::EventType type;
  bool mobile;
  std::uint32_t user;     // the number in "u000123"
  std::uint32_t session;  // the number at the end of "s-<run tag>-<number>"
  std::int32_t order;     // the number at the end of "o-<run tag>-<number>", -1 if none
  std::int32_t product;   // index into the catalogue, -1 if none
  double price;
  std::int32_t quantity;
};

struct Capture {
  std::vector<CapturedEvent> events;
  // Ids that do not follow "<e|s|o>-<run tag>-<number>" with the run's one tag, or event ids
  // whose numbers do not strictly increase (which would allow a repeat).
  std::uint64_t bad_ids = 0;
  // Events that break the contract of DESIGN.md "Events" (see capture()), with the first reason.
  std::uint64_t contract_violations = 0;
  std::string first_violation;
};

// Every event of a run, checking each against the event contract on the way.
Capture capture(const SimulatorConfig& config);

// 24 hours of a default shop from Wednesday midnight, generated once per seed and shared.
const Capture& one_day(std::uint64_t seed);

struct DayFigures {
  std::uint64_t daily_active_users = 0;
  std::uint64_t buyers = 0;
  std::uint64_t sessions_with_cart = 0;
  std::uint64_t sessions_with_purchase = 0;  // of those with a cart
  std::uint64_t orders = 0;
  double revenue = 0;
  double conversion() const { return static_cast<double>(buyers) / daily_active_users; }
  double abandonment() const {
    return 1.0 - static_cast<double>(sessions_with_purchase) / sessions_with_cart;
  }
  double average_order_value() const { return revenue / orders; }
};

// The figures of events in [from_ms, to_ms), optionally of one device's users only.
DayFigures figures_of(const Capture& capture, std::int64_t from_ms, std::int64_t to_ms,
                      std::optional<bool> mobile = std::nullopt);

}  // namespace shoplake::sim::testing
