#include "shoplake/core/event_codec.hpp"

#include <cstring>

namespace shoplake::core {

namespace {

// Little-endian on every machine we build for (x86-64, aarch64); the log is not a wire format
// between machines of different byte order.
template <typename Number>
void put(Number value, std::string& out) {
  char bytes[sizeof(Number)];
  std::memcpy(bytes, &value, sizeof(Number));
  out.append(bytes, sizeof(Number));
}

void put_string(std::string_view text, std::string& out) {
  put(static_cast<std::uint32_t>(text.size()), out);
  out.append(text);
}

class Decoder {
 public:
  explicit Decoder(std::string_view& rest) : rest_(rest) {}

  template <typename Number>
  bool get(Number& value) {
    if (rest_.size() < sizeof(Number)) return false;
    std::memcpy(&value, rest_.data(), sizeof(Number));
    rest_.remove_prefix(sizeof(Number));
    return true;
  }

  bool get_string(std::string_view& text) {
    std::uint32_t size = 0;
    if (!get(size) || rest_.size() < size) return false;
    text = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }

 private:
  std::string_view& rest_;
};

constexpr std::uint8_t kEventFormat = 1;
constexpr std::uint8_t kRejectionFormat = 1;

}  // namespace

void append_encoded_event(const EventView& event, std::string& out) {
  put(kEventFormat, out);
  put(static_cast<std::uint8_t>(event.type), out);
  put(event.ts_ms, out);
  put(event.price, out);
  put(event.quantity, out);
  put_string(event.event_id, out);
  put_string(event.user_id, out);
  put_string(event.session_id, out);
  put_string(event.source, out);
  put_string(event.product_id, out);
  put_string(event.category, out);
  put_string(event.order_id, out);
  put_string(event.currency, out);
  put_string(event.properties, out);
}

bool EncodedEventReader::next(EventView& event) {
  if (rest_.empty()) return false;
  Decoder in(rest_);
  std::uint8_t format = 0;
  std::uint8_t type = 0;
  const bool decoded = in.get(format) && format == kEventFormat && in.get(type) &&
                       type < kEventTypeCount && in.get(event.ts_ms) && in.get(event.price) &&
                       in.get(event.quantity) && in.get_string(event.event_id) &&
                       in.get_string(event.user_id) && in.get_string(event.session_id) &&
                       in.get_string(event.source) && in.get_string(event.product_id) &&
                       in.get_string(event.category) && in.get_string(event.order_id) &&
                       in.get_string(event.currency) && in.get_string(event.properties);
  if (!decoded) {
    error_ = "malformed encoded event";
    rest_ = {};
    return false;
  }
  event.type = static_cast<EventType>(type);
  return true;
}

void append_encoded_rejection(const Rejection& rejection, std::string& out) {
  put(kRejectionFormat, out);
  put(rejection.line, out);
  put_string(rejection.field, out);
  put_string(rejection.error, out);
  put_string(rejection.raw, out);
}

bool EncodedRejectionReader::next(RejectionView& rejection) {
  if (rest_.empty()) return false;
  Decoder in(rest_);
  std::uint8_t format = 0;
  const bool decoded = in.get(format) && format == kRejectionFormat && in.get(rejection.line) &&
                       in.get_string(rejection.field) && in.get_string(rejection.error) &&
                       in.get_string(rejection.raw);
  if (!decoded) {
    error_ = "malformed encoded rejection";
    rest_ = {};
    return false;
  }
  return true;
}

}  // namespace shoplake::core
