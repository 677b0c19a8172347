#include "shoplake/core/event_codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace shoplake::core {
namespace {

Event purchase() {
  Event event;
  event.event_id = "e-1";
  event.type = EventType::purchase;
  event.ts_ms = 1'764'000'000'123;
  event.user_id = "u000042";
  event.session_id = "s-9";
  event.source = "web";
  event.product_id = "el-0007";
  event.category = "electronics";
  event.price = 499.99;
  event.quantity = 2;
  event.order_id = "o-17";
  event.currency = "EUR";
  event.properties = R"({"coupon":"X","nested":{"a":[1,2]}})";
  return event;
}

Event login() {
  Event event;
  event.event_id = std::string(64, 'x');
  event.type = EventType::login;
  event.ts_ms = -5;  // before 1970: still representable
  event.user_id = std::string("with\0nul", 8);
  return event;
}

// Every event of a payload that must decode whole.
std::vector<Event> decode_all(std::string_view payload) {
  EncodedEventReader reader(payload);
  EventView view;
  std::vector<Event> decoded;
  while (reader.next(view)) decoded.emplace_back(view);
  EXPECT_EQ(reader.error(), "");
  return decoded;
}

TEST(EventCodec, EventsRoundTripInOrder) {
  const std::vector<Event> events = {purchase(), login(), purchase()};
  std::string payload;
  for (const auto& event : events) append_encoded_event(event.view(), payload);
  EXPECT_EQ(decode_all(payload), events);
}

TEST(EventCodec, EmptyPayloadHoldsNoEvents) {
  EncodedEventReader reader("");
  EventView view;
  EXPECT_FALSE(reader.next(view));
  EXPECT_TRUE(reader.error().empty());
}

TEST(EventCodec, TruncatedPayloadIsReportedNotOverread) {
  std::string payload;
  append_encoded_event(purchase().view(), payload);
  for (std::size_t cut = 1; cut < payload.size(); ++cut) {
    EncodedEventReader reader(std::string_view(payload).substr(0, cut));
    EventView view;
    EXPECT_FALSE(reader.next(view)) << "cut at " << cut;
    EXPECT_FALSE(reader.error().empty()) << "cut at " << cut;
  }
}

TEST(EventCodec, UnknownEventTypeByteIsMalformed) {
  std::string payload;
  append_encoded_event(purchase().view(), payload);
  payload[1] = static_cast<char>(kEventTypeCount);
  EncodedEventReader reader(payload);
  EventView view;
  EXPECT_FALSE(reader.next(view));
  EXPECT_FALSE(reader.error().empty());
}

TEST(EventCodec, NumbersAtTheirLimitsRoundTrip) {
  std::vector<Event> events;
  for (const std::int64_t ts : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1},
                                std::int64_t{0}, std::numeric_limits<std::int64_t>::max()}) {
    Event event = purchase();
    event.ts_ms = ts;
    events.push_back(event);
  }
  for (const std::int32_t quantity :
       {std::numeric_limits<std::int32_t>::min(), -1, std::numeric_limits<std::int32_t>::max()}) {
    Event event = purchase();
    event.quantity = quantity;
    event.price = 0;  // a quantity without a price still travels
    events.push_back(event);
  }
  Event negative_zero = purchase();
  negative_zero.price = -0.0;
  negative_zero.quantity = 0;
  events.push_back(negative_zero);
  Event empty_currency = login();
  empty_currency.currency = "";
  events.push_back(empty_currency);

  std::string payload;
  for (const auto& event : events) append_encoded_event(event.view(), payload);
  const std::vector<Event> decoded = decode_all(payload);
  EXPECT_EQ(decoded, events);
  ASSERT_EQ(decoded.size(), events.size());
  EXPECT_TRUE(std::signbit(decoded[7].price)) << "-0.0 must not come back as 0.0";
}

TEST(EventCodec, AViewEventTakesFewBytes) {
  Event view_event;
  view_event.event_id = "e-41b8d502061c-11150";
  view_event.ts_ms = 1'795'976'179'850;
  view_event.user_id = "u000601";
  view_event.session_id = "s-41b8d502061c-1272";
  view_event.source = "mobile";
  std::string payload;
  append_encoded_event(view_event.view(), payload);
  const std::size_t strings = view_event.event_id.size() + view_event.user_id.size() +
                              view_event.session_id.size() + view_event.source.size();
  // format, type, flags, a 6-byte timestamp and eight 1-byte lengths: 17 bytes beside the text.
  EXPECT_EQ(payload.size(), strings + 17);
}

// What format 1 wrote: fixed-width numbers and 32-bit lengths. Logs from before format 2 must
// still replay after an upgrade.
std::string fixed_width_encoding(const Event& event) {
  std::string out;
  const auto put = [&out](const void* bytes, std::size_t count) {
    out.append(static_cast<const char*>(bytes), count);
  };
  const std::uint8_t format = 1;
  const auto type = static_cast<std::uint8_t>(event.type);
  put(&format, 1);
  put(&type, 1);
  put(&event.ts_ms, sizeof(event.ts_ms));
  put(&event.price, sizeof(event.price));
  put(&event.quantity, sizeof(event.quantity));
  for (const std::string* text :
       {&event.event_id, &event.user_id, &event.session_id, &event.source, &event.product_id,
        &event.category, &event.order_id, &event.currency, &event.properties}) {
    const auto size = static_cast<std::uint32_t>(text->size());
    put(&size, sizeof(size));
    out += *text;
  }
  return out;
}

TEST(EventCodec, FormatOneEventsStillDecodeBesideFormatTwo) {
  const std::vector<Event> events = {purchase(), login(), purchase()};
  std::string payload = fixed_width_encoding(events[0]);
  append_encoded_event(events[1].view(), payload);
  payload += fixed_width_encoding(events[2]);
  EXPECT_EQ(decode_all(payload), events);
}

TEST(EventCodec, UnknownFormatAndFlagsAreMalformed) {
  std::string payload;
  append_encoded_event(purchase().view(), payload);
  for (const auto& [index, byte] : {std::pair<std::size_t, char>{0, 3}, {0, 0}, {2, 0x04}}) {
    std::string corrupt = payload;
    corrupt[index] = byte;
    EncodedEventReader reader(corrupt);
    EventView view;
    EXPECT_FALSE(reader.next(view)) << "byte " << index;
    EXPECT_FALSE(reader.error().empty()) << "byte " << index;
  }
}

TEST(EventCodec, OverlongVarintIsMalformed) {
  std::string payload = {2, 0, 0};  // format 2, view, no optional fields
  payload.append(11, static_cast<char>(0x80));
  payload += '\0';
  EncodedEventReader reader(payload);
  EventView view;
  EXPECT_FALSE(reader.next(view));
  EXPECT_FALSE(reader.error().empty());
}

TEST(EventCodec, RejectionsRoundTrip) {
  const Rejection first{3, "price", "must not be negative, got -5", R"({"price":-5})"};
  const Rejection second{9, "", "not JSON", "garbage\x01"};
  std::string payload;
  append_encoded_rejection(first, payload);
  append_encoded_rejection(second, payload);
  EncodedRejectionReader reader(payload);
  RejectionView view;
  ASSERT_TRUE(reader.next(view));
  EXPECT_EQ(view.line, 3u);
  EXPECT_EQ(view.field, "price");
  EXPECT_EQ(view.error, first.error);
  EXPECT_EQ(view.raw, first.raw);
  ASSERT_TRUE(reader.next(view));
  EXPECT_EQ(view.line, 9u);
  EXPECT_EQ(view.field, "");
  EXPECT_EQ(view.raw, second.raw);
  EXPECT_FALSE(reader.next(view));
  EXPECT_TRUE(reader.error().empty());
}

}  // namespace
}  // namespace shoplake::core
