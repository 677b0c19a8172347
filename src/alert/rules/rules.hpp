// The one evaluation every rule goes through: the judged window, its baseline, the volume and
// warm-up guards, the comparison (ratio, or ratio and robust z) and the severity.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "baseline.hpp"
#include "minute_history.hpp"
#include "rule_catalog.hpp"

namespace shoplake::alert::rules {

struct Judgement {
  // False: disabled, warm-up, no baseline yet: neither a breach nor a clear minute.
  bool judged = false;
  // The window usually holds the minimum volume (and, for zero_purchases, traffic is present):
  // only then may a breach start an incident. A firing one is judged to its end regardless.
  bool enough_volume = false;
  bool breach = false;         // enough volume, beyond the factor, and beyond z for robust_z
  bool beyond_factor = false;  // beyond the factor: what keeps a firing incident open
  double value = 0;            // the judged window
  double expected = 0;         // its baseline
  double z = 0;                // robust z-score of the value against the baseline
  Severity severity = Severity::warning;  // meaningful when breach
  BaselineKind baseline = BaselineKind::rolling_trend;
};

class RuleJudge {
 public:
  explicit RuleJudge(const BaselineConfig& config) : estimator_(config) {}

  Judgement judge(const RuleSpec& spec, const RuleConfig& config, const MinuteHistory& history,
                  std::int64_t minute);

  // The baseline of a window, remembered for the rest of the minute: rules share quantities
  // (both traffic rules judge events, three rules ask for the usual orders).
  std::optional<Baseline> baseline(const MinuteHistory& history, Quantity quantity,
                                   std::int64_t end, std::uint32_t width);

 private:
  struct Remembered {
    Quantity quantity;
    std::uint32_t width;
    std::int64_t end;
    std::optional<Baseline> baseline;
  };
  // The spread a window of `quantity` has from counting alone (events, orders, buyers are counts):
  // a floor under the z-score's scale, so that a quiet hour does not make every wobble significant.
  double counting_noise(const MinuteHistory& history, Quantity quantity, double expected,
                        std::int64_t end, std::uint32_t width);
  bool usual_volume_reaches(const MinuteHistory& history, Quantity quantity, double minimum,
                            std::int64_t end, std::uint32_t width);

  BaselineEstimator estimator_;
  std::vector<Remembered> remembered_;
};

}  // namespace shoplake::alert::rules
