#include "sink.hpp"

#include "http_delivery.hpp"
#include "log_sink.hpp"
#include "shoplake/alert/alert_json.hpp"
#include "slack_payload.hpp"

namespace shoplake::alert {

namespace {

// Slack and the generic webhook differ only in the body they post.
class HttpSink final : public Sink {
 public:
  using Render = std::string (*)(const Alert&);
  HttpSink(std::unique_ptr<HttpDelivery> delivery, Render render)
      : delivery_(std::move(delivery)), render_(render) {}

  core::Status send(const Alert& alert, std::stop_token stop, SinkTally& tally) override {
    return delivery_->post(render_(alert), std::move(stop), tally);
  }

 private:
  std::unique_ptr<HttpDelivery> delivery_;
  Render render_;
};

}  // namespace

core::Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& config) {
  if (config.type == SinkType::log) return make_log_sink();
  auto delivery = HttpDelivery::create(config);
  if (!delivery) return core::Error{delivery.error()};
  const HttpSink::Render render = config.type == SinkType::slack ? &slack_payload : &alert_to_json;
  return std::unique_ptr<Sink>(std::make_unique<HttpSink>(std::move(delivery.value()), render));
}

}  // namespace shoplake::alert
