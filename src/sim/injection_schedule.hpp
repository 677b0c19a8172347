// The injections of one run as absolute event-time windows, and what they do at an instant.
#pragma once

#include <cstdint>
#include <vector>

#include "shoplake/sim/injection.hpp"

namespace shoplake::sim {

class InjectionSchedule {
 public:
  InjectionSchedule(const std::vector<Injection>& injections, std::int64_t start_ms);

  // Multiplier of the session start rate: the product of active spikes and drops.
  double traffic_multiplier(std::int64_t ts_ms) const;
  // Multiplier of list prices: the product of active revenue drops.
  double price_multiplier(std::int64_t ts_ms) const;
  // Multiplier of the chance that a checkout turns into a purchase: 0 under zero_purchases, the
  // product of active conversion drops otherwise.
  double purchase_multiplier(std::int64_t ts_ms) const;
  // The first window start or end after `ts_ms`, or INT64_MAX: where the multipliers may change.
  std::int64_t next_boundary_after(std::int64_t ts_ms) const;

 private:
  struct Window {
    InjectionKind kind;
    std::int64_t begin_ms;
    std::int64_t end_ms;
    double factor;
  };
  double product_of(std::int64_t ts_ms, bool (*applies)(InjectionKind)) const;
  std::vector<Window> windows_;
};

}  // namespace shoplake::sim
