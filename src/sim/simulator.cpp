#include "shoplake/sim/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "agenda.hpp"
#include "injection_schedule.hpp"
#include "population.hpp"
#include "sequential_id.hpp"
#include "session_model.hpp"
#include "shoplake/sim/traffic.hpp"

namespace shoplake::sim {

namespace {

constexpr double kMaxWarmupEvents = 500000;
// Event times are kept relative to the start in the agenda's 41 bits: 69 years, with room to spare.
constexpr std::int64_t kMaxSpanMs = 60 * 366 * core::kMillisPerDay;

static_assert(kMaxGapMs + Agenda::kBucketMs < Agenda::kBuckets * Agenda::kBucketMs,
              "the agenda's calendar must reach past the longest gap within a session");

// Identifier text stored inline in a session, so events can point at it. Room for the longest
// id: "s-" + 12-digit tag + "-" + 20 digits.
struct IdText {
  std::array<char, 35> text{};
  std::uint8_t size = 0;
  void assign(std::string_view value) {
    size = static_cast<std::uint8_t>(std::min(value.size(), text.size()));
    std::copy_n(value.data(), size, text.data());
  }
  std::string_view view() const { return {text.data(), size}; }
};

struct CartLine {
  std::uint32_t product;
  std::int32_t quantity;
};

struct Session {
  Script script;
  std::uint8_t position = 0;  // the step emitted next
  std::uint8_t cart_size = 0;
  std::uint8_t purchase_line = 0;  // the cart line the purchase step emits next
  bool buys = false;
  Device device = Device::web;
  std::array<CartLine, kMaxCartAdds> cart{};
  IdText user_id;
  IdText session_id;
  IdText order_id;
};

// "u000042": six digits at least, more once the shop outgrows a million users.
void format_user_id(std::uint32_t index, IdText& out) {
  char digits[16];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + index % 10);
    index /= 10;
  } while (index != 0);
  while (count < 6) digits[count++] = '0';
  out.text[0] = 'u';
  for (int i = 0; i < count; ++i) out.text[static_cast<std::size_t>(i + 1)] = digits[count - 1 - i];
  out.size = static_cast<std::uint8_t>(count + 1);
}

// Ids must not repeat across runs that share a data directory (event_id is the dedupe key), so
// they carry a 48-bit tag of (seed, start): a rerun of the same config repeats its ids, as it
// repeats its events; any other run gets its own.
std::string run_tag(std::uint64_t seed, std::int64_t start_ms) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = mix64(seed ^ mix64(static_cast<std::uint64_t>(start_ms)));
  std::string tag(12, '0');
  for (char& c : tag) {
    c = kHex[bits & 0xF];
    bits >>= 4;
  }
  return tag;
}

// The model runs this long before start_ms (see SimulatorConfig::warmup_ms).
std::int64_t effective_warmup_ms(const SimulatorConfig& config) {
  const double cap_ms = kMaxWarmupEvents / config.events_per_second * 1000;
  return static_cast<std::int64_t>(std::min(static_cast<double>(config.warmup_ms), cap_ms));
}

// What emitting a step left the session to do next.
constexpr std::int64_t kSessionOver = -1;    // it has ended
constexpr std::int64_t kPaymentFailed = -2;  // it ended without emitting the purchase it was at

double round_to_cents(double amount) {
  return std::round(amount * 100) / 100;
}

constexpr std::string_view kSourceNames[] = {"web", "mobile"};

}  // namespace

void validate(const SimulatorConfig& config) {
  if (config.initial_users == 0) throw std::invalid_argument("initial_users must be at least 1");
  if (!(config.users_per_hour >= 0) || !std::isfinite(config.users_per_hour)) {
    throw std::invalid_argument("users_per_hour must be a finite number >= 0");
  }
  if (!(config.events_per_second > 0) || !(config.events_per_second <= kMaxEventsPerSecond)) {
    throw std::invalid_argument("events_per_second must be above 0 and at most 100000");
  }
  if (config.end_ms <= config.start_ms) {
    throw std::invalid_argument("end_ms must be after start_ms");
  }
  if (config.end_ms != std::numeric_limits<std::int64_t>::max() &&
      config.end_ms - config.start_ms > kMaxSpanMs) {
    throw std::invalid_argument("a simulation spans at most 60 years of event time");
  }
  if (config.warmup_ms < 0) throw std::invalid_argument("warmup_ms must be >= 0");
  for (const Injection& injection : config.injections) {
    if (injection.offset_ms < 0 || injection.duration_ms <= 0) {
      throw std::invalid_argument("injection " + format_injection(injection) +
                                  " needs an offset >= 0 and a positive duration");
    }
  }
}

struct Simulator::State {
  explicit State(const SimulatorConfig& config_in);

  std::int64_t next_arrival_ms() const { return static_cast<std::int64_t>(arrival_ms); }
  bool arrival_is_next() const { return agenda.empty() || next_arrival_ms() <= agenda.top_ms(); }
  std::int64_t peek() const { return arrival_is_next() ? next_arrival_ms() : agenda.top_ms(); }
  // The next event, or false if there is none before end_ms or the step due next produced none
  // (a failed payment).
  bool produce(core::EventView& event);

 private:
  double advance_arrival(double from_ms);
  double base_session_rate_per_ms(std::int64_t minute_start_ms);
  double user_cart_chance(std::uint32_t user_index);
  std::uint32_t start_session(std::int64_t ts_ms);
  // Renders the session's current step at `ts_ms` into `event` and returns when the session's
  // next step is due, kSessionOver or kPaymentFailed.
  std::int64_t emit(std::uint32_t slot, std::int64_t ts_ms, core::EventView& event);
  void fill_product(const CartLine& line, std::int64_t ts_ms, core::EventView& event) const;

 public:
  SimulatorConfig config;
  Catalog catalog;
  Population population;
  InjectionSchedule injections;
  Random random;
  IntentSampler intents;
  double sessions_per_minute = 0;  // weekly mean session start rate
  double arrival_ms = 0;           // the next session start, with its sub-millisecond part
  std::int64_t rate_minute_ms = std::numeric_limits<std::int64_t>::min();  // memo of the rate
  double rate_per_ms = 0;                                                  // in that minute
  // Per user, cart_probability() and the population size it was computed for: it changes only as
  // the population grows, and recomputing it (exp, log) for every session was a tenth of the time.
  struct CartChance {
    float chance = 0;
    std::uint32_t population = 0;
  };
  std::vector<CartChance> cart_chances;
  std::vector<Session> sessions;
  std::vector<std::uint32_t> free_slots;
  Agenda agenda;
  SequentialId event_ids;
  SequentialId session_ids;
  SequentialId order_ids;
  std::uint64_t events_emitted = 0;
  std::int64_t clock_ms = 0;
};

Simulator::State::State(const SimulatorConfig& config_in)
    : config(config_in),
      population(config.seed, config.initial_users, config.users_per_hour, config.start_ms),
      injections(config.injections, config.start_ms),
      random(mix64(config.seed)),
      intents(random),
      agenda(config.start_ms - effective_warmup_ms(config)),
      event_ids("e-" + run_tag(config.seed, config.start_ms) + "-"),
      session_ids("s-" + run_tag(config.seed, config.start_ms) + "-"),
      order_ids("o-" + run_tag(config.seed, config.start_ms) + "-") {
  // Sessions a minute from events a second; the share of cart sessions (which are longer) depends
  // on visits per user, which depends on the session rate, so settle it by a few iterations.
  const double users = config.initial_users;
  const double web_share = 1 - Population::kMobileShare;
  double events_per_session = mean_events_per_session(0);
  for (int i = 0; i < 3; ++i) {
    sessions_per_minute = config.events_per_second * 60 / events_per_session;
    const double per_user_day = sessions_per_minute * 24 * 60 / users;
    const double cart_share = web_share * cart_probability(Device::web, per_user_day) +
                              (1 - web_share) * cart_probability(Device::mobile, per_user_day);
    events_per_session = mean_events_per_session(cart_share);
  }
  sessions_per_minute = config.events_per_second * 60 / events_per_session;

  arrival_ms = advance_arrival(static_cast<double>(config.start_ms - effective_warmup_ms(config)));
  core::EventView discarded;
  while (peek() < config.start_ms) produce(discarded);
  events_emitted = 0;
  clock_ms = config.start_ms;
}

double Simulator::State::base_session_rate_per_ms(std::int64_t minute_start_ms) {
  // Constant within a minute, at the curve's value for the middle of it.
  if (minute_start_ms != rate_minute_ms) {
    rate_minute_ms = minute_start_ms;
    rate_per_ms = sessions_per_minute / core::kMillisPerMinute *
                  traffic_factor(minute_start_ms + core::kMillisPerMinute / 2);
  }
  return rate_per_ms;
}

double Simulator::State::user_cart_chance(std::uint32_t user_index) {
  if (cart_chances.size() < population.size()) cart_chances.resize(population.size());
  CartChance& cached = cart_chances[user_index];
  // A user's share of visits falls as others join; within 1 % of growth the change is negligible.
  if (cached.population == 0 || population.size() > cached.population + cached.population / 100) {
    const User& user = population.user(user_index);
    const double sessions_per_day =
        sessions_per_minute * 24 * 60 * user.visit_weight / population.visit_weight_sum();
    cached.chance = static_cast<float>(cart_probability(user.device, sessions_per_day));
    cached.population = population.size();
  }
  return cached.chance;
}

double Simulator::State::advance_arrival(double from_ms) {
  // A Poisson process whose rate varies with time: draw the integrated rate to the next arrival
  // (Exp(1)) and walk it off over segments on which the rate is constant (a minute, or less where
  // an injection window begins or ends).
  double remaining = random.exponential(1.0);
  double t = from_ms;
  for (;;) {
    const auto t_ms = static_cast<std::int64_t>(std::floor(t));
    std::int64_t minute_start = t_ms - t_ms % core::kMillisPerMinute;
    if (t_ms % core::kMillisPerMinute < 0) minute_start -= core::kMillisPerMinute;
    const std::int64_t segment_end =
        std::min(minute_start + core::kMillisPerMinute, injections.next_boundary_after(t_ms));
    const double rate =
        base_session_rate_per_ms(minute_start) * injections.traffic_multiplier(t_ms);
    const double span = static_cast<double>(segment_end) - t;
    if (rate * span > remaining) return t + remaining / rate;
    remaining -= rate * span;
    t = static_cast<double>(segment_end);
    if (t >= static_cast<double>(config.end_ms)) return t;
  }
}

std::uint32_t Simulator::State::start_session(std::int64_t ts_ms) {
  population.grow_to(ts_ms);
  std::uint32_t slot;
  if (free_slots.empty()) {
    slot = static_cast<std::uint32_t>(sessions.size());
    sessions.emplace_back();
  } else {
    slot = free_slots.back();
    free_slots.pop_back();
  }
  Session& session = sessions[slot];
  const std::uint32_t user_index = population.pick(random);
  const User& user = population.user(user_index);
  const SessionIntent intent = intents.draw(user.device, user_cart_chance(user_index));
  build_script(intent, random, session.script);
  session.position = 0;
  session.cart_size = 0;
  session.purchase_line = 0;
  session.buys = intent.buys;
  session.device = user.device;
  format_user_id(user_index, session.user_id);
  session.session_id.assign(session_ids.next());
  return slot;
}

void Simulator::State::fill_product(const CartLine& line, std::int64_t ts_ms,
                                    core::EventView& event) const {
  const Product& product = catalog.products()[line.product];
  event.product_id = product.id;
  event.category = kCategories[product.category].name;
  const double multiplier = injections.price_multiplier(ts_ms);
  event.price = multiplier == 1 ? product.price : round_to_cents(product.price * multiplier);
  event.quantity = line.quantity;
}

std::int64_t Simulator::State::emit(std::uint32_t slot, std::int64_t ts_ms,
                                    core::EventView& event) {
  Session& session = sessions[slot];
  const Step step = session.script.steps[session.position];
  event.ts_ms = ts_ms;
  event.user_id = session.user_id.view();
  event.session_id = session.session_id.view();
  event.source = kSourceNames[static_cast<std::size_t>(session.device)];
  event.product_id = {};
  event.category = {};
  event.price = 0;
  event.quantity = 0;
  event.order_id = {};
  event.currency = core::kDefaultCurrency;
  event.properties = {};

  switch (step) {
    case Step::login:
      event.type = core::EventType::login;
      break;
    case Step::browse:
      event.type =
          random.chance(kSearchShareOfBrowsing) ? core::EventType::search : core::EventType::view;
      break;
    case Step::add_to_cart: {
      event.type = core::EventType::add_to_cart;
      const std::uint32_t product = catalog.pick(random);
      const CartLine added{product, draw_quantity(catalog.products()[product].price, random)};
      fill_product(added, ts_ms, event);
      // Adding a product already in the cart raises that line's quantity.
      auto* const end = session.cart.begin() + session.cart_size;
      auto* const line = std::find_if(session.cart.begin(), end, [&](const CartLine& candidate) {
        return candidate.product == added.product;
      });
      if (line != end) {
        line->quantity += added.quantity;
      } else {
        *end = added;
        ++session.cart_size;
      }
      break;
    }
    case Step::remove_from_cart:
      // A buyer keeps their last line; so does anyone whose cart is already empty.
      if (session.cart_size == 0 || (session.buys && session.cart_size == 1)) {
        event.type = core::EventType::view;
      } else {
        event.type = core::EventType::remove_from_cart;
        const std::uint32_t index = random.below(session.cart_size);
        fill_product(session.cart[index], ts_ms, event);
        session.cart[index] = session.cart[--session.cart_size];
      }
      break;
    case Step::begin_checkout:
      event.type = core::EventType::begin_checkout;
      break;
    case Step::purchase:
      if (session.purchase_line == 0) {
        // Whether payment goes through is decided when it happens, so that an injected outage
        // or conversion drop acts exactly inside its window. A failed payment ends the visit.
        const double multiplier = injections.purchase_multiplier(ts_ms);
        if (session.cart_size == 0 || (multiplier < 1 && !random.chance(multiplier))) {
          free_slots.push_back(slot);
          return kPaymentFailed;
        }
        session.order_id.assign(order_ids.next());
      }
      event.type = core::EventType::purchase;
      event.order_id = session.order_id.view();
      fill_product(session.cart[session.purchase_line], ts_ms, event);
      if (++session.purchase_line < session.cart_size) {
        event.event_id = event_ids.next();
        return ts_ms;  // the order's next line, at the same instant
      }
      break;
    case Step::logout:
      event.type = core::EventType::logout;
      break;
  }
  event.event_id = event_ids.next();
  if (++session.position < session.script.length) return ts_ms + gap_after(step, random);
  free_slots.push_back(slot);
  return kSessionOver;
}

bool Simulator::State::produce(core::EventView& event) {
  if (arrival_is_next()) {
    const std::int64_t ts_ms = next_arrival_ms();
    if (ts_ms >= config.end_ms) return false;
    const std::uint32_t slot = start_session(ts_ms);
    arrival_ms = advance_arrival(arrival_ms);
    const std::int64_t next_ms = emit(slot, ts_ms, event);
    if (next_ms >= 0) agenda.push(next_ms, slot);
    return next_ms != kPaymentFailed;
  }
  const std::int64_t ts_ms = agenda.top_ms();
  if (ts_ms >= config.end_ms) return false;
  const std::uint32_t slot = agenda.top_slot();
  const std::int64_t next_ms = emit(slot, ts_ms, event);
  if (next_ms >= 0) {
    agenda.replace_top(next_ms, slot);
  } else {
    agenda.pop();
  }
  return next_ms != kPaymentFailed;
}

Simulator::Simulator(const SimulatorConfig& config) {
  validate(config);
  state_ = std::make_unique<State>(config);
}

Simulator::~Simulator() = default;
Simulator::Simulator(Simulator&&) noexcept = default;
Simulator& Simulator::operator=(Simulator&&) noexcept = default;

bool Simulator::next(core::EventView& event) {
  State& state = *state_;
  while (!state.produce(event)) {
    if (state.peek() >= state.config.end_ms) return false;
  }
  ++state.events_emitted;
  state.clock_ms = event.ts_ms;
  return true;
}

std::int64_t Simulator::next_event_ms() const {
  return state_->peek();
}
std::int64_t Simulator::clock_ms() const {
  return state_->clock_ms;
}
std::uint64_t Simulator::events_emitted() const {
  return state_->events_emitted;
}
std::uint32_t Simulator::user_count() const {
  return state_->population.size();
}
const Catalog& Simulator::catalog() const {
  return state_->catalog;
}
const SimulatorConfig& Simulator::config() const {
  return state_->config;
}

}  // namespace shoplake::sim
