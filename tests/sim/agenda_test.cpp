// The calendar queue behind the simulator's event order, against a plain ordered set.
#include "agenda.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "shoplake/sim/random.hpp"

namespace shoplake::sim {
namespace {

constexpr std::int64_t kEpochMs = 1'700'000'000'000;

TEST(Agenda, DrainsInTimeThenSlotOrder) {
  Agenda agenda(kEpochMs);
  agenda.push(kEpochMs + 5000, 3);
  agenda.push(kEpochMs + 5000, 1);
  agenda.push(kEpochMs + 999, 7);
  agenda.push(kEpochMs + 1000, 2);
  std::vector<std::pair<std::int64_t, std::uint32_t>> order;
  while (!agenda.empty()) {
    order.emplace_back(agenda.top_ms() - kEpochMs, agenda.top_slot());
    agenda.pop();
  }
  EXPECT_EQ(order, (std::vector<std::pair<std::int64_t, std::uint32_t>>{
                       {999, 7}, {1000, 2}, {5000, 1}, {5000, 3}}));
}

// Steps are scheduled the way the simulator does: from "now" (the step just served, or a new
// session's start, which may lie before everything pending) up to 25 minutes ahead, sometimes at
// the same instant (an order's next line).
TEST(Agenda, MatchesAnOrderedSetUnderTheSimulatorsUsage) {
  Agenda agenda(kEpochMs);
  std::set<std::pair<std::int64_t, std::uint32_t>> expected;
  std::vector<std::uint32_t> free_slots;
  std::uint32_t next_slot = 0;
  Random random(9);
  std::int64_t now = kEpochMs;
  const auto take_slot = [&] {
    if (free_slots.empty()) return next_slot++;
    const std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  };
  const auto gap = [&random]() -> std::int64_t {
    const double u = random.uniform();
    if (u < 0.05) return 0;
    if (u < 0.10) return static_cast<std::int64_t>(random.below(25 * 60 * 1000));
    return static_cast<std::int64_t>(random.exponential(20000));
  };
  for (int step = 0; step < 300000; ++step) {
    ASSERT_EQ(agenda.empty(), expected.empty());
    if (expected.empty() || random.chance(0.2)) {
      // A new session starts somewhere between now and the earliest pending step.
      const std::int64_t latest = expected.empty() ? now + 600000 : expected.begin()->first;
      now += static_cast<std::int64_t>(random.below(static_cast<std::uint32_t>(latest - now + 1)));
      const std::uint32_t slot = take_slot();
      const std::int64_t due = std::min(now + gap(), now + 25 * 60 * 1000);
      agenda.push(due, slot);
      expected.emplace(due, slot);
      continue;
    }
    ASSERT_EQ(agenda.top_ms(), expected.begin()->first);
    ASSERT_EQ(agenda.top_slot(), expected.begin()->second);
    const auto [due, slot] = *expected.begin();
    expected.erase(expected.begin());
    now = due;
    if (random.chance(0.15)) {
      agenda.pop();
      free_slots.push_back(slot);
    } else {
      const std::int64_t next = std::min(now + gap(), now + 25 * 60 * 1000);
      agenda.replace_top(next, slot);
      expected.emplace(next, slot);
    }
  }
}

TEST(Agenda, RefusesStepsBeyondItsHorizon) {
  Agenda agenda(kEpochMs);
  agenda.push(kEpochMs, 0);
  EXPECT_THROW(agenda.push(kEpochMs + 3600 * 1000, 1), std::logic_error);
  EXPECT_THROW(agenda.push(kEpochMs, Agenda::kMaxSlots), std::length_error);
}

}  // namespace
}  // namespace shoplake::sim
