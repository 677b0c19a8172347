#include "injection_schedule.hpp"

#include <limits>

namespace shoplake::sim {

InjectionSchedule::InjectionSchedule(const std::vector<Injection>& injections,
                                     std::int64_t start_ms) {
  windows_.reserve(injections.size());
  for (const Injection& injection : injections) {
    const std::int64_t begin = start_ms + injection.offset_ms;
    windows_.push_back(
        Window{injection.kind, begin, begin + injection.duration_ms,
               injection.kind == InjectionKind::zero_purchases ? 0.0 : injection.factor});
  }
}

double InjectionSchedule::product_of(std::int64_t ts_ms, bool (*applies)(InjectionKind)) const {
  double product = 1;
  for (const Window& window : windows_) {
    if (applies(window.kind) && ts_ms >= window.begin_ms && ts_ms < window.end_ms) {
      product *= window.factor;
    }
  }
  return product;
}

double InjectionSchedule::traffic_multiplier(std::int64_t ts_ms) const {
  return product_of(ts_ms, [](InjectionKind kind) {
    return kind == InjectionKind::traffic_spike || kind == InjectionKind::traffic_drop;
  });
}

double InjectionSchedule::price_multiplier(std::int64_t ts_ms) const {
  return product_of(ts_ms, [](InjectionKind kind) { return kind == InjectionKind::revenue_drop; });
}

double InjectionSchedule::purchase_multiplier(std::int64_t ts_ms) const {
  return product_of(ts_ms, [](InjectionKind kind) {
    return kind == InjectionKind::zero_purchases || kind == InjectionKind::conversion_drop;
  });
}

std::int64_t InjectionSchedule::next_boundary_after(std::int64_t ts_ms) const {
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const Window& window : windows_) {
    if (window.begin_ms > ts_ms && window.begin_ms < next) next = window.begin_ms;
    if (window.end_ms > ts_ms && window.end_ms < next) next = window.end_ms;
  }
  return next;
}

}  // namespace shoplake::sim
