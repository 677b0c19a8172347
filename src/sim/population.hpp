// The shop's users: who exists at an instant, how often each one comes back, and on what device.
#pragma once

#include <cstdint>
#include <vector>

#include "shoplake/sim/random.hpp"

namespace shoplake::sim {

enum class Device : std::uint8_t { web, mobile };

struct User {
  float visit_weight;  // relative propensity to start a session; see Population
  Device device;       // the user's preferred device, the `source` of their events
};

// Users 0 … initial-1 exist from the start; user initial + k joins k / users_per_hour hours after
// it. A user's attributes are a function of (seed, user index) only, so a user is the same person
// in every run with the same seed (a backfilled history and a live run agree on who u000042 is).
// Visit weights are log-uniform over [kMinVisitWeight, kMaxVisitWeight]: a few regulars come back
// 25 times as often as the occasional visitors.
class Population {
 public:
  static constexpr double kMinVisitWeight = 0.2;
  static constexpr double kMaxVisitWeight = 5.0;
  static constexpr double kMobileShare = 0.55;

  Population(std::uint64_t seed, std::uint32_t initial_users, double users_per_hour,
             std::int64_t start_ms);

  // Adds the users who have joined by `ts_ms`.
  void grow_to(std::int64_t ts_ms);

  std::uint32_t size() const { return static_cast<std::uint32_t>(users_.size()); }
  const User& user(std::uint32_t index) const { return users_[index]; }
  double visit_weight_sum() const { return weight_sum_; }
  static double mean_visit_weight();

  // A user for a new session, chosen with probability proportional to visit weight.
  std::uint32_t pick(Random& random) const;

 private:
  User make_user(std::uint32_t index) const;

  std::uint64_t seed_;
  std::uint32_t initial_users_;
  double users_per_hour_;
  std::int64_t start_ms_;
  std::vector<User> users_;
  double weight_sum_ = 0;
};

}  // namespace shoplake::sim
