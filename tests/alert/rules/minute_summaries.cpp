#include "minute_summaries.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace shoplake::alert::testing {

namespace {

// A breakdown by a handful of names (2 sources, 8 categories): a linear scan beats a map and
// allocates only when a name is first seen.
class Breakdown {
 public:
  void add(std::string_view name, double value) {
    for (auto& [known, sum] : sums_) {
      if (known == name) {
        sum += value;
        return;
      }
    }
    sums_.emplace_back(std::string(name), value);
  }
  std::vector<core::DimensionValue> largest_first() const {
    std::vector<core::DimensionValue> out;
    for (const auto& [name, sum] : sums_) out.push_back(core::DimensionValue{name, sum});
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.value > b.value; });
    return out;
  }
  void clear() { sums_.clear(); }

 private:
  std::vector<std::pair<std::string, double>> sums_;
};

// Distinct users of a minute. Exact for any id; the simulator's "u000123" ids take a fast path (a
// stamp per user number) that keeps a 4-million-user shop quick enough to test.
class DistinctUsers {
 public:
  void start_minute() {
    ++minute_serial_;
    count_ = 0;
    others_.clear();
  }
  void add(std::string_view user_id) {
    if (const auto number = simulator_number(user_id)) {
      if (*number >= stamps_.size()) stamps_.resize(*number + 1 + *number / 2, 0);
      if (stamps_[*number] == minute_serial_) return;
      stamps_[*number] = minute_serial_;
      ++count_;
      return;
    }
    if (others_.emplace(user_id).second) ++count_;
  }
  std::uint64_t count() const { return count_; }

 private:
  static std::optional<std::uint32_t> simulator_number(std::string_view id) {
    if (id.size() < 2 || id.size() > 10 || id[0] != 'u') return std::nullopt;
    std::uint32_t number = 0;
    for (const char c : id.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      number = number * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return number;
  }

  std::uint32_t minute_serial_ = 0;
  std::uint64_t count_ = 0;
  std::vector<std::uint32_t> stamps_;
  std::unordered_set<std::string> others_;
};

class MinuteSummarizer {
 public:
  void start(std::int64_t minute_ms) {
    summary_ = core::MinuteSummary{};
    summary_.minute_ms = minute_ms;
    users_.start_minute();
    buyers_.start_minute();
    orders_.clear();  // keeps its buckets: no rehash growth every minute
    purchase_ids_.clear();
    by_source_.clear();
    by_category_.clear();
    revenue_by_category_.clear();
  }

  void add(const core::EventView& event) {
    ++summary_.events;
    users_.add(event.user_id);
    by_source_.add(event.source, 1);
    if (core::carries_product(event.type)) by_category_.add(event.category, 1);
    if (event.type != core::EventType::purchase) return;
    if (!purchase_ids_.emplace(event.event_id).second) return;  // counted once
    ++summary_.purchases;
    buyers_.add(event.user_id);
    orders_.emplace(event.order_id);
    const double amount = event.price * event.quantity;
    summary_.revenue += amount;
    revenue_by_category_.add(event.category, amount);
  }

  const core::MinuteSummary& finish() {
    summary_.active_users = users_.count();
    summary_.buyers = buyers_.count();
    summary_.orders = orders_.size();
    summary_.events_by_source = by_source_.largest_first();
    summary_.events_by_category = by_category_.largest_first();
    summary_.revenue_by_category = revenue_by_category_.largest_first();
    return summary_;
  }

 private:
  core::MinuteSummary summary_;
  DistinctUsers users_;
  DistinctUsers buyers_;
  std::unordered_set<std::string> orders_;
  std::unordered_set<std::string> purchase_ids_;
  Breakdown by_source_;
  Breakdown by_category_;
  Breakdown revenue_by_category_;
};

}  // namespace

void for_each_minute(const sim::SimulatorConfig& config,
                     const std::function<void(const core::MinuteSummary&)>& each) {
  sim::Simulator simulator(config);
  core::EventView event;
  std::int64_t minute_ms = config.start_ms - config.start_ms % core::kMillisPerMinute;
  MinuteSummarizer summarizer;
  summarizer.start(minute_ms);
  while (simulator.next(event)) {
    while (event.ts_ms >= minute_ms + core::kMillisPerMinute) {
      each(summarizer.finish());
      minute_ms += core::kMillisPerMinute;
      summarizer.start(minute_ms);
    }
    summarizer.add(event);
  }
  for (; minute_ms < config.end_ms; minute_ms += core::kMillisPerMinute) {
    each(summarizer.finish());
    summarizer.start(minute_ms + core::kMillisPerMinute);
  }
}

std::vector<core::MinuteSummary> minute_summaries(const sim::SimulatorConfig& config) {
  std::vector<core::MinuteSummary> out;
  for_each_minute(config, [&out](const core::MinuteSummary& summary) { out.push_back(summary); });
  return out;
}

}  // namespace shoplake::alert::testing
