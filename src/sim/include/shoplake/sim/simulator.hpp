// A shop that behaves like one: users who come back, sessions that follow the funnel
// login → view/search → add_to_cart (→ remove_from_cart) → begin_checkout → purchase → logout,
// carts, orders, a day/night and weekend rhythm, and injected anomalies. Deterministic: the same
// config gives the same events, byte for byte.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "shoplake/core/event.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/sim/catalog.hpp"
#include "shoplake/sim/injection.hpp"

namespace shoplake::sim {

// Traffic of more than this keeps millions of sessions open at once (a session lasts minutes),
// hundreds of megabytes of them: a load test wants Pacing::stamp_wall_clock instead.
inline constexpr double kMaxEventsPerSecond = 100000;

struct SimulatorConfig {
  std::uint64_t seed = 1;
  std::int64_t start_ms = 0;  // first instant of event time that is emitted
  std::int64_t end_ms = std::numeric_limits<std::int64_t>::max();  // emitted events have ts < end
  std::uint32_t initial_users = 1000;
  double users_per_hour = 10;  // new users joining, from start_ms on
  // Mean traffic over a week, in events per second of event time; the instantaneous rate follows
  // traffic_factor(). The default matches the original platform's producer. At most
  // kMaxEventsPerSecond.
  double events_per_second = 5;
  // The shop has been open before start_ms: the model runs this long before it, discarding what it
  // produces, so that start_ms finds sessions in progress instead of an empty shop. Capped at
  // about 500,000 discarded events (a few hundredths of a second), so huge rates start quickly.
  std::int64_t warmup_ms = 30 * core::kMillisPerMinute;
  std::vector<Injection> injections;  // offsets are from start_ms
};

// Throws std::invalid_argument naming the field if the config cannot describe a shop.
void validate(const SimulatorConfig& config);

class Simulator {
 public:
  explicit Simulator(const SimulatorConfig& config);
  ~Simulator();
  Simulator(Simulator&&) noexcept;
  Simulator& operator=(Simulator&&) noexcept;

  // The next event in event-time order (ts never decreases), or false at end_ms. The view's
  // strings point into the simulator's own buffers and stay valid until the next call.
  bool next(core::EventView& event);

  // The ts the next call to next() will return (≥ end_ms once the run is over).
  std::int64_t next_event_ms() const;
  // The simulation's event-time clock: the ts of the last event returned (start_ms before any).
  std::int64_t clock_ms() const;

  std::uint64_t events_emitted() const;
  std::uint32_t user_count() const;  // users who have joined by the last emitted event
  const Catalog& catalog() const;
  const SimulatorConfig& config() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::sim
