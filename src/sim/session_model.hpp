// One visit to the shop: what a session intends, the steps it takes, and the time between them.
// The numbers here are the funnel; simulator.cpp only schedules and renders what they decide.
#pragma once

#include <array>
#include <cstdint>

#include "population.hpp"
#include "shoplake/sim/random.hpp"

namespace shoplake::sim {

enum class Step : std::uint8_t {
  login,
  browse,  // a view or a search
  add_to_cart,
  remove_from_cart,
  begin_checkout,
  purchase,  // one purchase event per cart line, all at the same instant
  logout,
};

inline constexpr std::size_t kMaxScriptSteps = 64;
inline constexpr std::size_t kMaxCartAdds = 4;

struct Script {
  std::array<Step, kMaxScriptSteps> steps;
  std::uint8_t length = 0;
};

struct SessionIntent {
  bool fills_cart = false;  // adds at least one product to the cart
  bool buys = false;        // goes on to check out and pay (only if fills_cart)
};

// Target share of a day's active users who buy, by device: buyers / DAU lands in 2-5 % overall,
// and mobile converts lower than web, as it does in real shops.
inline constexpr double kWebBuyerShare = 0.050;
inline constexpr double kMobileBuyerShare = 0.028;
// Share of sessions with a cart that end in a purchase: cart abandonment is 1 minus this.
inline constexpr double kPurchaseGivenCart = 0.30;
inline constexpr double kSearchShareOfBrowsing = 0.22;

// The chance that one session of a user fills a cart. `sessions_per_day` is the user's expected
// number of sessions a day: the chance to buy in one session is derived from it so that a user's
// chance of buying on a day they visit is their device's buyer share, whether they visit once or
// forty times a day. This keeps buyers / DAU and cart abandonment realistic for any ratio of
// traffic to users.
double cart_probability(Device device, double sessions_per_day);

// Trials that each succeed with their own probability p, with the successes spread evenly: a trial
// succeeds when the running sum of p crosses the next whole number. From a uniformly random start
// every trial's chance is exactly its p, but n trials never yield more than one success away from
// the sum of their p. Carts and purchases are rare (a few dozen buyers a day in a 1,000-user shop),
// so independent coin tosses would let a day's conversion and abandonment wander by a third;
// this keeps each day's figures at what the funnel says, while who buys, and when, stays random.
class EvenChance {
 public:
  explicit EvenChance(double start) : credit_(start) {}
  bool draw(double probability) {
    credit_ += probability;
    if (credit_ < 1) return false;
    credit_ -= 1;
    return true;
  }

 private:
  double credit_;
};

// Decides what each session sets out to do: fill a cart or not, and then buy or abandon it.
class IntentSampler {
 public:
  explicit IntentSampler(Random& random);
  // `cart_chance` is cart_probability() for the session's user.
  SessionIntent draw(Device device, double cart_chance);

 private:
  std::array<EvenChance, 2> fills_cart_;  // by Device
  std::array<EvenChance, 2> buys_;
};

// The steps of a session with this intent: login, some browsing, the cart and checkout steps the
// intent calls for, and a logout about half the time (the rest just leave).
void build_script(const SessionIntent& intent, Random& random, Script& script);

// Milliseconds from a step to the session's next one: seconds to a minute mostly, sometimes a
// pause of minutes, never 30 minutes (that would end the session).
std::int64_t gap_after(Step step, Random& random);

inline constexpr std::int64_t kMaxGapMs = 25 * 60 * 1000;

// Quantity of a cart line: mostly 1, and always 1 for dear products (two books, not two laptops).
std::int32_t draw_quantity(double list_price, Random& random);
inline constexpr double kMultiplesBelowPrice = 50;

// Mean events of a session that fills a cart with probability `cart_share` (a purchase step counts
// as its cart lines), measured on the model itself so it never drifts from build_script.
double mean_events_per_session(double cart_share);

}  // namespace shoplake::sim
