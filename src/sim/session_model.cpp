#include "session_model.hpp"

#include <algorithm>
#include <cmath>

namespace shoplake::sim {

namespace {

constexpr double kLogoutShare = 0.45;
constexpr std::uint32_t kMaxBrowse = 40;
// Browsing before leaving (sessions without a cart) and before the first add (with one): means of
// the geometric counts added to the one browse event every session has.
constexpr double kExtraBrowseNoCart = 5.0;
constexpr double kExtraBrowseBeforeCart = 2.5;
constexpr double kExtraBrowseAfterAbandon = 1.5;
constexpr double kRemoveShare = 0.2;
constexpr double kAbandonAtCheckoutShare = 0.4;  // of abandoned carts, those that reach checkout

// Time from a step to the session's next: at least `least_ms`, plus an exponential part with mean
// `mean_ms`. Mostly seconds to a minute.
struct GapShape {
  double least_ms;
  double mean_ms;
};
constexpr std::array<GapShape, 7> kGapAfter = {{
    {2000, 10000},   // login
    {2000, 30000},   // browse
    {3000, 25000},   // add_to_cart
    {3000, 20000},   // remove_from_cart
    {15000, 60000},  // begin_checkout: entering address and payment
    {5000, 20000},   // purchase
    {0, 0},          // logout: nothing follows
}};
// Now and then a user is distracted for minutes before the next page.
constexpr double kDistractedShare = 0.05;
constexpr double kDistractedMeanMs = 300000;

double log_continue(double mean) {
  return std::log(mean / (mean + 1));
}

void push(Script& script, Step step, std::uint32_t times = 1) {
  const std::size_t count = std::min<std::size_t>(times, kMaxScriptSteps - script.length);
  std::fill_n(script.steps.begin() + script.length, count, step);
  script.length = static_cast<std::uint8_t>(script.length + count);
}

double buyer_share(Device device) {
  return device == Device::web ? kWebBuyerShare : kMobileBuyerShare;
}

}  // namespace

double cart_probability(Device device, double sessions_per_day) {
  // Buying sessions of a user-day are Poisson(λp): P(a buyer) = 1 - e^(-λp), P(active) = 1 - e^-λ.
  // Setting P(buyer) = share × P(active) and solving for p gives the per-session chance to buy:
  // p = -ln(1 - share·(1 - e^-λ)) / λ. Past λ = 40, e^-λ is below 1e-17 and drops out.
  static const std::array<double, 2> kLogNotBuying = {-std::log1p(-kWebBuyerShare),
                                                      -std::log1p(-kMobileBuyerShare)};
  const double lambda = sessions_per_day;
  const double share = buyer_share(device);
  double buy_per_session;
  if (lambda < 1e-9) {
    buy_per_session = share;
  } else if (lambda > 40) {
    buy_per_session = kLogNotBuying[static_cast<std::size_t>(device)] / lambda;
  } else {
    buy_per_session = -std::log1p(share * std::expm1(-lambda)) / lambda;
  }
  return std::min(1.0, buy_per_session / kPurchaseGivenCart);
}

IntentSampler::IntentSampler(Random& random)
    : fills_cart_{EvenChance(random.uniform()), EvenChance(random.uniform())},
      buys_{EvenChance(random.uniform()), EvenChance(random.uniform())} {}

SessionIntent IntentSampler::draw(Device device, double cart_chance) {
  const auto index = static_cast<std::size_t>(device);
  SessionIntent intent;
  intent.fills_cart = fills_cart_[index].draw(cart_chance);
  intent.buys = intent.fills_cart && buys_[index].draw(kPurchaseGivenCart);
  return intent;
}

void build_script(const SessionIntent& intent, Random& random, Script& script) {
  static const double kLogNoCart = log_continue(kExtraBrowseNoCart);
  static const double kLogBeforeCart = log_continue(kExtraBrowseBeforeCart);
  static const double kLogAfterAbandon = log_continue(kExtraBrowseAfterAbandon);
  script.length = 0;
  push(script, Step::login);
  const double log_extra = intent.fills_cart ? kLogBeforeCart : kLogNoCart;
  push(script, Step::browse, 1 + std::min(kMaxBrowse, random.geometric(log_extra)));
  if (intent.fills_cart) {
    // 1 to 4 lines, 2.2 on average.
    std::uint32_t adds = 1;
    for (const double more : {0.6, 0.4, 0.2}) adds += random.chance(more) ? 1 : 0;
    for (std::uint32_t i = 0; i < adds; ++i) {
      if (i > 0) push(script, Step::browse, random.chance(0.5) ? 2 : 1);
      push(script, Step::add_to_cart);
    }
    // A buyer keeps at least one line, so only a buyer with two or more lines removes one.
    if ((adds >= 2 || !intent.buys) && random.chance(kRemoveShare)) {
      push(script, Step::browse);
      push(script, Step::remove_from_cart);
    }
    if (intent.buys) {
      push(script, Step::begin_checkout);
      push(script, Step::purchase);
      if (random.chance(0.3)) push(script, Step::browse);
    } else if (random.chance(kAbandonAtCheckoutShare)) {
      push(script, Step::begin_checkout);
    } else {
      push(script, Step::browse, std::min(kMaxBrowse, random.geometric(kLogAfterAbandon)));
    }
  }
  if (random.chance(kLogoutShare)) push(script, Step::logout);
}

std::int64_t gap_after(Step step, Random& random) {
  const GapShape& shape = kGapAfter[static_cast<std::size_t>(step)];
  const double mean_ms =
      step == Step::browse && random.chance(kDistractedShare) ? kDistractedMeanMs : shape.mean_ms;
  return std::min(kMaxGapMs,
                  static_cast<std::int64_t>(shape.least_ms + random.exponential(mean_ms)));
}

std::int32_t draw_quantity(double list_price, Random& random) {
  const double u = random.uniform();
  if (list_price >= kMultiplesBelowPrice) return 1;
  return u < 0.8 ? 1 : u < 0.95 ? 2 : 3;
}

double mean_events_per_session(double cart_share) {
  // Deterministic: its own generator with a fixed seed, enough scripts for a 0.5 % estimate.
  // Computed once per process: it depends on nothing but the model.
  constexpr int kSamples = 20000;
  const auto mean_of = [](const SessionIntent& intent) {
    Random random(0x6d65616e);
    Script script;
    double events = 0;
    for (int i = 0; i < kSamples; ++i) {
      build_script(intent, random, script);
      int adds = 0;
      for (std::size_t s = 0; s < script.length; ++s) {
        const Step step = script.steps[s];
        if (step == Step::add_to_cart) ++adds;
        if (step == Step::remove_from_cart) --adds;
        events += step == Step::purchase ? adds : 1;
      }
    }
    return events / kSamples;
  };
  static const double browsing = mean_of(SessionIntent{false, false});
  static const double carting = kPurchaseGivenCart * mean_of(SessionIntent{true, true}) +
                                (1 - kPurchaseGivenCart) * mean_of(SessionIntent{true, false});
  return (1 - cart_share) * browsing + cart_share * carting;
}

}  // namespace shoplake::sim
