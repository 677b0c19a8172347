#include "shoplake/core/ndjson_writer.hpp"

#include <charconv>
#include <cstring>
#include <limits>

#include "shoplake/core/time.hpp"

namespace shoplake::core {

namespace {

// Writes into a region reserved up front: one size check per event instead of one per append,
// which is what made the serializer the larger half of the simulator's cost.
class Writer {
 public:
  explicit Writer(char* at) : at_(at) {}
  char* position() const { return at_; }

  void raw(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  void byte(char c) { *at_++ = c; }

  void string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    byte('"');
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && c != '"' && c != '\\') {
        *at_++ = c;
        continue;
      }
      *at_++ = '\\';
      switch (c) {
        case '"':
          *at_++ = '"';
          break;
        case '\\':
          *at_++ = '\\';
          break;
        case '\n':
          *at_++ = 'n';
          break;
        case '\r':
          *at_++ = 'r';
          break;
        case '\t':
          *at_++ = 't';
          break;
        case '\b':
          *at_++ = 'b';
          break;
        case '\f':
          *at_++ = 'f';
          break;
        default:
          raw("u00");
          *at_++ = kHex[u >> 4];
          *at_++ = kHex[u & 0xF];
      }
    }
    byte('"');
  }

  void string_field(std::string_view key_with_quotes_and_colon, std::string_view value) {
    raw(key_with_quotes_and_colon);
    string(value);
  }

  template <typename Number>
  void number(Number value) {
    at_ = std::to_chars(at_, at_ + 32, value).ptr;
  }

  void timestamp(std::int64_t epoch_ms) {
    // Outside the four-digit years append_rfc3339_ms clamps the whole instant; let it.
    if (epoch_ms < kYear0Ms || epoch_ms >= kYear10000Ms) {
      std::string text;
      append_rfc3339_ms(epoch_ms, text);
      raw(text);
      return;
    }
    // The date part changes once a day: format it only then (per thread, no sharing).
    thread_local std::int64_t cached_day = std::numeric_limits<std::int64_t>::min();
    thread_local char cached_date[11];
    std::int64_t day = epoch_ms / kMillisPerDay;
    std::int64_t in_day = epoch_ms % kMillisPerDay;
    if (in_day < 0) {
      in_day += kMillisPerDay;
      --day;
    }
    if (day != cached_day) {
      std::string text;
      append_rfc3339_ms(day * kMillisPerDay, text);
      std::memcpy(cached_date, text.data(), 11);  // "YYYY-MM-DDT"
      cached_day = day;
    }
    raw(std::string_view(cached_date, 11));
    const auto ms = static_cast<unsigned>(in_day);
    two_digits(ms / 3600000);
    byte(':');
    two_digits(ms / 60000 % 60);
    byte(':');
    two_digits(ms / 1000 % 60);
    byte('.');
    const unsigned millis = ms % 1000;
    byte(static_cast<char>('0' + millis / 100));
    byte(static_cast<char>('0' + millis / 10 % 10));
    byte(static_cast<char>('0' + millis % 10));
    byte('Z');
  }

 private:
  static constexpr std::int64_t kYear0Ms = -62167219200000;      // 0000-01-01T00:00:00Z
  static constexpr std::int64_t kYear10000Ms = 253402300800000;  // 10000-01-01T00:00:00Z

  void two_digits(unsigned value) {
    byte(static_cast<char>('0' + value / 10));
    byte(static_cast<char>('0' + value % 10));
  }

  char* at_;
};

// `properties` is a JSON object; its members go into the top level, after the contract fields.
std::string_view properties_members(std::string_view properties) {
  const std::size_t open = properties.find('{');
  const std::size_t close = properties.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) return {};
  const std::string_view inner = properties.substr(open + 1, close - open - 1);
  if (inner.find_first_not_of(" \t\r\n") == std::string_view::npos) return {};
  return inner;
}

// Room for the event whatever it holds: every string escaped at its worst (6 bytes a byte),
// numbers at their longest, and the keys and punctuation.
std::size_t worst_case_size(const EventView& event) {
  const std::size_t strings = event.event_id.size() + event.user_id.size() +
                              event.session_id.size() + event.source.size() +
                              event.product_id.size() + event.category.size() +
                              event.order_id.size() + event.currency.size();
  return strings * 6 + event.properties.size() + 512;
}

}  // namespace

void append_json_string(std::string_view text, std::string& out) {
  const std::size_t used = out.size();
  out.resize(used + text.size() * 6 + 2);
  Writer writer(out.data() + used);
  writer.string(text);
  out.resize(static_cast<std::size_t>(writer.position() - out.data()));
}

void append_ndjson(const EventView& event, std::string& out) {
  const std::size_t used = out.size();
  out.resize(used + worst_case_size(event));
  Writer writer(out.data() + used);
  writer.string_field("{\"event_id\":", event.event_id);
  writer.raw(",\"event_type\":\"");
  writer.raw(to_string(event.type));
  writer.raw("\",\"ts\":\"");
  writer.timestamp(event.ts_ms);
  writer.byte('"');
  writer.string_field(",\"user_id\":", event.user_id);
  if (!event.session_id.empty()) writer.string_field(",\"session_id\":", event.session_id);
  if (!event.source.empty()) writer.string_field(",\"source\":", event.source);
  if (carries_product(event.type)) {
    writer.string_field(",\"product_id\":", event.product_id);
    writer.string_field(",\"category\":", event.category);
    writer.raw(",\"price\":");
    writer.number(event.price);
    writer.raw(",\"quantity\":");
    writer.number(event.quantity);
  }
  if (event.type == EventType::purchase) writer.string_field(",\"order_id\":", event.order_id);
  if (!event.currency.empty() && event.currency != kDefaultCurrency) {
    writer.string_field(",\"currency\":", event.currency);
  }
  const std::string_view members = properties_members(event.properties);
  if (!members.empty()) {
    writer.byte(',');
    writer.raw(members);
  }
  writer.raw("}\n");
  out.resize(static_cast<std::size_t>(writer.position() - out.data()));
}

}  // namespace shoplake::core
