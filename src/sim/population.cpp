#include "population.hpp"

#include <cmath>

#include "shoplake/core/time.hpp"

namespace shoplake::sim {

Population::Population(std::uint64_t seed, std::uint32_t initial_users, double users_per_hour,
                       std::int64_t start_ms)
    : seed_(mix64(seed ^ 0x7573657273ULL)),  // "users": independent of the other seeded streams
      initial_users_(initial_users),
      users_per_hour_(users_per_hour),
      start_ms_(start_ms) {
  users_.reserve(initial_users);
  for (std::uint32_t i = 0; i < initial_users; ++i) {
    users_.push_back(make_user(i));
    weight_sum_ += users_.back().visit_weight;
  }
}

User Population::make_user(std::uint32_t index) const {
  const std::uint64_t bits = mix64(seed_ + index);
  const double weight_u = static_cast<double>(bits >> 11) * 0x1.0p-53;
  const double device_u = static_cast<double>(mix64(bits) >> 11) * 0x1.0p-53;
  const double weight =
      kMinVisitWeight * std::exp(weight_u * std::log(kMaxVisitWeight / kMinVisitWeight));
  return User{static_cast<float>(weight), device_u < kMobileShare ? Device::mobile : Device::web};
}

void Population::grow_to(std::int64_t ts_ms) {
  if (ts_ms <= start_ms_ || users_per_hour_ <= 0) return;
  const double joined = static_cast<double>(ts_ms - start_ms_) * users_per_hour_ /
                        static_cast<double>(core::kMillisPerHour);
  const auto target =
      static_cast<std::uint64_t>(initial_users_) + static_cast<std::uint64_t>(joined);
  while (users_.size() < target && users_.size() < UINT32_MAX) {
    users_.push_back(make_user(static_cast<std::uint32_t>(users_.size())));
    weight_sum_ += users_.back().visit_weight;
  }
}

double Population::mean_visit_weight() {
  return (kMaxVisitWeight - kMinVisitWeight) / std::log(kMaxVisitWeight / kMinVisitWeight);
}

std::uint32_t Population::pick(Random& random) const {
  // Rejection sampling: cheap, exact, and needs no index to rebuild as users join.
  for (;;) {
    const std::uint32_t candidate = random.below(size());
    if (random.uniform() * kMaxVisitWeight < users_[candidate].visit_weight) return candidate;
  }
}

}  // namespace shoplake::sim
