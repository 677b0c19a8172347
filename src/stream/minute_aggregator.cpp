#include "shoplake/stream/minute_aggregator.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "dimension_dictionary.hpp"
#include "flat_hash_set.hpp"
#include "state_codec.hpp"
#include "string_hash.hpp"

namespace shoplake::stream {
namespace {

constexpr std::int64_t kNoMinute = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t kCheckpointMagic = 0x31304d5254534c53ULL;  // "SLSTRM01"
constexpr double kMicros = 1e6;
// Event times the validator lets through are within years of now; a checkpoint holding times
// beyond this (year 30000) is damaged, and arithmetic on them could overflow.
constexpr std::int64_t kMaxCheckpointTimeMs = std::int64_t{30'000} * 365 * core::kMillisPerDay;

std::int64_t minute_of(std::int64_t ts_ms) {
  const std::int64_t minute = ts_ms / core::kMillisPerMinute;
  return (ts_ms % core::kMillisPerMinute < 0) ? minute - 1 : minute;
}

// Two strings as one key: a session is a user's, an order line is an order's product. The first
// comes hashed already where the caller has its hash at hand.
std::uint64_t pair_key(std::uint64_t first_hash, std::string_view second) {
  return fold(first_hash, 0x9e3779b97f4a7c15ULL) ^ hash_of(second);
}

struct DimensionCell {
  std::uint16_t id = 0;
  std::uint64_t events = 0;
  std::uint64_t units = 0;
  std::int64_t revenue_micros = 0;
};

// A minute still accepting events also keeps what its distinct counts need.
struct OpenMinuteSets {
  FlatHashSet users;
  FlatHashSet buyers;
  FlatHashSet orders;
  FlatHashSet order_lines;
  void clear() {
    users.clear();
    buyers.clear();
    orders.clear();
    order_lines.clear();
  }
  std::size_t memory_bytes() const {
    return users.memory_bytes() + buyers.memory_bytes() + orders.memory_bytes() +
           order_lines.memory_bytes();
  }
};

struct MinuteSlot {
  std::int64_t minute = kNoMinute;
  std::array<std::uint64_t, core::kEventTypeCount> events_by_type{};
  std::int64_t revenue_micros = 0;
  std::uint64_t purchases = 0;
  std::uint64_t orders = 0;
  std::uint64_t active_users = 0;
  std::uint64_t buyers = 0;
  std::vector<DimensionCell> categories;
  std::vector<DimensionCell> sources;
  std::unique_ptr<OpenMinuteSets> open;

  void reset(std::int64_t new_minute) {
    minute = new_minute;
    events_by_type.fill(0);
    revenue_micros = 0;
    purchases = orders = active_users = buyers = 0;
    categories.clear();
    sources.clear();
  }
};

DimensionCell& cell_for(std::vector<DimensionCell>& cells, std::uint16_t id) {
  for (auto& cell : cells) {
    if (cell.id == id) return cell;
  }
  cells.push_back(DimensionCell{id, 0, 0, 0});
  return cells.back();
}

struct DayState {
  std::int64_t local_day = kNoMinute;
  std::int64_t starts_ms = 0;  // [starts_ms, ends_ms) in UTC: a cheap test for "same day"
  std::int64_t ends_ms = 0;
  std::uint64_t events = 0;
  std::uint64_t purchases = 0;
  std::int64_t revenue_micros = 0;
  std::int64_t last_event_ms = 0;
  FlatHashSet users;
  FlatHashSet buyers;
  FlatHashSet orders;
  FlatHashSet cart_sessions;
  FlatHashSet purchase_sessions;

  void start(const core::TimeZone& zone, std::int64_t day) {
    local_day = day;
    starts_ms = zone.start_of_local_day_utc_ms(day);
    ends_ms = zone.start_of_local_day_utc_ms(day + 1);
    events = purchases = 0;
    revenue_micros = 0;
    last_event_ms = 0;
    for (FlatHashSet* set : {&users, &buyers, &orders, &cart_sessions, &purchase_sessions}) {
      set->clear(1 << 16);
    }
  }
};

std::vector<core::DimensionValue> ranked(const std::vector<DimensionCell>& cells,
                                         const DimensionDictionary& names,
                                         double (*value_of)(const DimensionCell&)) {
  std::vector<core::DimensionValue> values;
  values.reserve(cells.size());
  for (const auto& cell : cells) {
    const double value = value_of(cell);
    if (value != 0) values.push_back({std::string(names.name(cell.id)), value});
  }
  std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  });
  return values;
}

double events_of(const DimensionCell& cell) {
  return static_cast<double>(cell.events);
}
double revenue_of(const DimensionCell& cell) {
  return static_cast<double>(cell.revenue_micros) / kMicros;
}

}  // namespace

std::int64_t revenue_micros(double price, std::int32_t quantity) {
  return std::llround(price * quantity * kMicros);
}

struct MinuteAggregator::State {
  explicit State(AggregatorOptions given)
      : options(std::move(given)),
        ring_minutes(std::max<std::int64_t>(1, options.retention_ms / core::kMillisPerMinute)),
        slots(static_cast<std::size_t>(ring_minutes)),
        categories(options.max_categories),
        sources(options.max_sources) {}

  AggregatorOptions options;
  std::int64_t ring_minutes;
  std::vector<MinuteSlot> slots;  // minute m lives at m mod ring_minutes
  DimensionDictionary categories;
  DimensionDictionary sources;
  DayState day;
  bool started = false;
  std::int64_t clock_ms = 0;
  std::int64_t first_minute = kNoMinute;     // of the first event counted
  std::int64_t closed_through = kNoMinute;   // minutes up to here accept nothing more
  std::int64_t settled_through = kNoMinute;  // minutes up to here went to the detector
  std::vector<std::int64_t> open_minutes;
  std::vector<std::unique_ptr<OpenMinuteSets>> spare_sets;
  AggregatorCounters counters;

  MinuteSlot& slot_at(std::int64_t minute) {
    const std::int64_t index = minute % ring_minutes;
    return slots[static_cast<std::size_t>(index < 0 ? index + ring_minutes : index)];
  }
  const MinuteSlot& slot_at(std::int64_t minute) const {
    return const_cast<State*>(this)->slot_at(minute);
  }
  const MinuteSlot* kept_slot(std::int64_t minute) const {
    const MinuteSlot& slot = slot_at(minute);
    return slot.minute == minute ? &slot : nullptr;
  }

  std::uint16_t dimension_id(DimensionDictionary& dictionary, std::string_view value) {
    bool overflowed = false;
    const std::uint16_t id = dictionary.id_of(value, overflowed);
    if (overflowed) ++counters.dimension_overflows;
    return id;
  }

  MinuteSlot& open_slot(std::int64_t minute) {
    MinuteSlot& slot = slot_at(minute);
    if (slot.minute != minute) slot.reset(minute);
    if (!slot.open) {
      if (spare_sets.empty()) {
        slot.open = std::make_unique<OpenMinuteSets>();
      } else {
        slot.open = std::move(spare_sets.back());
        spare_sets.pop_back();
      }
      open_minutes.push_back(minute);
    }
    return slot;
  }

  void close_through(std::int64_t minute) {
    if (minute <= closed_through) return;
    closed_through = minute;
    auto still_open = open_minutes.begin();
    for (const std::int64_t open : open_minutes) {
      if (open > minute) {
        *still_open++ = open;
        continue;
      }
      MinuteSlot& slot = slot_at(open);
      if (slot.minute == open && slot.open) {
        slot.open->clear();
        spare_sets.push_back(std::move(slot.open));
      }
    }
    open_minutes.erase(still_open, open_minutes.end());
    // The spares needed are as many as minutes open at once; more would be memory for nothing.
    while (spare_sets.size() > 4) spare_sets.pop_back();
  }

  core::MinuteSummary summary_of(std::int64_t minute) const {
    core::MinuteSummary summary;
    summary.minute_ms = minute * core::kMillisPerMinute;
    const MinuteSlot* slot = kept_slot(minute);
    if (!slot) return summary;
    for (const std::uint64_t count : slot->events_by_type) summary.events += count;
    summary.active_users = slot->active_users;
    summary.buyers = slot->buyers;
    summary.purchases = slot->purchases;
    summary.orders = slot->orders;
    summary.revenue = static_cast<double>(slot->revenue_micros) / kMicros;
    summary.events_by_source = ranked(slot->sources, sources, events_of);
    summary.events_by_category = ranked(slot->categories, categories, events_of);
    summary.revenue_by_category = ranked(slot->categories, categories, revenue_of);
    return summary;
  }

  void settle_through(std::int64_t minute, std::vector<core::MinuteSummary>& settled) {
    if (minute <= settled_through) return;
    // After a gap longer than the retention, the minutes before it are gone anyway.
    const std::int64_t from = std::max(settled_through + 1, minute - ring_minutes + 1);
    for (std::int64_t m = from; m <= minute; ++m) settled.push_back(summary_of(m));
    settled_through = minute;
  }

  void move_clock(std::int64_t ts_ms, std::vector<core::MinuteSummary>& settled) {
    if (ts_ms <= clock_ms) return;
    clock_ms = ts_ms;
    close_through(minute_of(clock_ms - options.allowed_lateness_ms) - 1);
    settle_through(minute_of(clock_ms - options.settle_delay_ms) - 1, settled);
  }

  void count_in_minute(MinuteSlot& slot, const core::EventView& event, std::uint64_t user_key) {
    OpenMinuteSets& open = *slot.open;
    ++slot.events_by_type[static_cast<std::size_t>(event.type)];
    if (open.users.insert(user_key)) ++slot.active_users;
    ++cell_for(slot.sources, dimension_id(sources, event.source)).events;
    if (!core::carries_product(event.type)) return;
    DimensionCell& category = cell_for(slot.categories, dimension_id(categories, event.category));
    ++category.events;
    if (event.type != core::EventType::purchase) return;
    const std::int64_t line_revenue = revenue_micros(event.price, event.quantity);
    ++slot.purchases;
    slot.revenue_micros += line_revenue;
    category.units += static_cast<std::uint64_t>(event.quantity);
    category.revenue_micros += line_revenue;
    if (open.buyers.insert(user_key)) ++slot.buyers;
    if (open.orders.insert(hash_of(event.order_id))) ++slot.orders;
  }

  void count_in_day(const core::EventView& event, std::uint64_t user_key) {
    if (event.ts_ms < day.starts_ms || event.ts_ms >= day.ends_ms) {
      const std::int64_t local_day = options.time_zone.local_day(event.ts_ms);
      if (day.local_day != kNoMinute && local_day < day.local_day) return;  // yesterday: closed
      day.start(options.time_zone, local_day);
    }
    ++day.events;
    day.last_event_ms = std::max(day.last_event_ms, event.ts_ms);
    day.users.insert(user_key);
    // Sessions matter for carts and purchases only: most events skip hashing them.
    const bool has_session = !event.session_id.empty();
    if (event.type == core::EventType::add_to_cart && has_session) {
      day.cart_sessions.insert(pair_key(user_key, event.session_id));
    }
    if (event.type != core::EventType::purchase) return;
    ++day.purchases;
    day.revenue_micros += revenue_micros(event.price, event.quantity);
    day.orders.insert(hash_of(event.order_id));
    day.buyers.insert(user_key);
    if (has_session) day.purchase_sessions.insert(pair_key(user_key, event.session_id));
  }

  void add(const core::EventView& event, std::vector<core::MinuteSummary>& settled) {
    const std::int64_t minute = minute_of(event.ts_ms);
    if (!started) {
      // Events a little older than the first one are late only once the lateness has passed.
      started = true;
      clock_ms = event.ts_ms;
      first_minute = minute;
      closed_through = minute_of(event.ts_ms - options.allowed_lateness_ms) - 1;
      settled_through = minute - 1;
    }
    move_clock(event.ts_ms, settled);
    if (minute <= closed_through || minute <= minute_of(clock_ms) - ring_minutes) {
      ++counters.late_events;
      return;
    }
    MinuteSlot& slot = open_slot(minute);
    // A purchase is an order line: delivered again (a client's retry), it is the same event and
    // counts nowhere a second time. Both deliveries carry the same time, so the minute's set of
    // lines catches it.
    if (event.type == core::EventType::purchase &&
        !slot.open->order_lines.insert(pair_key(hash_of(event.order_id), event.product_id))) {
      ++counters.duplicate_order_lines;
      return;
    }
    ++counters.counted_events;
    const std::uint64_t user_key = hash_of(event.user_id);
    count_in_minute(slot, event, user_key);
    count_in_day(event, user_key);
  }

  std::int64_t oldest_kept_minute() const { return minute_of(clock_ms) - ring_minutes + 1; }

  // The first and last minute (inclusive) kept and inside `range`.
  std::pair<std::int64_t, std::int64_t> minutes_in(MinuteRange range) const {
    std::int64_t first = oldest_kept_minute();
    std::int64_t last = minute_of(clock_ms);
    if (range.from_ms > first * core::kMillisPerMinute) {
      first = minute_of(range.from_ms - 1) + 1;  // the first minute starting at or after from_ms
    }
    if (range.until_ms <= last * core::kMillisPerMinute) {
      last = minute_of(range.until_ms - 1);  // the last minute starting before until_ms
    }
    return {first, last};
  }

  void save(std::string& out) const;
  bool restore(StateReader& in);
};

MinuteAggregator::MinuteAggregator(AggregatorOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}
MinuteAggregator::~MinuteAggregator() = default;
MinuteAggregator::MinuteAggregator(MinuteAggregator&&) noexcept = default;
MinuteAggregator& MinuteAggregator::operator=(MinuteAggregator&&) noexcept = default;

void MinuteAggregator::add(const core::EventView& event,
                           std::vector<core::MinuteSummary>& settled) {
  state_->add(event, settled);
}

void MinuteAggregator::advance_clock(std::int64_t event_time_ms,
                                     std::vector<core::MinuteSummary>& settled) {
  if (state_->started) state_->move_clock(event_time_ms, settled);
}

std::int64_t MinuteAggregator::clock_ms() const {
  return state_->clock_ms;
}

void MinuteAggregator::visit_minutes(const std::function<void(const MinuteTotals&)>& visit,
                                     MinuteRange range) const {
  if (!state_->started) return;
  const State& state = *state_;
  const auto [first, last] = state.minutes_in(range);
  for (std::int64_t m = first; m <= last; ++m) {
    const MinuteSlot* slot = state.kept_slot(m);
    if (!slot) continue;
    MinuteTotals totals;
    totals.minute_ms = m * core::kMillisPerMinute;
    totals.events_by_type = slot->events_by_type;
    totals.revenue = static_cast<double>(slot->revenue_micros) / kMicros;
    totals.purchases = slot->purchases;
    totals.orders = slot->orders;
    visit(totals);
  }
}

void MinuteAggregator::visit_categories(const std::function<void(const CategoryMinute&)>& visit,
                                        MinuteRange range) const {
  if (!state_->started) return;
  const State& state = *state_;
  const auto [first, last] = state.minutes_in(range);
  for (std::int64_t m = first; m <= last; ++m) {
    const MinuteSlot* slot = state.kept_slot(m);
    if (!slot) continue;
    for (const auto& cell : slot->categories) {
      if (cell.units == 0 && cell.revenue_micros == 0) continue;  // carts only, nothing sold
      visit(CategoryMinute{m * core::kMillisPerMinute, state.categories.name(cell.id), cell.units,
                           static_cast<double>(cell.revenue_micros) / kMicros});
    }
  }
}

std::int64_t MinuteAggregator::final_before_ms() const {
  if (!state_->started) return kNoMinute;
  return (state_->closed_through + 1) * core::kMillisPerMinute;
}

std::int64_t MinuteAggregator::oldest_kept_ms() const {
  if (!state_->started) return kNoMinute;
  return state_->oldest_kept_minute() * core::kMillisPerMinute;
}

std::vector<core::MinuteSummary> MinuteAggregator::settled_history() const {
  std::vector<core::MinuteSummary> history;
  if (!state_->started) return history;
  const std::int64_t oldest = std::max(state_->first_minute, state_->oldest_kept_minute());
  for (std::int64_t m = oldest; m <= state_->settled_through; ++m) {
    history.push_back(state_->summary_of(m));
  }
  return history;
}

DayKpis MinuteAggregator::today() const {
  const DayState& day = state_->day;
  DayKpis kpis;
  if (day.local_day == kNoMinute) return kpis;
  kpis.local_day = day.local_day;
  kpis.events = day.events;
  kpis.active_users = day.users.size();
  kpis.buyers = day.buyers.size();
  kpis.orders = day.orders.size();
  kpis.purchases = day.purchases;
  kpis.revenue = static_cast<double>(day.revenue_micros) / kMicros;
  kpis.sessions_with_cart = day.cart_sessions.size();
  day.purchase_sessions.for_each([&](std::uint64_t session) {
    if (day.cart_sessions.contains(session)) ++kpis.sessions_with_purchase;
  });
  kpis.last_event_ms = day.last_event_ms;
  return kpis;
}

AggregatorCounters MinuteAggregator::counters() const {
  return state_->counters;
}

std::size_t MinuteAggregator::memory_bytes() const {
  const State& state = *state_;
  std::size_t bytes = sizeof(State) + state.slots.capacity() * sizeof(MinuteSlot) +
                      state.categories.memory_bytes() + state.sources.memory_bytes();
  for (const auto& slot : state.slots) {
    bytes += (slot.categories.capacity() + slot.sources.capacity()) * sizeof(DimensionCell);
    if (slot.open) bytes += sizeof(OpenMinuteSets) + slot.open->memory_bytes();
  }
  for (const auto& spare : state.spare_sets)
    bytes += sizeof(OpenMinuteSets) + spare->memory_bytes();
  for (const FlatHashSet* set : {&state.day.users, &state.day.buyers, &state.day.orders,
                                 &state.day.cart_sessions, &state.day.purchase_sessions}) {
    bytes += set->memory_bytes();
  }
  return bytes;
}

// The checkpoint: the clock and watermarks, the dictionaries in id order, every kept minute with
// its open sets, and the day. The ring size is written so that a changed retention is noticed.
void MinuteAggregator::State::save(std::string& out) const {
  StateWriter writer(out);
  writer.u64(kCheckpointMagic);
  writer.i64(ring_minutes);
  writer.u64(started ? 1 : 0);
  writer.i64(clock_ms);
  writer.i64(first_minute);
  writer.i64(closed_through);
  writer.i64(settled_through);
  writer.u64(counters.counted_events);
  writer.u64(counters.late_events);
  writer.u64(counters.duplicate_order_lines);
  writer.u64(counters.dimension_overflows);
  for (const DimensionDictionary* dictionary : {&categories, &sources}) {
    writer.u64(dictionary->size());
    for (std::size_t id = 1; id < dictionary->size(); ++id) {
      writer.string(dictionary->name(static_cast<std::uint16_t>(id)));
    }
  }
  std::uint64_t kept = 0;
  for (const auto& slot : slots) kept += slot.minute != kNoMinute ? 1 : 0;
  writer.u64(kept);
  for (const auto& slot : slots) {
    if (slot.minute == kNoMinute) continue;
    writer.i64(slot.minute);
    for (const std::uint64_t count : slot.events_by_type) writer.u64(count);
    writer.i64(slot.revenue_micros);
    writer.u64(slot.purchases);
    writer.u64(slot.orders);
    writer.u64(slot.active_users);
    writer.u64(slot.buyers);
    for (const auto* cells : {&slot.categories, &slot.sources}) {
      writer.u64(cells->size());
      for (const auto& cell : *cells) {
        writer.u64(cell.id);
        writer.u64(cell.events);
        writer.u64(cell.units);
        writer.i64(cell.revenue_micros);
      }
    }
    writer.u64(slot.open ? 1 : 0);
    if (slot.open) {
      writer.set(slot.open->users);
      writer.set(slot.open->buyers);
      writer.set(slot.open->orders);
      writer.set(slot.open->order_lines);
    }
  }
  writer.i64(day.local_day);
  writer.u64(day.events);
  writer.u64(day.purchases);
  writer.i64(day.revenue_micros);
  writer.i64(day.last_event_ms);
  for (const FlatHashSet* set :
       {&day.users, &day.buyers, &day.orders, &day.cart_sessions, &day.purchase_sessions}) {
    writer.set(*set);
  }
}

bool MinuteAggregator::State::restore(StateReader& in) {
  if (in.u64() != kCheckpointMagic || in.i64() != ring_minutes) return false;
  started = in.u64() == 1;
  clock_ms = in.i64();
  first_minute = in.i64();
  closed_through = in.i64();
  settled_through = in.i64();
  counters.counted_events = in.u64();
  counters.late_events = in.u64();
  counters.duplicate_order_lines = in.u64();
  counters.dimension_overflows = in.u64();
  // Watermarks never run ahead of the clock: a checkpoint where they do is not one of ours.
  if (clock_ms > kMaxCheckpointTimeMs || clock_ms < -kMaxCheckpointTimeMs) return false;
  const std::int64_t clock_minute = minute_of(clock_ms);
  if (started && (first_minute > clock_minute || closed_through > clock_minute ||
                  settled_through > clock_minute)) {
    return false;
  }
  for (DimensionDictionary* dictionary : {&categories, &sources}) {
    const std::uint64_t size = in.u64();
    for (std::uint64_t id = 1; id < size && in.ok(); ++id) {
      bool overflowed = false;
      if (dictionary->id_of(in.string(), overflowed) != id) return false;
    }
  }
  const std::uint64_t kept = in.u64();
  if (!in.ok() || kept > slots.size()) return false;
  for (std::uint64_t i = 0; i < kept && in.ok(); ++i) {
    const std::int64_t minute = in.i64();
    if (minute == kNoMinute) return false;
    MinuteSlot& slot = slot_at(minute);
    slot.reset(minute);
    for (auto& count : slot.events_by_type) count = in.u64();
    slot.revenue_micros = in.i64();
    slot.purchases = in.u64();
    slot.orders = in.u64();
    slot.active_users = in.u64();
    slot.buyers = in.u64();
    for (auto* cells : {&slot.categories, &slot.sources}) {
      const std::uint64_t count = in.u64();
      const auto& dictionary = cells == &slot.categories ? categories : sources;
      if (count > dictionary.size()) return false;
      for (std::uint64_t c = 0; c < count; ++c) {
        DimensionCell cell;
        cell.id = static_cast<std::uint16_t>(in.u64());
        cell.events = in.u64();
        cell.units = in.u64();
        cell.revenue_micros = in.i64();
        if (cell.id >= dictionary.size()) return false;
        cells->push_back(cell);
      }
    }
    if (in.u64() == 1) {
      slot.open = std::make_unique<OpenMinuteSets>();
      in.set(slot.open->users);
      in.set(slot.open->buyers);
      in.set(slot.open->orders);
      in.set(slot.open->order_lines);
      open_minutes.push_back(minute);
    }
  }
  const std::int64_t local_day = in.i64();
  if (local_day != kNoMinute && (local_day > kMaxCheckpointTimeMs / core::kMillisPerDay ||
                                 local_day < -kMaxCheckpointTimeMs / core::kMillisPerDay)) {
    return false;
  }
  if (local_day != kNoMinute) {
    day.start(options.time_zone, local_day);
    day.events = in.u64();
    day.purchases = in.u64();
    day.revenue_micros = in.i64();
    day.last_event_ms = in.i64();
  } else {
    for (int i = 0; i < 4; ++i) in.u64();
  }
  for (FlatHashSet* set :
       {&day.users, &day.buyers, &day.orders, &day.cart_sessions, &day.purchase_sessions}) {
    in.set(*set);
  }
  return in.ok() && in.at_end();
}

void MinuteAggregator::save(std::string& out) const {
  state_->save(out);
}

core::Result<MinuteAggregator> MinuteAggregator::restore(std::string_view bytes,
                                                         AggregatorOptions options) {
  MinuteAggregator aggregator(std::move(options));
  StateReader reader(bytes);
  if (!aggregator.state_->restore(reader)) {
    return core::Error{
        "the stream checkpoint does not match this version or retention, or is damaged"};
  }
  return aggregator;
}

}  // namespace shoplake::stream
