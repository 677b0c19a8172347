// One destination for alerts, as the dispatcher's workers and `shoplake alerts test` drive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stop_token>

#include "shoplake/alert/alert.hpp"
#include "shoplake/alert/sinks.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::alert {

struct SinkTally {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> retried{0};
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Delivers one alert, retrying as configured (each retry counted in `tally`). A stop request
  // ends waits and requests in flight: the alert then fails. Errors never quote a URL.
  virtual core::Status send(const Alert& alert, std::stop_token stop, SinkTally& tally) = 0;
};

core::Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& config);

}  // namespace shoplake::alert
