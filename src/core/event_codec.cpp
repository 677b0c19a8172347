#include "shoplake/core/event_codec.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

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

// Format 1 (fixed-width numbers, 32-bit string lengths) is still read: logs written before format
// 2 replay after an upgrade. Format 2 is what is written: ~66 bytes for a view event against ~115,
// and at millions of events a second the log's bytes are what the disk has to keep up with.
constexpr std::uint8_t kFixedWidthEventFormat = 1;
constexpr std::uint8_t kVarintEventFormat = 2;
constexpr std::uint8_t kRejectionFormat = 1;

// Format 2's flags byte: which optional fields follow.
constexpr std::uint8_t kHasPriceAndQuantity = 1;  // else price 0 and quantity 0
constexpr std::uint8_t kHasCurrency = 2;          // else the default currency
constexpr std::uint8_t kKnownFlags = kHasPriceAndQuantity | kHasCurrency;

constexpr std::size_t kMaxVarintBytes = 10;
constexpr std::size_t kCurrencySlot = 7;  // in append_encoded_event's order of strings

std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

char* write_varint(std::uint64_t value, char* cursor) {
  if (value < 0x80) {  // nearly every string length
    *cursor = static_cast<char>(value);
    return cursor + 1;
  }
  while (value >= 0x80) {
    *cursor++ = static_cast<char>(static_cast<std::uint8_t>(value) | 0x80);
    value >>= 7;
  }
  *cursor++ = static_cast<char>(value);
  return cursor;
}

bool read_long_varint(std::string_view& rest, std::uint64_t& value) {
  value = 0;
  const std::size_t limit = std::min(rest.size(), kMaxVarintBytes);
  for (std::size_t i = 0; i < limit; ++i) {
    const auto byte = static_cast<std::uint8_t>(rest[i]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      rest.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

// Inlined into the decoders with the one-byte case first: as calls, reading the nine strings of
// an event cost a fifth of the bronze landing's staging (callgrind).
[[gnu::always_inline]] inline bool read_varint(std::string_view& rest, std::uint64_t& value) {
  if (!rest.empty() && static_cast<std::uint8_t>(rest[0]) < 0x80) {  // nearly every length
    value = static_cast<std::uint8_t>(rest[0]);
    rest.remove_prefix(1);
    return true;
  }
  return read_long_varint(rest, value);
}

[[gnu::always_inline]] inline bool read_varint_string(std::string_view& rest,
                                                      std::string_view& text) {
  std::uint64_t size = 0;
  if (!read_varint(rest, size) || rest.size() < size) return false;
  text = std::string_view(rest.data(), size);
  rest.remove_prefix(size);
  return true;
}

bool is_positive_zero(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits == 0;
}

bool decode_fixed_width_event(std::string_view& rest, EventView& event) {
  Decoder in(rest);
  std::uint8_t type = 0;
  if (!(in.get(type) && type < kEventTypeCount && in.get(event.ts_ms) && in.get(event.price) &&
        in.get(event.quantity) && in.get_string(event.event_id) && in.get_string(event.user_id) &&
        in.get_string(event.session_id) && in.get_string(event.source) &&
        in.get_string(event.product_id) && in.get_string(event.category) &&
        in.get_string(event.order_id) && in.get_string(event.currency) &&
        in.get_string(event.properties))) {
    return false;
  }
  event.type = static_cast<EventType>(type);
  return true;
}

bool decode_varint_event(std::string_view& rest, EventView& event) {
  if (rest.size() < 2) return false;
  const auto type = static_cast<std::uint8_t>(rest[0]);
  const auto flags = static_cast<std::uint8_t>(rest[1]);
  if (type >= kEventTypeCount || (flags & ~kKnownFlags) != 0) return false;
  rest.remove_prefix(2);
  std::uint64_t ts = 0;
  if (!read_varint(rest, ts)) return false;
  event.ts_ms = unzigzag(ts);
  event.price = 0;
  event.quantity = 0;
  if ((flags & kHasPriceAndQuantity) != 0) {
    std::uint64_t quantity = 0;
    if (!Decoder(rest).get(event.price) || !read_varint(rest, quantity)) return false;
    const std::int64_t signed_quantity = unzigzag(quantity);
    if (signed_quantity < std::numeric_limits<std::int32_t>::min() ||
        signed_quantity > std::numeric_limits<std::int32_t>::max()) {
      return false;
    }
    event.quantity = static_cast<std::int32_t>(signed_quantity);
  }
  event.currency = kDefaultCurrency;
  if (!(read_varint_string(rest, event.event_id) && read_varint_string(rest, event.user_id) &&
        read_varint_string(rest, event.session_id) && read_varint_string(rest, event.source) &&
        read_varint_string(rest, event.product_id) && read_varint_string(rest, event.category) &&
        read_varint_string(rest, event.order_id) &&
        ((flags & kHasCurrency) == 0 || read_varint_string(rest, event.currency)) &&
        read_varint_string(rest, event.properties))) {
    return false;
  }
  event.type = static_cast<EventType>(type);
  return true;
}

}  // namespace

void append_encoded_event(const EventView& event, std::string& out) {
  // Grown once to a bound and cut back after, written through a cursor: appending field by field
  // checked the capacity 21 times an event (callgrind on bench/parse_bench: 424 instructions an
  // event; sizing each varint exactly first instead of the bound measured the same).
  std::uint8_t flags = 0;
  if (!is_positive_zero(event.price) || event.quantity != 0) flags |= kHasPriceAndQuantity;
  if (event.currency != kDefaultCurrency) flags |= kHasCurrency;
  const std::array<std::string_view, 9> strings{event.event_id, event.user_id,    event.session_id,
                                                event.source,   event.product_id, event.category,
                                                event.order_id, event.currency,   event.properties};
  std::size_t bound = 3 + kMaxVarintBytes + sizeof(event.price) + kMaxVarintBytes +
                      strings.size() * kMaxVarintBytes;
  for (const std::string_view text : strings) bound += text.size();
  const std::size_t start = out.size();
  out.resize(start + bound);
  char* const first = out.data() + start;
  char* cursor = first;
  *cursor++ = static_cast<char>(kVarintEventFormat);
  *cursor++ = static_cast<char>(event.type);
  *cursor++ = static_cast<char>(flags);
  cursor = write_varint(zigzag(event.ts_ms), cursor);
  if ((flags & kHasPriceAndQuantity) != 0) {
    std::memcpy(cursor, &event.price, sizeof(event.price));
    cursor = write_varint(zigzag(event.quantity), cursor + sizeof(event.price));
  }
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (i == kCurrencySlot && (flags & kHasCurrency) == 0) continue;
    cursor = write_varint(strings[i].size(), cursor);
    // An empty string_view's data() may be null, which memcpy forbids.
    if (!strings[i].empty()) std::memcpy(cursor, strings[i].data(), strings[i].size());
    cursor += strings[i].size();
  }
  out.resize(start + static_cast<std::size_t>(cursor - first));
}

bool EncodedEventReader::next(EventView& event) {
  if (rest_.empty()) return false;
  const auto format = static_cast<std::uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  const bool decoded = format == kVarintEventFormat       ? decode_varint_event(rest_, event)
                       : format == kFixedWidthEventFormat ? decode_fixed_width_event(rest_, event)
                                                          : false;
  if (!decoded) {
    error_ = "malformed encoded event";
    rest_ = {};
    return false;
  }
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
