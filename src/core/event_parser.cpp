// EventParser: NDJSON lines -> validated EventViews (DESIGN.md "Events"), with simdjson On Demand.
//
// Names accepted besides the contract's own (matching is exact and case-sensitive; lower-casing is
// the batch layer's business):
//
//   event_type value                      becomes
//   login, logout, view, search,          itself (GA4 uses the same names)
//   add_to_cart, remove_from_cart,
//   begin_checkout, purchase
//   view_item, view_item_list,            view    (GA4)
//   select_item
//
//   key                                   read as
//   event_name                            event_type  (GA4)
//   transaction_id                        order_id    (GA4)
//   items[n].item_id                      product_id  (GA4)
//   items[n].item_category                category    (GA4)
//
// Sending a field under both of its names is a duplicate, like sending it twice.
//
// Decisions beyond DESIGN.md:
// - Which keys belong to the contract depends on the event type: product_id, category, price and
//   quantity only for cart and purchase events, order_id/transaction_id and items only for
//   purchases. For any other type they are kept in `properties` like every unknown member, so
//   nothing sent is lost and a re-parse of append_ndjson's output gives the same event.
// - `null` for an optional field (session_id, source, currency) means "not sent".
// - Limits on strings are in bytes of UTF-8.
// - A purchase's items[] expands into one event per item. The members of an item that are not
//   item fields (GA4's item_name, item_brand, …) are kept in that event's properties, as the object
//   "item" beside the top-level unknown members: {"coupon":"X","item":{"item_name":"Shirt"}}. A
//   top-level member that is itself named "item" would collide with that, so such a line is
//   rejected when any of its items has extra members. Top-level product fields beside items[] are
//   rejected too: it would be unclear which product they describe.
//
// How a line is read: simdjson's On Demand front end reads values in document order, in one pass
// over the members. Whether "price" belongs to the contract depends on event_type, which senders
// (append_ndjson among them) put before the product fields; in the rare line where a member whose
// meaning depends on the event type comes first, the document is rewound, a first pass looks up
// only the event type, and the document is read again from its start. Either way every member is
// read in document order with the event type known, so a line's first fault is the one reported.
// On Demand checks only what is read, so the reading pass reads all of the line, unknown members
// included; that is also where nesting depth is enforced (On Demand does not track it).
//
// Strings without escapes are taken straight from the line (simdjson's first stage has checked
// their UTF-8 and their control characters for the whole line already); only a string with a
// backslash is unescaped into simdjson's string buffer. Either way it stays valid for the line.
#include "shoplake/core/event_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "shoplake/core/ndjson_writer.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace shoplake::core {
namespace {

static_assert(kParsePadding >= simdjson::SIMDJSON_PADDING);

namespace ondemand = simdjson::ondemand;

// ---- The contract's fields and the names they go by ----------------------------------------

enum class Field : std::uint8_t {
  event_id,
  event_type,
  ts,
  user_id,
  session_id,
  source,
  product_id,
  category,
  price,
  quantity,
  order_id,
  currency,
  items,
};
inline constexpr std::size_t kFieldCount = 13;

// Canonical names, indexed by Field; used to name a missing field.
inline constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "event_type", "ts",       "user_id",  "session_id", "source", "product_id",
    "category", "price",      "quantity", "order_id", "currency",   "items",
};

std::string_view canonical_name(Field field) {
  return kFieldNames[static_cast<std::size_t>(field)];
}

struct KeyName {
  std::string_view key;
  Field field;
};

inline constexpr std::array<KeyName, 15> kTopLevelKeys = {{
    {"event_id", Field::event_id},
    {"event_type", Field::event_type},
    {"event_name", Field::event_type},
    {"ts", Field::ts},
    {"user_id", Field::user_id},
    {"session_id", Field::session_id},
    {"source", Field::source},
    {"product_id", Field::product_id},
    {"category", Field::category},
    {"price", Field::price},
    {"quantity", Field::quantity},
    {"order_id", Field::order_id},
    {"transaction_id", Field::order_id},
    {"currency", Field::currency},
    {"items", Field::items},
}};

inline constexpr std::array<KeyName, 6> kItemKeys = {{
    {"product_id", Field::product_id},
    {"item_id", Field::product_id},
    {"category", Field::category},
    {"item_category", Field::category},
    {"price", Field::price},
    {"quantity", Field::quantity},
}};

inline constexpr std::array<Field, 4> kProductFields = {Field::product_id, Field::category,
                                                        Field::price, Field::quantity};

// The key under which an expanded item's extra members are kept in its event's properties.
inline constexpr std::string_view kItemPropertiesKey = "item";

std::optional<Field> find_field(std::span<const KeyName> names, std::string_view key) {
  for (const KeyName& name : names) {
    if (name.key == key) return name.field;
  }
  return std::nullopt;
}

// An exact, case-sensitive comparison that the compiler turns into a word compare or two.
template <std::size_t N>
constexpr bool key_is(std::string_view key, const char (&name)[N]) {
  if (key.size() != N - 1) return false;
  if (std::is_constant_evaluated()) return key == std::string_view(name, N - 1);
  return std::memcmp(key.data(), name, N - 1) == 0;
}

// find_field(kTopLevelKeys, key), by the key's length first: every line's every key goes through
// here.
constexpr std::optional<Field> top_level_field(std::string_view key) {
  switch (key.size()) {
    case 2:
      if (key_is(key, "ts")) return Field::ts;
      break;
    case 5:
      if (key_is(key, "price")) return Field::price;
      if (key_is(key, "items")) return Field::items;
      break;
    case 6:
      if (key_is(key, "source")) return Field::source;
      break;
    case 7:
      if (key_is(key, "user_id")) return Field::user_id;
      break;
    case 8:
      if (key_is(key, "event_id")) return Field::event_id;
      if (key_is(key, "category")) return Field::category;
      if (key_is(key, "quantity")) return Field::quantity;
      if (key_is(key, "order_id")) return Field::order_id;
      if (key_is(key, "currency")) return Field::currency;
      break;
    case 10:
      if (key_is(key, "event_type")) return Field::event_type;
      if (key_is(key, "session_id")) return Field::session_id;
      if (key_is(key, "product_id")) return Field::product_id;
      if (key_is(key, "event_name")) return Field::event_type;
      break;
    case 14:
      if (key_is(key, "transaction_id")) return Field::order_id;
      break;
    default:
      break;
  }
  return std::nullopt;
}

constexpr bool top_level_field_knows_every_key() {
  for (const KeyName& name : kTopLevelKeys) {
    if (top_level_field(name.key) != name.field) return false;
  }
  return true;
}
static_assert(top_level_field_knows_every_key());

struct EventTypeAlias {
  std::string_view name;
  EventType type;
};

inline constexpr std::array<EventTypeAlias, 3> kGa4EventTypeAliases = {{
    {"view_item", EventType::view},
    {"view_item_list", EventType::view},
    {"select_item", EventType::view},
}};

std::optional<EventType> event_type_from_wire_name(std::string_view name) {
  if (const auto canonical = event_type_from_name(name)) return canonical;
  for (const EventTypeAlias& alias : kGa4EventTypeAliases) {
    if (alias.name == name) return alias.type;
  }
  return std::nullopt;
}

// Whether the field belongs to the contract depends on the event type.
bool depends_on_event_type(Field field) {
  switch (field) {
    case Field::product_id:
    case Field::category:
    case Field::price:
    case Field::quantity:
    case Field::order_id:
    case Field::items:
      return true;
    default:
      return false;
  }
}

// `type` is empty when the first pass found no usable event type; the line is rejected then, and
// reading every field as part of the contract gives the most specific error.
bool belongs_to_contract(Field field, std::optional<EventType> type) {
  switch (field) {
    case Field::product_id:
    case Field::category:
    case Field::price:
    case Field::quantity:
      return !type || carries_product(*type);
    case Field::order_id:
    case Field::items:
      return !type || *type == EventType::purchase;
    default:
      return true;
  }
}

class FieldSet {
 public:
  bool contains(Field field) const { return (bits_ & bit(field)) != 0; }
  void insert(Field field) { bits_ |= bit(field); }

 private:
  static std::uint32_t bit(Field field) { return 1u << static_cast<unsigned>(field); }
  std::uint32_t bits_ = 0;
};

// Nesting levels: the line's object is level 1, so a top-level member's value is at level 2, the
// items array too, an item object at level 3 and an item member's value at level 4.
inline constexpr std::size_t kLineDepth = 1;
inline constexpr std::size_t kMemberDepth = 2;
inline constexpr std::size_t kItemDepth = 3;
inline constexpr std::size_t kItemMemberDepth = 4;

// ---- Values that need storage of their own ---------------------------------------------------

// A string-or-integer id (user_id, product_id): the string as sent, or the decimal text of the
// integer, kept inline so that an EventView can point at it without an allocation.
class IdValue {
 public:
  void set_text(std::string_view text) {
    text_ = text;
    is_integer_ = false;
  }
  template <typename Integer>
  void set_integer(Integer value) {
    const auto result = std::to_chars(digits_.data(), digits_.data() + digits_.size(), value);
    digit_count_ = static_cast<std::size_t>(result.ptr - digits_.data());
    is_integer_ = true;
  }
  std::string_view view() const {
    return is_integer_ ? std::string_view(digits_.data(), digit_count_) : text_;
  }
  // Field by field: `= IdValue{}` zeroed a temporary on the stack and copied it over in 16-byte
  // loads from 8-byte stores, a store-forwarding stall per line.
  void clear() {
    text_ = {};
    digit_count_ = 0;
    is_integer_ = false;
  }

 private:
  std::string_view text_;
  std::array<char, 24> digits_{};  // the longest 64-bit integer has 20 digits
  std::size_t digit_count_ = 0;
  bool is_integer_ = false;
};

// One element of a GA4 purchase's items[]. Its extra members are the text
// item_extras_[extras_begin, extras_end) of the LineParser.
struct ItemFields {
  IdValue product_id;
  std::string_view category;
  double price = 0;
  std::int32_t quantity = 0;
  std::size_t extras_begin = 0;
  std::size_t extras_end = 0;
};

// ---- Time window ------------------------------------------------------------------------------

struct TimeWindow {
  std::int64_t now_ms = 0;
  std::int64_t earliest_ms = 0;
  std::int64_t latest_ms = 0;
};

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t difference;
  if (__builtin_sub_overflow(a, b, &difference)) {
    return b < 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return difference;
}

// RFC 3339 has four-digit years only; a time outside them could not be written back as `ts`.
std::int64_t earliest_writable_ms() {
  return days_from_civil(0, 1, 1) * kMillisPerDay;
}
std::int64_t latest_writable_ms() {
  return days_from_civil(10000, 1, 1) * kMillisPerDay - 1;
}

TimeWindow accepted_window(const ValidationOptions& options, std::int64_t now) {
  TimeWindow window;
  window.now_ms = now;
  window.earliest_ms = std::max(saturating_sub(now, options.max_age_ms), earliest_writable_ms());
  window.latest_ms = std::min(saturating_add(now, options.max_future_ms), latest_writable_ms());
  return window;
}

// ---- Text helpers -------------------------------------------------------------------------------

bool is_json_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_blank(std::string_view line) {
  for (const char c : line) {
    if (!is_json_whitespace(c)) return false;
  }
  return true;
}

std::string_view trim_trailing_whitespace(std::string_view text) {
  while (!text.empty() && is_json_whitespace(text.back())) text.remove_suffix(1);
  return text;
}

// The number of bytes at `text` before the first '"' or '\\'. One of them must follow within the
// readable memory: the scan reads up to 15 bytes past it (a line's padding covers that).
std::size_t plain_prefix_length(const char* text) {
#if defined(__SSE2__)
  // SSE2 is part of x86-64 itself: no -march flag needed.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (std::size_t offset = 0;; offset += sizeof(__m128i)) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + offset));
    const int found = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
    if (found != 0) {
      return offset + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(found)));
    }
  }
#else
  std::size_t length = 0;
  while (text[length] != '"' && text[length] != '\\') ++length;
  return length;
#endif
}

// The text of a string token that needs no unescaping, straight from the line; false when
// `token` is not a string, or holds an escape sequence. simdjson's first stage has made sure that
// a string token has its closing quote on the line.
bool plain_string_token(std::string_view token, std::string_view& out) {
  if (token.empty() || token.front() != '"') return false;
  const char* text = token.data() + 1;
  const std::size_t length = plain_prefix_length(text);
  if (text[length] != '"') return false;
  out = std::string_view(text, length);
  return true;
}

bool is_currency_code(std::string_view text) {
  if (text.size() != 3) return false;
  for (const char c : text) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::size_t decimal_digits(std::size_t value) {
  std::size_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

// ---- Rejection texts (built on the rejection path only) ----------------------------------------

// `text` as a JSON string literal, cut to a readable length on a UTF-8 character boundary.
std::string quoted_excerpt(std::string_view text) {
  constexpr std::size_t kMaxExcerptBytes = 64;
  std::string quoted;
  if (text.size() <= kMaxExcerptBytes) {
    append_json_string(text, quoted);
    return quoted;
  }
  std::size_t cut = kMaxExcerptBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  append_json_string(text.substr(0, cut), quoted);
  quoted.append("...");
  return quoted;
}

std::string_view json_type_name(ondemand::json_type type) {
  switch (type) {
    case ondemand::json_type::array:
      return "an array";
    case ondemand::json_type::object:
      return "an object";
    case ondemand::json_type::number:
      return "a number";
    case ondemand::json_type::string:
      return "a string";
    case ondemand::json_type::boolean:
      return "a boolean";
    case ondemand::json_type::null:
      return "null";
  }
  return "an unknown JSON type";
}

std::string describe_duration(std::int64_t ms) {
  struct Unit {
    std::int64_t ms;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{kMillisPerDay, " days"},
                                    {kMillisPerHour, " h"},
                                    {kMillisPerMinute, " min"},
                                    {kMillisPerSecond, " s"}};
  for (const Unit& unit : kUnits) {
    if (ms != 0 && ms % unit.ms == 0) return std::to_string(ms / unit.ms) + unit.name;
  }
  return std::to_string(ms) + " ms";
}

std::string describe_timestamp(std::int64_t ms) {
  if (ms < earliest_writable_ms() || ms > latest_writable_ms()) {
    return std::to_string(ms) + " ms since the epoch";
  }
  return format_rfc3339_ms(ms);
}

std::string describe_window(const TimeWindow& window, const ValidationOptions& options) {
  return "the accepted window is " + describe_timestamp(window.earliest_ms) + " to " +
         describe_timestamp(window.latest_ms) + " (now - " + describe_duration(options.max_age_ms) +
         " to now + " + describe_duration(options.max_future_ms) + ", now is " +
         describe_timestamp(window.now_ms) + ")";
}

std::string expected_event_types() {
  std::string list;
  for (const std::string_view name : kEventTypeNames) {
    if (!list.empty()) list.append(", ");
    list.append(name);
  }
  list.append(" (or GA4's");
  for (const EventTypeAlias& alias : kGa4EventTypeAliases) {
    list.append(" ");
    list.append(alias.name);
  }
  list.append(")");
  return list;
}

// Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos.
std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) second_min = 0xA0;
      if (lead == 0xED) second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) second_min = 0x90;
      if (lead == 0xF4) second_max = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < second_min || second > second_max) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

// Offset of the first control character inside a JSON string literal, or npos. Like simdjson, it
// takes a backslash to escape the next byte wherever it stands, and a backslash does not make a
// control character acceptable: "\<TAB>" is no escape sequence.
std::size_t first_unescaped_control(std::string_view text) {
  const auto is_control = [&](std::size_t i) { return static_cast<unsigned char>(text[i]) < 0x20; };
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      if (in_string && i < text.size() && is_control(i)) return i;
    } else if (text[i] == '"') {
      in_string = !in_string;
    } else if (in_string && is_control(i)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// ---- Reading JSON -----------------------------------------------------------------------------

// The key of an object member: straight from the line when it has no escape sequence, else
// unescaped into simdjson's string buffer. The key is the return value, the rare error an
// out-parameter: the other way round, g++ 12 kept every key on the stack, and the parse was
// 10 % slower (bench/parse_bench).
[[gnu::always_inline]] inline std::string_view read_key(ondemand::field& field,
                                                        simdjson::error_code& error) {
  const char* raw = field.key().raw();
  const std::size_t length = plain_prefix_length(raw);
  if (raw[length] == '"') return std::string_view(raw, length);
  std::string_view key;
  error = field.unescaped_key().get(key);
  return key;
}

// Reads `value` to its end so that simdjson checks every byte of it (On Demand checks only what is
// read), refusing containers nested deeper than `max_depth`; `depth` is the level `value` is at.
simdjson::error_code validate_json_value(ondemand::value value, std::size_t depth,
                                         std::size_t max_depth) {
  ondemand::json_type type{};
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case ondemand::json_type::object: {
      if (depth > max_depth) return simdjson::DEPTH_ERROR;
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto member : object) {
        ondemand::field field;
        if (auto error = std::move(member).get(field)) return error;
        simdjson::error_code error = simdjson::SUCCESS;
        read_key(field, error);
        if (error) return error;
        if (auto error = validate_json_value(field.value(), depth + 1, max_depth)) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      if (depth > max_depth) return simdjson::DEPTH_ERROR;
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element : array) {
        ondemand::value element_value;
        if (auto error = std::move(element).get(element_value)) return error;
        if (auto error = validate_json_value(element_value, depth + 1, max_depth)) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::string: {
      std::string_view text;
      return value.get_string().get(text);
    }
    case ondemand::json_type::number: {
      // get_double() accepts integers of any size; get_number() refuses those beyond 64 bits.
      double number;
      return value.get_double().get(number);
    }
    case ondemand::json_type::boolean: {
      bool flag;
      return value.get_bool().get(flag);
    }
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// Names a field in a rejection: "price" at the top level, "items[2].price" in an item (0-based),
// "items[2]" for an item as a whole.
struct FieldPath {
  static constexpr std::size_t kTopLevel = std::numeric_limits<std::size_t>::max();

  std::string_view key;
  std::size_t item_index = kTopLevel;

  std::string text() const {
    if (item_index == kTopLevel) return std::string(key);
    std::string path = "items[" + std::to_string(item_index) + "]";
    if (!key.empty()) {
      path.push_back('.');
      path.append(key);
    }
    return path;
  }
};

// Reads one line into events. Owns every buffer the reading reuses, so that once they have grown
// to the size of the largest line seen, no event costs an allocation.
class LineParser {
 public:
  explicit LineParser(const ValidationOptions& options) : options_(options) {
    constexpr std::size_t kInitialCapacity = 64 * 1024;
    if (json_.allocate(kInitialCapacity, std::max<std::size_t>(options_.max_depth, 1))) {
      throw std::bad_alloc();
    }
  }

  // `in_place`: kParsePadding readable bytes follow the line, which is then not copied.
  ParseCounts parse(std::string_view line, bool in_place, std::uint64_t line_number,
                    const TimeWindow& window, EventSink& sink) {
    window_ = window;
    ParseCounts counts;
    counts.lines = 1;
    if (read_line(line, in_place)) {
      counts.events = emit_events(line_number, sink);
    } else {
      rejection_.line = line_number;
      rejection_.raw = line;
      sink.on_rejection(rejection_);
      counts.rejected = 1;
    }
    return counts;
  }

 private:
  // ---- The line as a whole ----

  bool read_line(std::string_view line, bool in_place) {
    reset_line_state();
    if (line.size() > options_.max_line_bytes) {
      return fail_line_with([&] {
        return "line is " + std::to_string(line.size()) + " bytes long; the limit is " +
               std::to_string(options_.max_line_bytes) + " bytes";
      });
    }
    const simdjson::padded_string_view json =
        in_place
            ? simdjson::padded_string_view(line.data(), line.size(), line.size() + kParsePadding)
            : load_padded(line);
    if (auto error = json_.iterate(json).get(document_)) return fail_unparsable(line, error);
    if (!read_members(line)) {
      if (!event_type_needed_first_) return false;
      // A member whose meaning depends on the event type came before it. Nothing has failed, so
      // the document can be rewound: find the event type first, then read the line again.
      reset_line_state();
      document_.rewind();
      if (peek_event_type()) {
        document_.rewind();
      } else if (auto error = json_.iterate(json).get(document_)) {
        return fail_unparsable(line, error);
      }
      type_decided_ = true;
      if (!read_members(line)) return false;
    }
    if (!document_.current_location().error()) {
      return fail_line("unexpected content after the JSON object");
    }
    return check_required_fields() && check_items_expansion();
  }

  void reset_line_state() {
    event_ = EventView{};
    type_hint_.reset();
    type_decided_ = false;
    event_type_needed_first_ = false;
    seen_ = FieldSet{};
    user_id_.clear();
    product_id_.clear();
    property_members_.clear();
    has_item_member_ = false;
    has_items_ = false;
    item_count_ = 0;
    item_extras_.clear();
  }

  // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input.
  simdjson::padded_string_view load_padded(std::string_view line) {
    const std::size_t needed = line.size() + simdjson::SIMDJSON_PADDING;
    if (padded_line_.size() < needed) padded_line_.resize(needed);
    if (!line.empty()) std::memcpy(padded_line_.data(), line.data(), line.size());
    std::memset(padded_line_.data() + line.size(), ' ', simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(padded_line_.data(), line.size(), padded_line_.size());
  }

  // The first pass of a line that needs one: finds the event type, which decides what the other
  // keys mean. Returns false when the document could not be walked: simdjson cannot rewind after
  // an error, so it is then iterated afresh and the reading pass reports the error in context.
  bool peek_event_type() {
    ondemand::object object;
    if (document_.get_object().get(object)) return false;
    for (auto member : object) {
      ondemand::field field;
      if (std::move(member).get(field)) return false;
      simdjson::error_code error = simdjson::SUCCESS;
      const std::string_view key = read_key(field, error);
      if (error) return false;
      if (top_level_field(key) != Field::event_type) continue;
      std::string_view name;
      if (field.value().get_string().get(name)) return false;
      type_hint_ = event_type_from_wire_name(name);
      return true;
    }
    return true;
  }

  // The reading pass. Until `type_decided_`, the event type is read where it stands, and a member
  // whose meaning depends on it stops the pass with `event_type_needed_first_` set.
  bool read_members(std::string_view line) {
    if (kLineDepth > options_.max_depth) return fail_depth();
    ondemand::object object;
    if (auto error = document_.get_object().get(object)) return fail_not_object(line, error);
    for (auto member : object) {
      ondemand::field field;
      if (auto error = std::move(member).get(field)) return fail_line_json(error);
      simdjson::error_code error = simdjson::SUCCESS;
      const std::string_view key = read_key(field, error);
      if (error) return fail_line_json(error);
      if (!read_member(key, field.value())) return false;
    }
    return true;
  }

  bool read_member(std::string_view key, ondemand::value value) {
    const FieldPath path{key};
    const std::optional<Field> field = top_level_field(key);
    if (field && !type_decided_ && depends_on_event_type(*field)) {
      event_type_needed_first_ = true;
      return false;
    }
    if (!field || !belongs_to_contract(*field, type_hint_)) {
      if (key == kItemPropertiesKey) has_item_member_ = true;
      return append_member(property_members_, 0, path, value, kMemberDepth);
    }
    const auto index = static_cast<std::size_t>(*field);
    if (seen_.contains(*field)) {
      return fail_with(path, [&] { return duplicate_message(key, key_as_sent_[index]); });
    }
    seen_.insert(*field);
    key_as_sent_[index] = key;
    return read_contract_field(*field, path, value);
  }

  bool read_contract_field(Field field, const FieldPath& path, ondemand::value value) {
    switch (field) {
      case Field::event_id:
        return read_required_string(value, path, kMaxEventIdLength, event_.event_id);
      case Field::event_type:
        return read_event_type(value, path);
      case Field::ts:
        return read_timestamp(value, path);
      case Field::user_id:
        return read_id(value, path, kMaxUserIdLength, user_id_);
      case Field::session_id:
        return read_optional_string(value, path, event_.session_id);
      case Field::source:
        return read_optional_string(value, path, event_.source);
      case Field::product_id:
        return read_id(value, path, options_.max_string_bytes, product_id_);
      case Field::category:
        return read_required_string(value, path, options_.max_string_bytes, event_.category);
      case Field::price:
        return read_price(value, path, event_.price);
      case Field::quantity:
        return read_quantity(value, path, event_.quantity);
      case Field::order_id:
        return read_required_string(value, path, options_.max_string_bytes, event_.order_id);
      case Field::currency:
        return read_currency(value, path);
      case Field::items:
        return read_items(value, path);
    }
    return fail(path, "is not a contract field");
  }

  bool check_required_fields() {
    for (const Field field : {Field::event_id, Field::event_type, Field::ts, Field::user_id}) {
      if (!seen_.contains(field)) return fail_missing(field, kTopLevelKeys);
    }
    if (has_items_) {
      for (const Field field : kProductFields) {
        if (seen_.contains(field)) {
          return fail_with(FieldPath{key_as_sent_[static_cast<std::size_t>(field)]}, [&] {
            return "is not allowed beside items[]: each item gives its own " +
                   std::string(canonical_name(field));
          });
        }
      }
    } else if (carries_product(event_.type)) {
      for (const Field field : kProductFields) {
        if (!seen_.contains(field)) return fail_missing(field, kTopLevelKeys);
      }
    }
    if (event_.type == EventType::purchase && !seen_.contains(Field::order_id)) {
      return fail_missing(Field::order_id, kTopLevelKeys);
    }
    return true;
  }

  bool check_items_expansion() {
    if (!has_items_) return true;
    const std::size_t longest_id = event_.event_id.size() + 1 + decimal_digits(item_count_);
    if (longest_id > kMaxEventIdLength) {
      const std::string last_id = std::string(event_.event_id) + ":" + std::to_string(item_count_);
      std::string error = "is too long to number its " + std::to_string(item_count_) + " items: ";
      append_json_string(last_id, error);
      error += " would be " + std::to_string(longest_id) + " bytes; the limit is " +
               std::to_string(kMaxEventIdLength) + " bytes";
      return fail(FieldPath{key_as_sent_[static_cast<std::size_t>(Field::event_id)]},
                  std::move(error));
    }
    if (has_item_member_) {
      for (std::size_t i = 0; i < item_count_; ++i) {
        if (items_[i].extras_end > items_[i].extras_begin) {
          return fail_with(FieldPath{kItemPropertiesKey}, [&] {
            return "collides with the \"item\" object that keeps the extra members of items[" +
                   std::to_string(i) + "]; rename it";
          });
        }
      }
    }
    return true;
  }

  // ---- Contract values ----

  bool read_type(ondemand::value& value, const FieldPath& path, ondemand::json_type& type) {
    if (auto error = value.type().get(type)) return fail_value(path, error);
    return true;
  }

  // A string that needs no unescaping, taken from the line; false, with nothing read, when `value`
  // is no such string. The value is stepped over as get_string() would: left unread, On Demand
  // would skip it leniently, and a ':' after it would pass for the end of a key.
  static bool read_plain_string(ondemand::value& value, std::string_view& out) {
    if (!plain_string_token(value.raw_json_token(), out)) return false;
    ondemand::raw_json_string raw;
    return value.get_raw_json_string().get(raw) == simdjson::SUCCESS;
  }

  bool read_string_value(ondemand::value& value, const FieldPath& path, std::string_view& out) {
    if (read_plain_string(value, out)) return true;
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (type != ondemand::json_type::string) {
      return fail_with(
          path, [&] { return "must be a string, got " + std::string(json_type_name(type)); });
    }
    if (auto error = value.get_string().get(out)) return fail_value(path, error);
    return true;
  }

  bool check_length(const FieldPath& path, std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return true;
    return fail_with(path, [&] {
      return "is " + std::to_string(text.size()) + " bytes long; the limit is " +
             std::to_string(max_bytes) + " bytes";
    });
  }

  bool read_required_string(ondemand::value value, const FieldPath& path, std::size_t max_bytes,
                            std::string_view& out) {
    if (!read_string_value(value, path, out)) return false;
    if (out.empty()) return fail(path, "must not be empty");
    return check_length(path, out, max_bytes);
  }

  // Sets `is_null` when `value` is null, which for an optional field means "not sent".
  bool read_null(ondemand::value& value, const FieldPath& path, bool& is_null) {
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    is_null = type == ondemand::json_type::null;
    if (!is_null) return true;
    bool really_null = false;
    if (auto error = value.is_null().get(really_null)) return fail_value(path, error);
    if (!really_null) return fail(path, "is not valid JSON: a misspelt null");
    return true;
  }

  bool read_optional_string(ondemand::value value, const FieldPath& path, std::string_view& out) {
    if (read_plain_string(value, out)) return check_length(path, out, options_.max_string_bytes);
    bool is_null = false;
    if (!read_null(value, path, is_null)) return false;
    if (is_null) return true;
    if (!read_string_value(value, path, out)) return false;
    return check_length(path, out, options_.max_string_bytes);
  }

  bool read_id(ondemand::value value, const FieldPath& path, std::size_t max_bytes, IdValue& out) {
    const std::string_view token = value.raw_json_token();
    if (std::string_view text; read_plain_string(value, text)) {
      if (text.empty()) return fail(path, "must not be empty");
      out.set_text(text);
      return check_length(path, text, max_bytes);
    }
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (type == ondemand::json_type::string) {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return fail_value(path, error);
      if (text.empty()) return fail(path, "must not be empty");
      out.set_text(text);
    } else if (type == ondemand::json_type::number) {
      ondemand::number number;
      if (auto error = value.get_number().get(number)) return fail_value(path, error);
      switch (number.get_number_type()) {
        case ondemand::number_type::signed_integer:
          out.set_integer(number.get_int64());
          break;
        case ondemand::number_type::unsigned_integer:
          out.set_integer(number.get_uint64());
          break;
        case ondemand::number_type::floating_point_number:
          return fail_with(path, [&] {
            return "must be a string or an integer, got " +
                   std::string(trim_trailing_whitespace(token));
          });
      }
    } else {
      return fail_with(path, [&] {
        return "must be a string or an integer, got " + std::string(json_type_name(type));
      });
    }
    return check_length(path, out.view(), max_bytes);
  }

  bool read_event_type(ondemand::value value, const FieldPath& path) {
    std::string_view name;
    if (!read_string_value(value, path, name)) return false;
    const std::optional<EventType> type = event_type_from_wire_name(name);
    if (!type) {
      return fail_with(path, [&] {
        return "unknown event_type " + quoted_excerpt(name) + "; expected one of " +
               expected_event_types();
      });
    }
    event_.type = *type;
    if (!type_decided_) {
      // The first event type of the line, as a first pass would have found it.
      type_hint_ = *type;
      type_decided_ = true;
    }
    return true;
  }

  bool read_timestamp(ondemand::value value, const FieldPath& path) {
    constexpr std::string_view kExpected =
        "must be an RFC 3339 string like \"2026-11-25T13:04:05.123Z\" or an integer of epoch "
        "milliseconds, got ";
    const std::string_view token = value.raw_json_token();
    std::int64_t ts_ms = 0;
    ondemand::json_type type{};
    if (std::string_view text; read_plain_string(value, text)) {
      const std::optional<std::int64_t> parsed = parse_timestamp(text);
      if (!parsed) {
        return fail_with(path, [&] { return std::string(kExpected) + quoted_excerpt(text); });
      }
      ts_ms = *parsed;
    } else if (!read_type(value, path, type)) {
      return false;
    } else if (type == ondemand::json_type::string) {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return fail_value(path, error);
      const std::optional<std::int64_t> parsed = parse_timestamp(text);
      if (!parsed) {
        return fail_with(path, [&] { return std::string(kExpected) + quoted_excerpt(text); });
      }
      ts_ms = *parsed;
    } else if (type == ondemand::json_type::number) {
      ondemand::number number;
      if (auto error = value.get_number().get(number)) return fail_value(path, error);
      if (number.get_number_type() != ondemand::number_type::signed_integer) {
        return fail_with(path, [&] {
          return std::string(kExpected) + std::string(trim_trailing_whitespace(token));
        });
      }
      ts_ms = number.get_int64();
    } else {
      return fail_with(path,
                       [&] { return std::string(kExpected) + std::string(json_type_name(type)); });
    }
    if (ts_ms > window_.latest_ms) {
      return fail_with(path, [&] {
        return "timestamp " + describe_timestamp(ts_ms) + " is too far in the future; " +
               describe_window(window_, options_);
      });
    }
    if (ts_ms < window_.earliest_ms) {
      return fail_with(path, [&] {
        return "timestamp " + describe_timestamp(ts_ms) + " is too old; " +
               describe_window(window_, options_);
      });
    }
    event_.ts_ms = ts_ms;
    return true;
  }

  // parse_rfc3339_ms, sooner for the form append_ndjson writes, "2026-11-25T13:04:05.123Z": lines
  // mostly come in time order, so the minute is mostly the last one's, "2026-11-25T13:04", whose
  // start is kept.
  std::optional<std::int64_t> parse_timestamp(std::string_view text) {
    constexpr std::size_t kLength = 24;
    unsigned second = 0, millis = 0;
    if (text.size() != kLength || text[16] != ':' || text[19] != '.' || text[23] != 'Z' ||
        !read_fixed_digits(text, 17, 2, second) || !read_fixed_digits(text, 20, 3, millis) ||
        second > 60) {
      return parse_rfc3339_ms(text);
    }
    // As parse_rfc3339_ms counts it; a leap second 60 runs into the next minute.
    const std::int64_t in_minute = second * kMillisPerSecond + millis;
    if (has_last_minute_ && std::memcmp(text.data(), last_minute_.data(), kMinuteLength) == 0) {
      return last_minute_start_ + in_minute;
    }
    const std::optional<std::int64_t> parsed = parse_rfc3339_ms(text);
    if (parsed) {
      std::memcpy(last_minute_.data(), text.data(), kMinuteLength);
      last_minute_start_ = *parsed - in_minute;
      has_last_minute_ = true;
    }
    return parsed;
  }

  static bool read_fixed_digits(std::string_view text, std::size_t pos, std::size_t count,
                                unsigned& value) {
    value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
  }

  bool read_price(ondemand::value value, const FieldPath& path, double& out) {
    const std::string_view token = value.raw_json_token();
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (type != ondemand::json_type::number) {
      return fail_with(
          path, [&] { return "must be a number, got " + std::string(json_type_name(type)); });
    }
    if (value.get_double().get(out) || !std::isfinite(out)) {
      return fail_with(path, [&] {
        return "must be a finite number, got " + std::string(trim_trailing_whitespace(token));
      });
    }
    if (out < 0) {
      return fail_with(path, [&] {
        return "must not be negative, got " + std::string(trim_trailing_whitespace(token));
      });
    }
    return true;
  }

  bool read_quantity(ondemand::value value, const FieldPath& path, std::int32_t& out) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    const std::string_view token = value.raw_json_token();
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (type != ondemand::json_type::number) {
      return fail_with(
          path, [&] { return "must be an integer, got " + std::string(json_type_name(type)); });
    }
    ondemand::number number;
    if (auto error = value.get_number().get(number)) return fail_value(path, error);
    const auto fail_with_token = [&](std::string requirement) {
      return fail_with(path, [&] {
        return requirement + ", got " + std::string(trim_trailing_whitespace(token));
      });
    };
    switch (number.get_number_type()) {
      case ondemand::number_type::floating_point_number:
        return fail_with_token("must be an integer");
      case ondemand::number_type::unsigned_integer:
        return fail_with_token("must be at most " + std::to_string(kMax));
      case ondemand::number_type::signed_integer:
        break;
    }
    const std::int64_t quantity = number.get_int64();
    if (quantity < 1) return fail_with_token("must be at least 1");
    if (quantity > kMax) return fail_with_token("must be at most " + std::to_string(kMax));
    out = static_cast<std::int32_t>(quantity);
    return true;
  }

  bool read_currency(ondemand::value value, const FieldPath& path) {
    std::string_view code;
    if (!read_plain_string(value, code)) {
      bool is_null = false;
      if (!read_null(value, path, is_null)) return false;
      if (is_null) return true;
      if (!read_string_value(value, path, code)) return false;
    }
    if (!is_currency_code(code)) {
      return fail_with(path, [&] {
        return "must be an ISO 4217 code of three upper-case letters such as USD, got " +
               quoted_excerpt(code);
      });
    }
    event_.currency = code;
    return true;
  }

  // ---- GA4 items ----

  bool read_items(ondemand::value value, const FieldPath& path) {
    has_items_ = true;
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (type != ondemand::json_type::array) {
      return fail_with(path, [&] {
        return "must be an array of item objects, got " + std::string(json_type_name(type));
      });
    }
    if (kMemberDepth > options_.max_depth) return fail_depth();
    ondemand::array array;
    if (auto error = value.get_array().get(array)) return fail_value(path, error);
    for (auto element : array) {
      ondemand::value item;
      if (auto error = std::move(element).get(item)) return fail_value(path, error);
      if (item_count_ == options_.max_items) {
        return fail_with(path, [&] {
          return "holds more than " + std::to_string(options_.max_items) + " items; the limit is " +
                 std::to_string(options_.max_items);
        });
      }
      if (!read_item(item, item_count_)) return false;
      ++item_count_;
    }
    if (item_count_ == 0) return fail(path, "must hold at least one item");
    return true;
  }

  // The vector only grows, and only past its largest size so far.
  ItemFields& item_slot(std::size_t index) {
    if (index == items_.size()) items_.emplace_back();
    ItemFields& item = items_[index];
    item = ItemFields{};
    return item;
  }

  bool read_item(ondemand::value value, std::size_t index) {
    const FieldPath item_path{{}, index};
    ondemand::json_type type{};
    if (!read_type(value, item_path, type)) return false;
    if (type != ondemand::json_type::object) {
      return fail_with(
          item_path, [&] { return "must be an object, got " + std::string(json_type_name(type)); });
    }
    if (kItemDepth > options_.max_depth) return fail_depth();
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return fail_value(item_path, error);
    ItemFields& item = item_slot(index);
    item.extras_begin = item_extras_.size();
    FieldSet seen;
    std::array<std::string_view, kFieldCount> key_as_sent;
    for (auto member : object) {
      ondemand::field field;
      if (auto error = std::move(member).get(field)) return fail_value(item_path, error);
      simdjson::error_code error = simdjson::SUCCESS;
      const std::string_view key = read_key(field, error);
      if (error) return fail_value(item_path, error);
      const FieldPath path{key, index};
      const std::optional<Field> item_field = find_field(kItemKeys, key);
      if (!item_field) {
        if (!append_member(item_extras_, item.extras_begin, path, field.value(),
                           kItemMemberDepth)) {
          return false;
        }
        continue;
      }
      const auto slot = static_cast<std::size_t>(*item_field);
      if (seen.contains(*item_field)) {
        return fail_with(path, [&] { return duplicate_message(key, key_as_sent[slot]); });
      }
      seen.insert(*item_field);
      key_as_sent[slot] = key;
      if (!read_item_field(*item_field, path, field.value(), item)) return false;
    }
    item.extras_end = item_extras_.size();
    for (const Field field : kProductFields) {
      if (!seen.contains(field)) return fail_missing(field, kItemKeys, index);
    }
    return true;
  }

  bool read_item_field(Field field, const FieldPath& path, ondemand::value value,
                       ItemFields& item) {
    switch (field) {
      case Field::product_id:
        return read_id(value, path, options_.max_string_bytes, item.product_id);
      case Field::category:
        return read_required_string(value, path, options_.max_string_bytes, item.category);
      case Field::price:
        return read_price(value, path, item.price);
      case Field::quantity:
        return read_quantity(value, path, item.quantity);
      default:
        return fail(path, "is not an item field");
    }
  }

  // ---- Members kept as properties ----

  // Appends `"key":<value as sent>` to `out`, after a comma unless it is the first member since
  // `segment_begin`. The value is read whole first, so that only valid JSON is kept.
  bool append_member(std::string& out, std::size_t segment_begin, const FieldPath& path,
                     ondemand::value value, std::size_t depth) {
    const std::string_view token = value.raw_json_token();
    ondemand::json_type type{};
    if (!read_type(value, path, type)) return false;
    if (auto error = validate_json_value(value, depth, options_.max_depth)) {
      return fail_value(path, error);
    }
    std::string_view raw = token;
    if (type == ondemand::json_type::object || type == ondemand::json_type::array) {
      // A container's token is its opening bracket; after reading it, the document stands at the
      // token that follows its closing bracket. There is none only when the line's own object was
      // never closed.
      const char* end = nullptr;
      if (document_.current_location().get(end)) {
        return fail_line_json(simdjson::INCOMPLETE_ARRAY_OR_OBJECT);
      }
      raw = std::string_view(token.data(), static_cast<std::size_t>(end - token.data()));
    }
    if (out.size() > segment_begin) out.push_back(',');
    append_json_string(path.key, out);
    out.push_back(':');
    out.append(trim_trailing_whitespace(raw));
    return true;
  }

  // `"{" members [, "item":{extras}] "}"`, or empty when there is nothing to keep.
  std::string_view compose_properties(std::string_view item_extras) {
    properties_.clear();
    if (property_members_.empty() && item_extras.empty()) return {};
    properties_.push_back('{');
    properties_.append(property_members_);
    if (!item_extras.empty()) {
      if (!property_members_.empty()) properties_.push_back(',');
      append_json_string(kItemPropertiesKey, properties_);
      properties_.append(":{");
      properties_.append(item_extras);
      properties_.push_back('}');
    }
    properties_.push_back('}');
    return properties_;
  }

  // ---- Handing out events ----

  std::uint64_t emit_events(std::uint64_t line_number, EventSink& sink) {
    event_.user_id = user_id_.view();
    if (!has_items_) {
      if (carries_product(event_.type)) event_.product_id = product_id_.view();
      event_.properties = compose_properties({});
      sink.on_event(event_, line_number);
      return 1;
    }
    const std::string_view event_id = event_.event_id;
    for (std::size_t i = 0; i < item_count_; ++i) {
      const ItemFields& item = items_[i];
      expanded_event_id_.assign(event_id);
      expanded_event_id_.push_back(':');
      std::array<char, 24> number;
      const auto written = std::to_chars(number.data(), number.data() + number.size(), i + 1);
      expanded_event_id_.append(number.data(), written.ptr);
      event_.event_id = expanded_event_id_;
      event_.product_id = item.product_id.view();
      event_.category = item.category;
      event_.price = item.price;
      event_.quantity = item.quantity;
      event_.properties =
          compose_properties(std::string_view(item_extras_)
                                 .substr(item.extras_begin, item.extras_end - item.extras_begin));
      sink.on_event(event_, line_number);
    }
    return item_count_;
  }

  // ---- Rejections ----

  // Every rejection goes through here. Rejections are rare, so their texts are built out of the
  // way of the accepting path: a message is passed as a literal, or as a function that builds it.
  [[gnu::cold, gnu::noinline]] bool fail(const FieldPath& path, std::string error) {
    rejection_.field = path.text();
    rejection_.error = std::move(error);
    return false;
  }

  [[gnu::cold, gnu::noinline]] bool fail(const FieldPath& path, const char* error) {
    return fail(path, std::string(error));
  }

  template <typename BuildMessage>
  [[gnu::cold, gnu::noinline]] bool fail_with(const FieldPath& path, BuildMessage build_message) {
    return fail(path, build_message());
  }

  bool fail_line(std::string error) { return fail(FieldPath{}, std::move(error)); }

  template <typename BuildMessage>
  [[gnu::cold, gnu::noinline]] bool fail_line_with(BuildMessage build_message) {
    return fail_line(build_message());
  }

  [[gnu::cold, gnu::noinline]] bool fail_depth() {
    return fail_line("nested too deep: objects and arrays may nest at most " +
                     std::to_string(options_.max_depth) + " levels");
  }

  // Names the GA4 spelling too, where there is one, since a GA4 sender looks for that.
  [[gnu::cold, gnu::noinline]] bool fail_missing(Field field, std::span<const KeyName> names,
                                                 std::size_t item_index = FieldPath::kTopLevel) {
    std::string error = "missing required field";
    for (const KeyName& name : names) {
      if (name.field == field && name.key != canonical_name(field)) {
        error += " (GA4's \"" + std::string(name.key) + "\" is accepted too)";
      }
    }
    return fail(FieldPath{canonical_name(field), item_index}, std::move(error));
  }

  // A value simdjson could not read: an error of the member, except nesting, a line limit.
  [[gnu::cold, gnu::noinline]] bool fail_value(const FieldPath& path, simdjson::error_code error) {
    if (error == simdjson::DEPTH_ERROR) return fail_depth();
    return fail(path, "is not valid JSON: " + std::string(simdjson::error_message(error)));
  }

  [[gnu::cold, gnu::noinline]] bool fail_line_json(simdjson::error_code error) {
    return fail_line("not valid JSON: " + std::string(simdjson::error_message(error)));
  }

  // The root is not an object: names what it is, from its first token, when that is a JSON value.
  [[gnu::cold, gnu::noinline]] bool fail_not_object(std::string_view line,
                                                    simdjson::error_code error) {
    const std::size_t first = line.find_first_not_of(" \t\r\n");
    const char token = first == std::string_view::npos ? '\0' : line[first];
    std::string_view what;
    if (token == '[') what = "an array";
    if (token == '"') what = "a string";
    if (token == '-' || (token >= '0' && token <= '9')) what = "a number";
    // simdjson judges a root scalar by its first letter only: "this is text" would pass for a
    // boolean. Name the kind only when the whole line is that literal.
    std::string_view whole = first == std::string_view::npos ? "" : line.substr(first);
    whole = whole.substr(0, whole.find_last_not_of(" \t\r\n") + 1);
    if (whole == "true" || whole == "false") what = "a boolean";
    if (whole == "null") what = "null";
    if (token == '-' || (token >= '0' && token <= '9')) {
      double number = 0;
      const auto parsed = std::from_chars(whole.data(), whole.data() + whole.size(), number);
      if (parsed.ec != std::errc() || parsed.ptr != whole.data() + whole.size()) what = {};
    }
    if (error != simdjson::INCORRECT_TYPE) return fail_line_json(error);
    const std::string problem =
        what.empty() ? "not valid JSON" : "not a JSON object but " + std::string(what);
    return fail_line(problem + ": every line must be one {...} event (" +
                     std::string(simdjson::error_message(error)) + ")");
  }

  // simdjson refuses a line with invalid UTF-8 or a raw control character in a string before
  // anything is read; the offending byte is found here and its member named when possible.
  [[gnu::cold, gnu::noinline]] bool fail_unparsable(std::string_view line,
                                                    simdjson::error_code error) {
    if (error == simdjson::UTF8_ERROR) {
      const std::size_t offset = first_invalid_utf8(line);
      if (offset != std::string_view::npos) {
        return fail(FieldPath{member_at(line, offset)},
                    "invalid UTF-8 at byte " + std::to_string(offset) + " of the line");
      }
    } else if (error == simdjson::UNESCAPED_CHARS) {
      const std::size_t offset = first_unescaped_control(line);
      if (offset != std::string_view::npos) {
        return fail(FieldPath{member_at(line, offset)},
                    "control character in a string at byte " + std::to_string(offset) +
                        " of the line; it must be escaped, as \\n or \\u00XX");
      }
    }
    return fail_line_json(error);
  }

  // Rejection path only: the key of the top-level member whose text holds byte `offset` of the
  // line, or empty. Reads a copy of the line in which every byte simdjson could object to has been
  // replaced by a harmless one of the same length.
  std::string member_at(std::string_view line, std::size_t offset) {
    const simdjson::padded_string_view json = load_padded(line);
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(padded_line_[i]);
      if (c < 0x20) padded_line_[i] = ' ';
      if (c >= 0x80) padded_line_[i] = 'x';
    }
    const char* target = padded_line_.data() + offset;
    ondemand::object object;
    if (json_.iterate(json).get(document_) || document_.get_object().get(object)) return {};
    std::string member;
    for (auto entry : object) {
      ondemand::field field;
      std::string_view key;
      if (std::move(entry).get(field)) return {};
      if (field.key().raw() - 1 > target) return member;
      if (field.unescaped_key().get(key)) return {};
      member.assign(key);
    }
    const auto after_object = document_.current_location();
    if (!after_object.error() && after_object.value_unsafe() <= target) return {};
    return member;
  }

  static std::string duplicate_message(std::string_view key, std::string_view first_key) {
    if (key == first_key) return "duplicate field";
    return "duplicate field: " + quoted_excerpt(first_key) + " already gave it";
  }

  ValidationOptions options_;
  ondemand::parser json_;
  ondemand::document document_;
  std::string padded_line_;
  TimeWindow window_;

  // The line being read. Strings not stored here point into padded_line_, or, when they had to be
  // unescaped, into simdjson's string buffer.
  EventView event_;
  std::optional<EventType> type_hint_;  // the event type that decides what the keys mean
  bool type_decided_ = false;           // type_hint_ is final
  bool event_type_needed_first_ = false;
  FieldSet seen_;
  std::array<std::string_view, kFieldCount> key_as_sent_;
  IdValue user_id_;
  IdValue product_id_;
  std::string property_members_;  // `"key":value,…` of the members kept as properties
  bool has_item_member_ = false;  // one of them is named "item"
  bool has_items_ = false;
  std::size_t item_count_ = 0;
  std::vector<ItemFields> items_;
  std::string item_extras_;  // `"key":value,…` of every item's extra members, item after item

  // The minute ("YYYY-MM-DDTHH:MM") of the last timestamp that parse_timestamp handed to
  // parse_rfc3339_ms, and the minute's start in epoch milliseconds.
  static constexpr std::size_t kMinuteLength = 16;
  std::array<char, kMinuteLength> last_minute_{};
  std::int64_t last_minute_start_ = 0;
  bool has_last_minute_ = false;

  // Texts the EventViews handed out point into.
  std::string properties_;
  std::string expanded_event_id_;
  Rejection rejection_;
};

}  // namespace

struct EventParser::Buffers {
  explicit Buffers(const ValidationOptions& options) : line_parser(options) {}
  LineParser line_parser;
};

EventParser::EventParser(ValidationOptions options)
    : options_(std::move(options)), buffers_(std::make_unique<Buffers>(options_)) {}

EventParser::~EventParser() = default;

ParseCounts EventParser::parse_ndjson(std::string_view body, EventSink& sink,
                                      std::uint64_t first_line) {
  return parse_lines(body, false, sink, first_line);
}

ParseCounts EventParser::parse_ndjson(PaddedText body, EventSink& sink, std::uint64_t first_line) {
  return parse_lines(body.text(), true, sink, first_line);
}

ParseCounts EventParser::parse_lines(std::string_view body, bool in_place, EventSink& sink,
                                     std::uint64_t first_line) {
  const TimeWindow window = accepted_window(options_, options_.now_ms.value_or(core::now_ms()));
  ParseCounts counts;
  std::uint64_t line_number = first_line;
  std::size_t line_start = 0;
  while (line_start < body.size()) {
    std::size_t line_end = body.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = body.size();
    std::string_view line = body.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!is_blank(line)) {
      counts += buffers_->line_parser.parse(line, in_place, line_number, window, sink);
    }
    ++line_number;
    line_start = line_end + 1;
  }
  return counts;
}

ParseCounts EventParser::parse_line(std::string_view line, std::uint64_t line_number,
                                    EventSink& sink) {
  const TimeWindow window = accepted_window(options_, options_.now_ms.value_or(core::now_ms()));
  return buffers_->line_parser.parse(line, false, line_number, window, sink);
}

}  // namespace shoplake::core
