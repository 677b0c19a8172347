#include "shoplake/core/event_codec.hpp"

#include <gtest/gtest.h>

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

TEST(EventCodec, EventsRoundTripInOrder) {
  const std::vector<Event> events = {purchase(), login(), purchase()};
  std::string payload;
  for (const auto& event : events) append_encoded_event(event.view(), payload);
  EncodedEventReader reader(payload);
  EventView view;
  std::vector<Event> decoded;
  while (reader.next(view)) decoded.emplace_back(view);
  EXPECT_TRUE(reader.error().empty());
  EXPECT_EQ(decoded, events);
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
