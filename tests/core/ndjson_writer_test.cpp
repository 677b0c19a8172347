#include "shoplake/core/ndjson_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "shoplake/core/time.hpp"

namespace shoplake::core {
namespace {

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(text, out);
  return out;
}

std::string ndjson(const Event& event) {
  std::string out;
  append_ndjson(event.view(), out);
  return out;
}

Event view_event() {
  Event event;
  event.event_id = "e1";
  event.type = EventType::view;
  event.ts_ms = *parse_rfc3339_ms("2026-11-25T13:04:05.123Z");
  event.user_id = "u1";
  return event;
}

Event cart_event(EventType type) {
  Event event = view_event();
  event.type = type;
  event.product_id = "p9";
  event.category = "shoes";
  event.price = 19.99;
  event.quantity = 2;
  return event;
}

TEST(AppendJsonString, PlainTextIsQuoted) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("hello world"), R"("hello world")");
}

TEST(AppendJsonString, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(json_string(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(json_string(R"(C:\path\)"), R"("C:\\path\\")");
  EXPECT_EQ(json_string(R"(\")"), R"("\\\"")");
}

TEST(AppendJsonString, EscapesControlCharacters) {
  EXPECT_EQ(json_string("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(json_string(std::string_view("\x00", 1)), R"("\u0000")");
  EXPECT_EQ(json_string("\x01"), R"("\u0001")");
  EXPECT_EQ(json_string("\x1f"), R"("\u001f")");
  EXPECT_EQ(json_string("x\x1by"), R"("x\u001by")");
}

TEST(AppendJsonString, LeavesOtherBytesAlone) {
  EXPECT_EQ(json_string("\x7f"), "\"\x7f\"");
  EXPECT_EQ(json_string(" /<>'"), R"(" /<>'")");
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9b\x92"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9b\x92\"");
}

TEST(AppendJsonString, AppendsToWhatIsThere) {
  std::string out = "[";
  append_json_string("a", out);
  out.push_back(',');
  append_json_string("b\"", out);
  EXPECT_EQ(out, R"(["a","b\"")");
}

TEST(AppendNdjson, MinimalEventHasOnlyTheRequiredFields) {
  EXPECT_EQ(
      ndjson(view_event()),
      R"({"event_id":"e1","event_type":"view","ts":"2026-11-25T13:04:05.123Z","user_id":"u1"})"
      "\n");
}

TEST(AppendNdjson, SessionAndSourceOnlyWhenSent) {
  Event event = view_event();
  event.session_id = "s1";
  EXPECT_EQ(
      ndjson(event),
      R"({"event_id":"e1","event_type":"view","ts":"2026-11-25T13:04:05.123Z","user_id":"u1",)"
      R"("session_id":"s1"})"
      "\n");
  event.session_id.clear();
  event.source = "mobile";
  EXPECT_EQ(
      ndjson(event),
      R"({"event_id":"e1","event_type":"view","ts":"2026-11-25T13:04:05.123Z","user_id":"u1",)"
      R"("source":"mobile"})"
      "\n");
}

TEST(AppendNdjson, ProductFieldsForCartEvents) {
  for (const EventType type : {EventType::add_to_cart, EventType::remove_from_cart}) {
    const std::string line = ndjson(cart_event(type));
    EXPECT_NE(line.find(R"(,"product_id":"p9","category":"shoes","price":19.99,"quantity":2)"),
              std::string::npos)
        << line;
    EXPECT_EQ(line.find("order_id"), std::string::npos) << line;
  }
}

TEST(AppendNdjson, PurchaseAlsoHasOrderId) {
  Event event = cart_event(EventType::purchase);
  event.order_id = "o7";
  EXPECT_EQ(ndjson(event),
            R"({"event_id":"e1","event_type":"purchase","ts":"2026-11-25T13:04:05.123Z",)"
            R"("user_id":"u1","product_id":"p9","category":"shoes","price":19.99,"quantity":2,)"
            R"("order_id":"o7"})"
            "\n");
}

TEST(AppendNdjson, NoProductFieldsForOtherTypes) {
  for (const EventType type : {EventType::login, EventType::logout, EventType::view,
                               EventType::search, EventType::begin_checkout}) {
    Event event = cart_event(EventType::purchase);
    event.type = type;
    event.order_id = "o7";
    const std::string line = ndjson(event);
    EXPECT_EQ(line.find("product_id"), std::string::npos) << line;
    EXPECT_EQ(line.find("price"), std::string::npos) << line;
    EXPECT_EQ(line.find("quantity"), std::string::npos) << line;
    EXPECT_EQ(line.find("order_id"), std::string::npos) << line;
  }
}

TEST(AppendNdjson, WholeNumberPriceHasNoFraction) {
  Event event = cart_event(EventType::add_to_cart);
  event.price = 10;
  EXPECT_NE(ndjson(event).find(R"("price":10,)"), std::string::npos);
}

TEST(AppendNdjson, CurrencyOnlyWhenNotUsd) {
  Event event = view_event();
  event.currency = "USD";
  EXPECT_EQ(ndjson(event).find("currency"), std::string::npos);
  event.currency = "";
  EXPECT_EQ(ndjson(event).find("currency"), std::string::npos);
  event.currency = "EUR";
  EXPECT_NE(ndjson(event).find(R"(,"currency":"EUR"})"), std::string::npos);
}

TEST(AppendNdjson, StringsAreEscaped) {
  Event event = view_event();
  event.event_id = "a\"b";
  event.user_id = "line\nbreak";
  const std::string line = ndjson(event);
  EXPECT_NE(line.find(R"("event_id":"a\"b")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("user_id":"line\nbreak")"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "only the terminating newline is raw";
}

TEST(AppendNdjson, PropertiesAreSplicedIntoTheTopLevel) {
  Event event = view_event();
  event.properties = R"({"coupon":"X","utm":{"a":1}})";
  EXPECT_EQ(
      ndjson(event),
      R"({"event_id":"e1","event_type":"view","ts":"2026-11-25T13:04:05.123Z","user_id":"u1",)"
      R"("coupon":"X","utm":{"a":1}})"
      "\n");
}

TEST(AppendNdjson, PropertiesAfterAllContractFields) {
  Event event = cart_event(EventType::purchase);
  event.order_id = "o7";
  event.currency = "EUR";
  event.properties = R"({"k":[1,2]})";
  const std::string line = ndjson(event);
  EXPECT_NE(line.find(R"("currency":"EUR","k":[1,2]})"), std::string::npos) << line;
}

TEST(AppendNdjson, EmptyPropertiesAddNothing) {
  const std::string plain = ndjson(view_event());
  for (const char* properties : {"", "{}", "  {  }  ", "{\n}"}) {
    Event event = view_event();
    event.properties = properties;
    EXPECT_EQ(ndjson(event), plain) << '"' << properties << '"';
  }
}

TEST(AppendNdjson, AppendsOneLinePerCall) {
  std::string out;
  append_ndjson(view_event().view(), out);
  append_ndjson(cart_event(EventType::add_to_cart).view(), out);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_EQ(out.rfind("{\"event_id\"", 0), 0u);
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace shoplake::core

namespace shoplake::core {
namespace {

// The serializer caches the date part per day; every instant must still print as the plain
// RFC 3339 formatter prints it, across day boundaries and at the edges of four-digit years.
TEST(NdjsonWriterTimestamps, MatchTheRfc3339FormatterEverywhere) {
  const std::int64_t instants[] = {0,
                                   -1,
                                   kMillisPerDay - 1,
                                   kMillisPerDay,
                                   1'764'000'000'123,
                                   1'764'000'000'123 + kMillisPerDay,
                                   1'764'000'000'123,
                                   -62167219200000,
                                   -62167219200001,
                                   253402300799999,
                                   253402300800000};
  for (const std::int64_t instant : instants) {
    EventView event;
    event.event_id = "t";
    event.type = EventType::login;
    event.ts_ms = instant;
    event.user_id = "u";
    std::string line;
    append_ndjson(event, line);
    std::string expected = "\"ts\":\"";
    expected += format_rfc3339_ms(instant);
    expected += '"';
    EXPECT_NE(line.find(expected), std::string::npos) << instant << ": " << line;
  }
}

}  // namespace
}  // namespace shoplake::core
