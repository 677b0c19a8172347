#include "hint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "alert_text.hpp"
#include "robust_statistics.hpp"

namespace shoplake::alert::rules {

namespace {

struct Family {
  const DimensionHistory* history;
  std::string_view label;  // "source"
  std::string_view unit;   // "events"
  Quantity format;         // how values print
};

struct Move {
  const Family* family = nullptr;
  std::size_t index = 0;
  double usual = 0;
  double now = 0;
  double moved = 0;  // in the incident's direction
  double share = 0;  // of the family's movement in that direction
};

// A part's usual window: the median of its windows over the baseline span before this one.
std::optional<double> usual_window(const DimensionHistory& history, std::size_t index,
                                   std::int64_t end, std::uint32_t width,
                                   std::uint32_t baseline_minutes, std::vector<double>& values) {
  values.clear();
  for (std::int64_t sample_end = end - width - baseline_minutes + 1; sample_end <= end - width;
       ++sample_end) {
    if (const auto sum = history.window_sum(index, sample_end, width)) values.push_back(*sum);
  }
  if (values.size() < std::max<std::size_t>(3, baseline_minutes / 2)) return std::nullopt;
  return median_in_place(values);
}

// A part whose move could be chance is no hint: it must move by at least this share of its
// family's usual total, and a count by at least three times its counting noise (√n).
constexpr double kMinimumShareOfFamily = 0.05;
constexpr double kCountingNoiseMultiple = 3;

// Within each family the parts add up to a whole, so a part's share of the family's movement
// says how much of the change it explains: a spike of one source is 100 % that source, an even
// spike splits by size. The part explaining most of its own family's movement wins; comparing raw
// changes across families would always pick sources, which count every event.
std::optional<Move> largest_move(std::span<const Family> families, const HintFacts& facts) {
  const double sign = facts.spec->direction == Direction::up ? 1.0 : -1.0;
  std::optional<Move> best;
  std::vector<Move> moves;
  std::vector<double> scratch;
  for (const Family& family : families) {
    moves.clear();
    double family_usual = 0;
    double family_moved = 0;
    for (std::size_t i = 0; i < family.history->size(); ++i) {
      const auto now = family.history->window_sum(i, facts.minute, facts.width);
      const auto usual = usual_window(*family.history, i, facts.minute, facts.width,
                                      facts.baseline_minutes, scratch);
      if (!now || !usual) continue;
      family_usual += *usual;
      const double moved = sign * (*now - *usual);
      if (moved <= 0) continue;
      family_moved += moved;
      moves.push_back(Move{&family, i, *usual, *now, moved, 0});
    }
    for (Move& move : moves) {
      move.share = move.moved / family_moved;
      const bool counts = family.format != Quantity::revenue;
      if (move.moved < kMinimumShareOfFamily * family_usual ||
          (counts && move.moved < kCountingNoiseMultiple * std::sqrt(move.usual + 1))) {
        continue;
      }
      if (!best || move.share > best->share ||
          (move.share == best->share && move.moved > best->moved)) {
        best = move;
      }
    }
  }
  return best;
}

std::string describe(const Move& move, std::uint32_t width) {
  const std::string per = width == 1 ? "/min" : fmt::format(" in {} min", width);
  return fmt::format("{} {} moved most: {} → {} {}{} ({})", move.family->label,
                     move.family->history->name(move.index),
                     value_text(move.family->format, move.usual),
                     value_text(move.family->format, move.now), move.family->unit, per,
                     format_change(move.usual, move.now));
}

std::string dimension_hint(std::span<const Family> families, const HintFacts& facts,
                           std::string_view nothing_stands_out) {
  const auto move = largest_move(families, facts);
  if (!move) return std::string(nothing_stands_out);
  return describe(*move, facts.width);
}

std::string conversion_hint(const HintFacts& facts, const MinuteHistory& history,
                            RuleJudge& judge) {
  const auto users = history.window_value(Quantity::active_users, facts.minute, facts.width);
  const auto buyers = history.window_value(Quantity::buyers, facts.minute, facts.width);
  const auto usual_users =
      judge.baseline(history, Quantity::active_users, facts.minute, facts.width);
  if (!users || !buyers || !usual_users) return {};
  // Buyers the usual conversion would have made of the users who came.
  const double expected_buyers = facts.judgement->expected * *users;
  const bool users_rose = *users > 1.5 * usual_users->expected;
  return fmt::format(
      "{}: {} bought where the usual conversion gives {}; {} active users, usually {}",
      users_rose ? "more visitors, not more buyers" : "fewer buyers", format_count(*buyers),
      format_count(expected_buyers), format_count(*users), format_count(usual_users->expected));
}

std::string last_order_hint(const HintFacts& facts, const MinuteHistory& history,
                            std::uint32_t search_minutes) {
  const auto events = history.window_value(Quantity::events, facts.minute, facts.width);
  const std::string traffic = events ? fmt::format("; traffic goes on: {} events in {} min",
                                                   format_count(*events), facts.width)
                                     : std::string();
  const auto last = history.last_minute_with_orders(facts.minute, search_minutes);
  if (!last) return fmt::format("no order in the last {} min{}", search_minutes, traffic);
  return fmt::format("last order at {}, {} min before{}", format_clock(*last), facts.minute - *last,
                     traffic);
}

}  // namespace

std::string make_hint(const HintFacts& facts, const Breakdowns& breakdowns,
                      const MinuteHistory& history, RuleJudge& judge) {
  switch (facts.spec->hint) {
    case HintKind::traffic_dimensions: {
      const std::array<Family, 2> families = {{
          {breakdowns.events_by_source, "source", "events", Quantity::events},
          {breakdowns.events_by_category, "category", "cart and purchase events", Quantity::events},
      }};
      return dimension_hint(families, facts, "no single source or category stands out");
    }
    case HintKind::revenue_categories: {
      const std::array<Family, 1> families = {{
          {breakdowns.revenue_by_category, "category", "revenue", Quantity::revenue},
      }};
      return dimension_hint(families, facts, "no single category stands out");
    }
    case HintKind::conversion_parts:
      return conversion_hint(facts, history, judge);
    case HintKind::last_order:
      return last_order_hint(facts, history, 24 * 60);
  }
  return {};
}

}  // namespace shoplake::alert::rules
