#include "shoplake/core/event_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::core {
namespace {

// ---- Fixtures
// ------------------------------------------------------------------------------------

std::int64_t test_now() {
  return *parse_rfc3339_ms("2026-11-25T12:00:00Z");
}

ValidationOptions test_options() {
  ValidationOptions options;
  options.now_ms = test_now();
  return options;
}

struct OwnedRejection {
  std::uint64_t line = 0;
  std::string field;
  std::string error;
  std::string raw;
};

class CollectingSink : public EventSink {
 public:
  void on_event(const EventView& event, std::uint64_t line) override {
    events.emplace_back(event);
    event_lines.push_back(line);
  }
  void on_rejection(const Rejection& rejection) override {
    rejections.push_back(
        {rejection.line, rejection.field, rejection.error, std::string(rejection.raw)});
  }

  std::vector<Event> events;
  std::vector<std::uint64_t> event_lines;
  std::vector<OwnedRejection> rejections;
};

struct Outcome {
  ParseCounts counts;
  CollectingSink sink;
};

Outcome parse(std::string_view body, const ValidationOptions& options = test_options(),
              std::uint64_t first_line = 1) {
  Outcome outcome;
  EventParser parser(options);
  outcome.counts = parser.parse_ndjson(body, outcome.sink, first_line);
  return outcome;
}

// `text` between double quotes, as JSON; tests only quote text that needs no escaping.
// (Built by appending: g++ 12 warns falsely about `"\"" + std::string`.)
std::string json_quoted(std::string_view text) {
  std::string json = "\"";
  json.append(text);
  json.push_back('"');
  return json;
}

// A line as an ordered list of members, so that tests can drop or replace one. Keys are the JSON
// text between the quotes, escapes included; values are raw JSON.
using Members = std::vector<std::pair<std::string, std::string>>;

std::string object(const Members& members) {
  std::string line = "{";
  for (const auto& [key, value] : members) {
    if (line.size() > 1) line.push_back(',');
    line += json_quoted(key);
    line.push_back(':');
    line += value;
  }
  line.push_back('}');
  return line;
}

Members without(Members members, std::string_view key) {
  std::erase_if(members, [&](const auto& member) { return member.first == key; });
  return members;
}

Members with(Members members, std::string_view key, std::string_view value) {
  for (auto& member : members) {
    if (member.first == key) {
      member.second = value;
      return members;
    }
  }
  members.emplace_back(key, value);
  return members;
}

Members view_members() {
  return {{"event_id", R"("e1")"},
          {"event_type", R"("view")"},
          {"ts", R"("2026-11-25T11:00:00Z")"},
          {"user_id", R"("u1")"}};
}

Members cart_members() {
  return {{"event_id", R"("e2")"},
          {"event_type", R"("add_to_cart")"},
          {"ts", R"("2026-11-25T11:00:00Z")"},
          {"user_id", R"("u1")"},
          {"product_id", R"("p1")"},
          {"category", R"("shoes")"},
          {"price", "19.99"},
          {"quantity", "2"}};
}

Members purchase_members() {
  Members members = with(cart_members(), "event_type", R"("purchase")");
  members.emplace_back("order_id", R"("o1")");
  return members;
}

Event only_event(const Outcome& outcome) {
  EXPECT_EQ(outcome.sink.events.size(), 1u);
  for (const OwnedRejection& rejection : outcome.sink.rejections) {
    ADD_FAILURE() << "rejected: field \"" << rejection.field << "\": " << rejection.error;
  }
  return outcome.sink.events.empty() ? Event{} : outcome.sink.events.front();
}

Event accepted(std::string_view line, const ValidationOptions& options = test_options()) {
  return only_event(parse(line, options));
}

// The line is rejected, as line 1, for `field`, with an error containing `error_part`.
::testing::AssertionResult rejected_as(std::string_view line, std::string_view field,
                                       std::string_view error_part,
                                       const ValidationOptions& options = test_options()) {
  const Outcome outcome = parse(line, options);
  if (!outcome.sink.events.empty()) {
    return ::testing::AssertionFailure() << "accepted: " << line;
  }
  if (outcome.sink.rejections.size() != 1) {
    return ::testing::AssertionFailure()
           << outcome.sink.rejections.size() << " rejections for: " << line;
  }
  const OwnedRejection& rejection = outcome.sink.rejections.front();
  if (rejection.line != 1 || rejection.field != field ||
      rejection.error.find(error_part) == std::string::npos || rejection.raw != line ||
      outcome.counts.rejected != 1 || outcome.counts.lines != 1) {
    return ::testing::AssertionFailure()
           << "line " << rejection.line << ", field \"" << rejection.field << "\", error \""
           << rejection.error << "\"; expected field \"" << field << "\" and an error with \""
           << error_part << "\"";
  }
  return ::testing::AssertionSuccess();
}

// ---- Accepted events --------------------------------------------------------------------------

TEST(EventParser, AcceptsAMinimalViewEvent) {
  const Event event = accepted(object(view_members()));
  EXPECT_EQ(event.event_id, "e1");
  EXPECT_EQ(event.type, EventType::view);
  EXPECT_EQ(event.ts_ms, *parse_rfc3339_ms("2026-11-25T11:00:00Z"));
  EXPECT_EQ(event.user_id, "u1");
  EXPECT_EQ(event.session_id, "");
  EXPECT_EQ(event.source, "");
  EXPECT_EQ(event.product_id, "");
  EXPECT_EQ(event.currency, "USD");
  EXPECT_EQ(event.properties, "");
}

TEST(EventParser, AcceptsAFullPurchase) {
  Members members = purchase_members();
  members.emplace_back("session_id", R"("s1")");
  members.emplace_back("source", R"("web")");
  members.emplace_back("currency", R"("EUR")");
  const Event event = accepted(object(members));
  EXPECT_EQ(event.type, EventType::purchase);
  EXPECT_EQ(event.session_id, "s1");
  EXPECT_EQ(event.source, "web");
  EXPECT_EQ(event.product_id, "p1");
  EXPECT_EQ(event.category, "shoes");
  EXPECT_DOUBLE_EQ(event.price, 19.99);
  EXPECT_EQ(event.quantity, 2);
  EXPECT_EQ(event.order_id, "o1");
  EXPECT_EQ(event.currency, "EUR");
}

TEST(EventParser, AcceptsEveryEventType) {
  for (const std::string_view name : kEventTypeNames) {
    Members members = name == "purchase" ? purchase_members() : cart_members();
    members = with(members, "event_type", json_quoted(name));
    const Event event = accepted(object(members));
    EXPECT_EQ(to_string(event.type), name);
    EXPECT_EQ(event.product_id, carries_product(event.type) ? "p1" : "");
  }
}

TEST(EventParser, TimestampAsRfc3339OrEpochMilliseconds) {
  const std::int64_t ts = test_now() - kMillisPerHour + 123;
  EXPECT_EQ(accepted(object(with(view_members(), "ts", std::to_string(ts)))).ts_ms, ts);
  EXPECT_EQ(accepted(object(with(view_members(), "ts", R"("2026-11-25T10:59:00.123Z")"))).ts_ms,
            *parse_rfc3339_ms("2026-11-25T10:59:00.123Z"));
  EXPECT_EQ(accepted(object(with(view_members(), "ts", R"("2026-11-25T12:59:00.5+02:00")"))).ts_ms,
            *parse_rfc3339_ms("2026-11-25T10:59:00.500Z"));
}

TEST(EventParser, IntegerIdsBecomeTheirDecimalText) {
  Members members = cart_members();
  members = with(members, "user_id", "42");
  members = with(members, "product_id", "-7");
  Event event = accepted(object(members));
  EXPECT_EQ(event.user_id, "42");
  EXPECT_EQ(event.product_id, "-7");
  event = accepted(object(with(view_members(), "user_id", "18446744073709551615")));
  EXPECT_EQ(event.user_id, "18446744073709551615");
}

TEST(EventParser, NullMeansAbsentForOptionalFields) {
  Members members = view_members();
  members.emplace_back("session_id", "null");
  members.emplace_back("source", "null");
  members.emplace_back("currency", "null");
  const Event event = accepted(object(members));
  EXPECT_EQ(event.session_id, "");
  EXPECT_EQ(event.source, "");
  EXPECT_EQ(event.currency, "USD");
  EXPECT_EQ(event.properties, "");
}

TEST(EventParser, StringsAreUnescaped) {
  const Event event =
      accepted(object(with(view_members(), "user_id", R"("a\"b\\c\n\u00e9\ud83d\uded2")")));
  EXPECT_EQ(event.user_id, "a\"b\\c\n\xc3\xa9\xf0\x9f\x9b\x92");
}

TEST(EventParser, KeysAreMatchedUnescaped) {
  const Event event =
      accepted(object(with(without(view_members(), "event_id"), "event\\u005fid", R"("escaped")")));
  EXPECT_EQ(event.event_id, "escaped");
}

TEST(EventParser, WhitespaceAroundTokensIsAllowed) {
  const Event event = accepted(
      " { \"event_id\" : \"e1\" ,\t\"event_type\":\"view\", \"ts\" : 1795604400000 ,"
      " \"user_id\" : \"u1\" , \"x\" : [ 1 , 2 ] } ");
  EXPECT_EQ(event.event_id, "e1");
  EXPECT_EQ(event.properties, R"({"x":[ 1 , 2 ]})");
}

TEST(EventParser, StringsOfAnyLengthWithAndWithoutEscapes) {
  // Strings without escapes are read straight from the line, in 16-byte steps; the others are
  // unescaped. Either kind must come out whole, wherever its end or its escape falls.
  for (std::size_t length = 0; length <= 40; ++length) {
    const std::string plain(length, 'x');
    EXPECT_EQ(accepted(object(with(view_members(), "session_id", json_quoted(plain)))).session_id,
              plain);
    const std::string escaped = json_quoted(plain + "\\n" + plain);
    EXPECT_EQ(accepted(object(with(view_members(), "session_id", escaped))).session_id,
              plain + "\n" + plain);
    Members members = view_members();
    members.emplace_back("k" + plain, "1");
    members.emplace_back("e" + plain + "\\u0041", json_quoted(plain + "\\\"" + plain));
    EXPECT_EQ(accepted(object(members)).properties,
              "{\"k" + plain + "\":1,\"e" + plain + "A\":\"" + plain + "\\\"" + plain + "\"}");
  }
  const std::string long_key = "event" + std::string(20, '_') + "id";
  Members members = with(view_members(), long_key, R"("x")");
  EXPECT_EQ(accepted(object(members)).properties, "{\"" + long_key + R"(":"x"})");
  members = with(without(view_members(), "event_type"), "event\\u005fname", R"("view")");
  EXPECT_EQ(accepted(object(members)).type, EventType::view);
}

// ---- Properties ---------------------------------------------------------------------------------

TEST(EventParser, UnknownMembersAreKeptAsSent) {
  Members members = view_members();
  members.insert(members.begin() + 1, {"coupon", R"("X")"});
  members.emplace_back("utm", R"({"a":1})");
  EXPECT_EQ(accepted(object(members)).properties, R"({"coupon":"X","utm":{"a":1}})");
}

TEST(EventParser, PropertyValuesAreRawJson) {
  Members members = view_members();
  members.emplace_back("n", "1.50");
  members.emplace_back("s", R"("caf\u00e9 \"q\"")");
  members.emplace_back("deep", R"({ "a" : [ {"b":null}, true, false, -0.0e+1 ] })");
  members.emplace_back("empty", "{}");
  EXPECT_EQ(
      accepted(object(members)).properties,
      R"({"n":1.50,"s":"caf\u00e9 \"q\"","deep":{ "a" : [ {"b":null}, true, false, -0.0e+1 ] },"empty":{}})");
}

TEST(EventParser, PropertyKeysAreWrittenCanonically) {
  Members members = view_members();
  members.emplace_back("k\\u0065y", "1");
  members.emplace_back("a\\\"b", "2");
  EXPECT_EQ(accepted(object(members)).properties, R"({"key":1,"a\"b":2})");
}

TEST(EventParser, ProductFieldsOfOtherTypesAreProperties) {
  Members members = view_members();
  members.emplace_back("product_id", R"("p1")");
  members.emplace_back("price", R"("not checked")");
  members.emplace_back("order_id", "7");
  members.emplace_back("items", R"([{"item_id":"p1"}])");
  const Event event = accepted(object(members));
  EXPECT_EQ(event.product_id, "");
  EXPECT_EQ(event.price, 0);
  EXPECT_EQ(event.order_id, "");
  EXPECT_EQ(event.properties,
            R"({"product_id":"p1","price":"not checked","order_id":7,"items":[{"item_id":"p1"}]})");
}

TEST(EventParser, OrderIdOfACartEventIsAProperty) {
  const Event event = accepted(object(with(cart_members(), "transaction_id", R"("T1")")));
  EXPECT_EQ(event.order_id, "");
  EXPECT_EQ(event.properties, R"({"transaction_id":"T1"})");
}

TEST(EventParser, InvalidJsonInAPropertyIsRejected) {
  EXPECT_TRUE(rejected_as(object(with(view_members(), "x", "[tru]")), "x", "not valid JSON"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "x", "nul")), "x", "not valid JSON"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "x", "01")), "x", "not valid JSON"));
  EXPECT_TRUE(
      rejected_as(object(with(view_members(), "x", R"({"a":"\x"})")), "x", "not valid JSON"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "x", R"({"a" 1})")), "x", "not valid JSON"));
}

// ---- GA4
// ------------------------------------------------------------------------------------------

TEST(EventParser, Ga4EventTypeAliases) {
  for (const char* alias : {"view_item", "view_item_list", "select_item"}) {
    const Event event = accepted(object(with(view_members(), "event_type", json_quoted(alias))));
    EXPECT_EQ(event.type, EventType::view) << alias;
  }
}

TEST(EventParser, Ga4FieldNames) {
  Members members = without(without(purchase_members(), "event_type"), "order_id");
  members.emplace_back("event_name", R"("purchase")");
  members.emplace_back("transaction_id", R"("T-9")");
  const Event event = accepted(object(members));
  EXPECT_EQ(event.type, EventType::purchase);
  EXPECT_EQ(event.order_id, "T-9");
  EXPECT_EQ(event.properties, "");
}

std::string ga4_purchase() {
  return R"({"event_id":"o1","event_name":"purchase","ts":"2026-11-25T11:00:00Z","user_id":7,)"
         R"("transaction_id":"T-1","currency":"EUR","coupon":"X","items":[)"
         R"({"item_id":"p1","item_category":"shoes","price":10,"quantity":1,"item_name":"Runner"},)"
         R"({"product_id":42,"category":"hats","price":5.5,"quantity":3}]})";
}

TEST(EventParser, ItemsExpandIntoOneEventPerItem) {
  const Outcome outcome = parse(ga4_purchase());
  EXPECT_EQ(outcome.counts.lines, 1u);
  EXPECT_EQ(outcome.counts.events, 2u);
  EXPECT_EQ(outcome.counts.rejected, 0u);
  ASSERT_EQ(outcome.sink.events.size(), 2u);
  const Event& first = outcome.sink.events[0];
  const Event& second = outcome.sink.events[1];
  EXPECT_EQ(first.event_id, "o1:1");
  EXPECT_EQ(second.event_id, "o1:2");
  for (const Event& event : outcome.sink.events) {
    EXPECT_EQ(event.type, EventType::purchase);
    EXPECT_EQ(event.ts_ms, *parse_rfc3339_ms("2026-11-25T11:00:00Z"));
    EXPECT_EQ(event.user_id, "7");
    EXPECT_EQ(event.order_id, "T-1");
    EXPECT_EQ(event.currency, "EUR");
  }
  EXPECT_EQ(first.product_id, "p1");
  EXPECT_EQ(first.category, "shoes");
  EXPECT_EQ(first.price, 10);
  EXPECT_EQ(first.quantity, 1);
  EXPECT_EQ(first.properties, R"({"coupon":"X","item":{"item_name":"Runner"}})");
  EXPECT_EQ(second.product_id, "42");
  EXPECT_EQ(second.category, "hats");
  EXPECT_EQ(second.price, 5.5);
  EXPECT_EQ(second.quantity, 3);
  EXPECT_EQ(second.properties, R"({"coupon":"X"})");
  EXPECT_EQ(outcome.sink.event_lines, (std::vector<std::uint64_t>{1, 1}));
}

TEST(EventParser, ItemsMayComeBeforeTheEventType) {
  const std::string line =
      R"({"items":[{"item_id":"p1","item_category":"c","price":1,"quantity":1}],"event_id":"o2",)"
      R"("ts":1795604400000,"user_id":"u","order_id":"x","event_type":"purchase"})";
  const Event event = accepted(line);
  EXPECT_EQ(event.event_id, "o2:1");
  EXPECT_EQ(event.product_id, "p1");
}

TEST(EventParser, ItemIdsMayUseAllSixtyFourBytes) {
  std::string items;
  for (int i = 0; i < 9; ++i) {
    items +=
        std::string(i ? "," : "") + R"({"item_id":"p","item_category":"c","price":1,"quantity":1})";
  }
  const std::string id(62, 'a');
  const Members members = {{"event_id", json_quoted(id)},
                           {"event_type", R"("purchase")"},
                           {"ts", R"("2026-11-25T11:00:00Z")"},
                           {"user_id", R"("u")"},
                           {"order_id", R"("o")"},
                           {"items", "[" + items + "]"}};
  const Outcome outcome = parse(object(members));
  ASSERT_EQ(outcome.sink.events.size(), 9u);
  EXPECT_EQ(outcome.sink.events.back().event_id, id + ":9");

  const std::string ten_items =
      "[" + items + R"(,{"item_id":"p","item_category":"c","price":1,"quantity":1}])";
  EXPECT_TRUE(rejected_as(object(with(members, "items", ten_items)), "event_id",
                          json_quoted(id + ":10") + " would be 65 bytes; the limit is 64"));
}

TEST(EventParser, ItemErrorsNameTheItem) {
  const Members base = without(purchase_members(), "product_id");
  const auto purchase_with_items = [&](std::string_view items) {
    return object(
        with(without(without(without(base, "category"), "price"), "quantity"), "items", items));
  };
  const std::string good = R"({"item_id":"p","item_category":"c","price":1,"quantity":1})";
  EXPECT_TRUE(rejected_as(
      purchase_with_items("[" + good + "," + good +
                          R"(,{"item_id":"p","item_category":"c","price":-1,"quantity":1}])"),
      "items[2].price", "must not be negative"));
  EXPECT_TRUE(rejected_as(purchase_with_items(R"([{"item_category":"c","price":1,"quantity":1}])"),
                          "items[0].product_id",
                          "missing required field (GA4's \"item_id\" is accepted too)"));
  EXPECT_TRUE(rejected_as(
      purchase_with_items("[" + good + R"(,{"item_id":"p","item_category":"c","price":1}])"),
      "items[1].quantity", "missing required field"));
  EXPECT_TRUE(rejected_as(
      purchase_with_items(
          R"([{"item_id":"p","product_id":"q","item_category":"c","price":1,"quantity":1}])"),
      "items[0].product_id", "duplicate field"));
  EXPECT_TRUE(rejected_as(
      purchase_with_items(R"([{"item_id":"p","item_category":"c","price":1,"quantity":0}])"),
      "items[0].quantity", "must be at least 1"));
  EXPECT_TRUE(rejected_as(purchase_with_items("[" + good + ",5]"), "items[1]",
                          "must be an object, got a number"));
  EXPECT_TRUE(rejected_as(purchase_with_items("[]"), "items", "at least one item"));
  EXPECT_TRUE(rejected_as(purchase_with_items(good), "items", "must be an array"));
  EXPECT_TRUE(
      rejected_as(purchase_with_items(
                      R"([{"item_id":"p","item_category":"c","price":1,"quantity":1,"x":[1,}]])"),
                  "items[0].x", "not valid JSON"));

  ValidationOptions two_items = test_options();
  two_items.max_items = 2;
  EXPECT_TRUE(rejected_as(purchase_with_items("[" + good + "," + good + "," + good + "]"), "items",
                          "the limit is 2", two_items));
  EXPECT_EQ(parse(purchase_with_items("[" + good + "," + good + "]"), two_items).counts.events, 2u);
}

TEST(EventParser, ProductFieldsBesideItemsAreRejected) {
  const std::string items = R"([{"item_id":"p","item_category":"c","price":1,"quantity":1}])";
  const Members members =
      with(without(without(without(purchase_members(), "product_id"), "category"), "quantity"),
           "items", items);
  EXPECT_TRUE(rejected_as(object(members), "price", "not allowed beside items[]"));
}

TEST(EventParser, TopLevelItemMemberCollidesWithItemExtras) {
  const Members base =
      with(without(without(without(without(purchase_members(), "product_id"), "category"), "price"),
                   "quantity"),
           "item", "1");
  EXPECT_TRUE(rejected_as(
      object(
          with(base, "items",
               R"([{"item_id":"p","item_category":"c","price":1,"quantity":1,"item_name":"n"}])")),
      "item", "collides"));
  const Event event = accepted(object(
      with(base, "items", R"([{"item_id":"p","item_category":"c","price":1,"quantity":1}])")));
  EXPECT_EQ(event.properties, R"({"item":1})");
}

TEST(EventParser, ThousandItemsAreAcceptedByDefault) {
  std::string items = "[";
  for (int i = 0; i < 1000; ++i) {
    if (i) items.push_back(',');
    items +=
        R"({"item_id":)" + std::to_string(i) + R"(,"item_category":"c","price":1,"quantity":1})";
  }
  items.push_back(']');
  const Members members = {
      {"event_id", R"("o")"}, {"event_type", R"("purchase")"}, {"ts", R"("2026-11-25T11:00:00Z")"},
      {"user_id", R"("u")"},  {"order_id", R"("o")"},          {"items", items}};
  const Outcome outcome = parse(object(members));
  ASSERT_EQ(outcome.counts.events, 1000u);
  EXPECT_EQ(outcome.sink.events[999].event_id, "o:1000");
  EXPECT_EQ(outcome.sink.events[999].product_id, "999");
  EXPECT_EQ(outcome.sink.events[0].product_id, "0");

  items.insert(items.size() - 1, R"(,{"item_id":1,"item_category":"c","price":1,"quantity":1})");
  EXPECT_TRUE(rejected_as(object(with(members, "items", items)), "items", "the limit is 1000"));
}

// ---- Rejections ---------------------------------------------------------------------------------

TEST(EventParser, MissingRequiredFields) {
  for (const char* field : {"event_id", "event_type", "ts", "user_id"}) {
    EXPECT_TRUE(
        rejected_as(object(without(view_members(), field)), field, "missing required field"));
  }
  for (const char* field : {"product_id", "category", "price", "quantity"}) {
    EXPECT_TRUE(
        rejected_as(object(without(cart_members(), field)), field, "missing required field"));
    EXPECT_TRUE(
        rejected_as(object(without(purchase_members(), field)), field, "missing required field"));
  }
  EXPECT_TRUE(
      rejected_as(object(without(purchase_members(), "order_id")), "order_id", "missing required"));
  // The GA4 spelling is named too.
  EXPECT_TRUE(rejected_as(object(without(view_members(), "event_type")), "event_type",
                          "missing required field (GA4's \"event_name\" is accepted too)"));
  EXPECT_TRUE(rejected_as(object(without(purchase_members(), "order_id")), "order_id",
                          "(GA4's \"transaction_id\" is accepted too)"));
}

TEST(EventParser, WrongTypes) {
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_id", "1")), "event_id",
                          "must be a string, got a number"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_type", "null")), "event_type",
                          "must be a string, got null"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", "true")), "user_id",
                          "must be a string or an integer, got a boolean"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", "1.5")), "user_id",
                          "must be a string or an integer, got 1.5"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", R"({"id":1})")), "user_id",
                          "must be a string or an integer, got an object"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "session_id", "5")), "session_id",
                          "must be a string"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "source", "[]")), "source",
                          "must be a string, got an array"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "product_id", "[1]")), "product_id",
                          "must be a string or an integer"));
  EXPECT_TRUE(
      rejected_as(object(with(cart_members(), "category", "3")), "category", "must be a string"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "price", R"("9.99")")), "price",
                          "must be a number, got a string"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", "1.5")), "quantity",
                          "must be an integer, got 1.5"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", R"("2")")), "quantity",
                          "must be an integer, got a string"));
  EXPECT_TRUE(rejected_as(object(with(purchase_members(), "order_id", "12")), "order_id",
                          "must be a string"));
  EXPECT_TRUE(
      rejected_as(object(with(view_members(), "currency", "5")), "currency", "must be a string"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "ts", "1795604400000.5")), "ts",
                          "must be an RFC 3339 string"));
  EXPECT_TRUE(
      rejected_as(object(with(view_members(), "ts", "false")), "ts", "must be an RFC 3339 string"));
}

TEST(EventParser, UnknownEventType) {
  EXPECT_TRUE(
      rejected_as(object(with(view_members(), "event_type", R"("foo")")), "event_type",
                  "unknown event_type \"foo\"; expected one of login, logout, view, search, "
                  "add_to_cart, remove_from_cart, begin_checkout, purchase"));
  // Matching is exact: lower-casing is the batch layer's business.
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_type", R"("View")")), "event_type",
                          "unknown event_type \"View\""));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_type", R"(" view")")), "event_type",
                          "unknown event_type"));
}

TEST(EventParser, PriceAndQuantityLimits) {
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "price", "-0.01")), "price",
                          "must not be negative, got -0.01"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "price", "1e400")), "price",
                          "must be a finite number"));
  EXPECT_EQ(accepted(object(with(cart_members(), "price", "0"))).price, 0);
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", "0")), "quantity",
                          "must be at least 1, got 0"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", "-3")), "quantity",
                          "must be at least 1"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", "2147483648")), "quantity",
                          "must be at most 2147483647"));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "quantity", "9223372036854775808")),
                          "quantity", "must be at most 2147483647"));
  EXPECT_EQ(accepted(object(with(cart_members(), "quantity", "2147483647"))).quantity, 2147483647);
}

TEST(EventParser, UnparsableTimestamps) {
  for (const char* ts : {R"("yesterday")", R"("2026-02-30T00:00:00Z")", R"("2026-11-25")",
                         R"("2026-11-25T11:00:00")", R"("")"}) {
    EXPECT_TRUE(rejected_as(object(with(view_members(), "ts", ts)), "ts",
                            "must be an RFC 3339 string like"))
        << ts;
  }
}

TEST(EventParser, MembersBeforeTheEventTypeAreReadByIt) {
  // Senders may put the event type after the members whose meaning depends on it.
  const auto type_last = [](Members members) {
    const auto type = std::find_if(members.begin(), members.end(),
                                   [](const auto& member) { return member.first == "event_type"; });
    std::rotate(type, type + 1, members.end());
    return members;
  };
  Event event = accepted(object(type_last(purchase_members())));
  EXPECT_EQ(event.type, EventType::purchase);
  EXPECT_EQ(event.product_id, "p1");
  EXPECT_EQ(event.order_id, "o1");
  EXPECT_EQ(event.quantity, 2);
  EXPECT_EQ(event.properties, "");

  Members members = {{"price", R"("not checked")"}, {"items", "[1]"}, {"coupon", R"("X")"}};
  for (const auto& member : view_members()) members.push_back(member);
  event = accepted(object(members));
  EXPECT_EQ(event.type, EventType::view);
  EXPECT_EQ(event.properties, R"({"price":"not checked","items":[1],"coupon":"X"})");

  members = with(members, "event_type", R"("add_to_cart")");
  EXPECT_TRUE(rejected_as(object(members), "price", "must be a number, got a string"));
  // An unusable event type leaves every member to the contract, and the first fault is named.
  EXPECT_TRUE(rejected_as(object(with(members, "event_type", R"("nope")")), "price",
                          "must be a number, got a string"));
  EXPECT_TRUE(rejected_as(object(type_last(with(cart_members(), "event_type", R"("nope")"))),
                          "event_type", "unknown event_type \"nope\""));
  EXPECT_TRUE(rejected_as(object(type_last(with(cart_members(), "event_type", "7"))), "event_type",
                          "must be a string, got a number"));
  EXPECT_TRUE(rejected_as(object(without(type_last(cart_members()), "event_type")), "event_type",
                          "missing required field"));
  EXPECT_TRUE(
      rejected_as(object(with(without(type_last(cart_members()), "event_type"), "price", "-1")),
                  "price", "must not be negative"));
  // A fault before the event type is still the one named.
  Members bad_first = {{"user_id", "true"}, {"price", "1"}};
  for (const auto& member : without(cart_members(), "user_id")) bad_first.push_back(member);
  EXPECT_TRUE(rejected_as(object(bad_first), "user_id", "must be a string or an integer"));
  // The first event type decides; a second one is a duplicate.
  members = {{"price", "1"}, {"event_name", R"("view")"}};
  for (const auto& member : without(cart_members(), "price")) members.push_back(member);
  EXPECT_TRUE(rejected_as(object(members), "event_type",
                          "duplicate field: \"event_name\" already gave it"));
  EXPECT_TRUE(rejected_as(object(with(members, "event_name", R"("add_to_cart")")), "event_type",
                          "duplicate field: \"event_name\" already gave it"));
}

TEST(EventParser, TimestampsOfOneMinuteAndTheirNeighbours) {
  // One parser reads them all in turn, so each is read after the one before it.
  const std::vector<std::string> accepted_times = {
      "2026-11-25T11:00:00.000Z", "2026-11-25T11:00:59.999Z", "2026-11-25T11:00:60.000Z",
      "2026-11-25T11:00:05.5Z",   "2026-11-25T11:00:05.123z", "2026-11-25T11:00:05.123+00:00",
      "2026-11-25t11:00:05.123Z", "2026-11-25T11:00:07.001Z", "2026-11-25T11:01:07.001Z",
      "2026-11-24T11:01:07.001Z", "2026-11-25T11:00:07.001Z", "2026-11-25 11:00:07.001Z",
  };
  const std::vector<std::string> refused_times = {
      "2026-11-25T11:00:61.000Z", "2026-11-25T11:00:0a.000Z", "2026-11-25T11:00:05.12aZ",
      "2026-11-25T11:00:05,123Z", "2026-11-25T11:00-05.123Z", "2026-11-25T11:00:05.123ZZ",
      "2026-11-25T24:00:00.000Z", "2026-11-25T24:00:00.000Z", "2026-11-25T11:60:00.000Z",
      "2026-02-29T11:00:00.000Z", "2026-02-29T11:00:00.000Z", "2026-11-25T11:00:05.123 ",
  };
  std::string body;
  for (std::size_t i = 0; i < accepted_times.size() || i < refused_times.size(); ++i) {
    if (i < accepted_times.size()) {
      body += object(with(view_members(), "ts", json_quoted(accepted_times[i]))) + "\n";
    }
    if (i < refused_times.size()) {
      body += object(with(view_members(), "ts", json_quoted(refused_times[i]))) + "\n";
    }
  }
  const Outcome outcome = parse(body);
  ASSERT_EQ(outcome.sink.events.size(), accepted_times.size());
  for (std::size_t i = 0; i < accepted_times.size(); ++i) {
    EXPECT_EQ(outcome.sink.events[i].ts_ms, *parse_rfc3339_ms(accepted_times[i]))
        << accepted_times[i];
  }
  EXPECT_EQ(outcome.sink.events[2].ts_ms, *parse_rfc3339_ms("2026-11-25T11:01:00.000Z"));
  ASSERT_EQ(outcome.sink.rejections.size(), refused_times.size());
  for (const OwnedRejection& rejection : outcome.sink.rejections) {
    EXPECT_EQ(rejection.field, "ts");
    EXPECT_NE(rejection.error.find("must be an RFC 3339 string"), std::string::npos)
        << rejection.raw;
  }
}

TEST(EventParser, TimeWindowAroundNow) {
  const std::int64_t now = test_now();
  const auto view_at = [](std::int64_t ts) {
    return object(with(view_members(), "ts", std::to_string(ts)));
  };
  EXPECT_EQ(accepted(view_at(now + 5 * kMillisPerMinute)).ts_ms, now + 5 * kMillisPerMinute);
  EXPECT_EQ(accepted(view_at(now - 30 * kMillisPerDay)).ts_ms, now - 30 * kMillisPerDay);
  EXPECT_TRUE(rejected_as(view_at(now + 5 * kMillisPerMinute + 1), "ts",
                          "is too far in the future; the accepted window is "
                          "2026-10-26T12:00:00.000Z to 2026-11-25T12:05:00.000Z "
                          "(now - 30 days to now + 5 min, now is 2026-11-25T12:00:00.000Z)"));
  EXPECT_TRUE(rejected_as(view_at(now - 30 * kMillisPerDay - 1), "ts",
                          "timestamp 2026-10-26T11:59:59.999Z is too old"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "ts", R"("2020-01-01T00:00:00Z")")), "ts",
                          "too old"));

  ValidationOptions year_back = test_options();
  year_back.max_age_ms = 365 * kMillisPerDay;
  EXPECT_EQ(accepted(view_at(now - 300 * kMillisPerDay), year_back).ts_ms,
            now - 300 * kMillisPerDay);
}

TEST(EventParser, WindowIsLimitedToFourDigitYears) {
  ValidationOptions anything = test_options();
  anything.max_age_ms = std::numeric_limits<std::int64_t>::max();
  anything.max_future_ms = std::numeric_limits<std::int64_t>::max();
  const std::int64_t first = days_from_civil(0, 1, 1) * kMillisPerDay;
  const std::int64_t last = days_from_civil(10000, 1, 1) * kMillisPerDay - 1;
  const auto view_at = [](std::int64_t ts) {
    return object(with(view_members(), "ts", std::to_string(ts)));
  };
  EXPECT_EQ(accepted(view_at(first), anything).ts_ms, first);
  EXPECT_EQ(accepted(view_at(last), anything).ts_ms, last);
  EXPECT_TRUE(rejected_as(view_at(first - 1), "ts", "too old", anything));
  EXPECT_TRUE(rejected_as(view_at(last + 1), "ts", "too far in the future", anything));
  EXPECT_TRUE(
      rejected_as(view_at(std::numeric_limits<std::int64_t>::min()), "ts", "too old", anything));
}

TEST(EventParser, WallClockWhenNowIsNotGiven) {
  const std::int64_t now = now_ms();
  const Event event =
      accepted(object(with(view_members(), "ts", std::to_string(now - kMillisPerMinute))),
               ValidationOptions{});
  EXPECT_EQ(event.ts_ms, now - kMillisPerMinute);
  EXPECT_TRUE(
      rejected_as(object(with(view_members(), "ts", std::to_string(now - 60 * kMillisPerDay))),
                  "ts", "too old", ValidationOptions{}));
}

TEST(EventParser, StringLengthLimits) {
  const auto quoted_xs = [](std::size_t length) { return json_quoted(std::string(length, 'x')); };
  EXPECT_EQ(accepted(object(with(view_members(), "event_id", quoted_xs(64)))).event_id.size(), 64u);
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_id", quoted_xs(65))), "event_id",
                          "is 65 bytes long; the limit is 64 bytes"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_id", quoted_xs(0))), "event_id",
                          "must not be empty"));
  EXPECT_EQ(accepted(object(with(view_members(), "user_id", quoted_xs(128)))).user_id.size(), 128u);
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", quoted_xs(129))), "user_id",
                          "the limit is 128 bytes"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", quoted_xs(0))), "user_id",
                          "must not be empty"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "session_id", quoted_xs(1025))), "session_id",
                          "the limit is 1024 bytes"));

  ValidationOptions short_strings = test_options();
  short_strings.max_string_bytes = 8;
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "category", R"("shoes-and-boots")")),
                          "category", "is 15 bytes long; the limit is 8 bytes", short_strings));
  EXPECT_TRUE(rejected_as(object(with(cart_members(), "product_id", "123456789")), "product_id",
                          "the limit is 8 bytes", short_strings));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "source", quoted_xs(9))), "source",
                          "the limit is 8 bytes", short_strings));
  EXPECT_TRUE(rejected_as(object(with(purchase_members(), "order_id", quoted_xs(9))), "order_id",
                          "the limit is 8 bytes", short_strings));
}

TEST(EventParser, CurrencyMustLookLikeIso4217) {
  EXPECT_EQ(accepted(object(with(view_members(), "currency", R"("JPY")"))).currency, "JPY");
  for (const char* currency : {R"("eur")", R"("EURO")", R"("EU")", R"("E1R")", R"("")"}) {
    EXPECT_TRUE(rejected_as(object(with(view_members(), "currency", currency)), "currency",
                            "must be an ISO 4217 code"))
        << currency;
  }
}

TEST(EventParser, DuplicateContractFields) {
  Members members = view_members();
  members.emplace_back("event_id", R"("e2")");
  EXPECT_TRUE(rejected_as(object(members), "event_id", "duplicate field"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_name", R"("view")")), "event_name",
                          "duplicate field: \"event_type\" already gave it"));
  EXPECT_TRUE(rejected_as(object(with(purchase_members(), "transaction_id", R"("o1")")),
                          "transaction_id", "duplicate field"));
  members = view_members();
  members.emplace_back("session_id", "null");
  members.emplace_back("session_id", R"("s")");
  EXPECT_TRUE(rejected_as(object(members), "session_id", "duplicate field"));
}

TEST(EventParser, InvalidUtf8NamesTheField) {
  const std::string line = object(with(view_members(), "coupon", "\"ab\xff\""));
  const std::size_t offset = line.find('\xff');
  EXPECT_TRUE(rejected_as(line, "coupon",
                          "invalid UTF-8 at byte " + std::to_string(offset) + " of the line"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", "\"\xc3\x28\"")), "user_id",
                          "invalid UTF-8"));
  // Overlong encoding of '/', and a UTF-16 surrogate encoded in UTF-8.
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", "\"\xc0\xaf\"")), "user_id",
                          "invalid UTF-8"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "event_id", "\"\xed\xa0\x80\"")), "event_id",
                          "invalid UTF-8"));
  EXPECT_TRUE(rejected_as("\xfe" + object(view_members()), "", "invalid UTF-8 at byte 0"));
}

TEST(EventParser, RawControlCharacterInAStringNamesTheField) {
  EXPECT_TRUE(rejected_as(object(with(view_members(), "note", "\"a\tb\"")), "note",
                          "control character in a string"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", std::string("\"a\x01\""))),
                          "user_id", "must be escaped"));
  // A backslash does not escape a raw control character.
  EXPECT_TRUE(rejected_as(object(with(view_members(), "user_id", "\"a\\\tb\"")), "user_id",
                          "control character in a string"));
}

std::string nested_arrays(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']');
}

TEST(EventParser, NestingDepthIsLimited) {
  // The line's object is level 1, so 15 nested arrays in a member reach level 16.
  EXPECT_EQ(accepted(object(with(view_members(), "deep", nested_arrays(15)))).properties,
            "{\"deep\":" + nested_arrays(15) + "}");
  EXPECT_TRUE(rejected_as(object(with(view_members(), "deep", nested_arrays(16))), "",
                          "nested too deep: objects and arrays may nest at most 16 levels"));
  EXPECT_TRUE(rejected_as(object(with(view_members(), "deep", nested_arrays(100000))), "",
                          "nested too deep"));

  ValidationOptions shallow = test_options();
  shallow.max_depth = 3;
  const Members purchase =
      with(without(without(without(without(purchase_members(), "product_id"), "category"), "price"),
                   "quantity"),
           "items", R"([{"item_id":"p","item_category":"c","price":1,"quantity":1}])");
  EXPECT_EQ(parse(object(purchase), shallow).counts.events, 1u);
  EXPECT_TRUE(rejected_as(
      object(with(purchase, "items",
                  R"([{"item_id":"p","item_category":"c","price":1,"quantity":1,"x":{}}])")),
      "", "at most 3 levels", shallow));
  shallow.max_depth = 2;
  EXPECT_TRUE(rejected_as(object(purchase), "", "at most 2 levels", shallow));
}

TEST(EventParser, LineTooLong) {
  ValidationOptions short_lines = test_options();
  short_lines.max_line_bytes = 40;
  const std::string line = object(view_members());
  EXPECT_TRUE(rejected_as(
      line, "", "line is " + std::to_string(line.size()) + " bytes long; the limit is 40 bytes",
      short_lines));
  short_lines.max_line_bytes = line.size();
  EXPECT_EQ(parse(line, short_lines).counts.events, 1u);
}

TEST(EventParser, NotJsonOrNotAnObject) {
  EXPECT_TRUE(rejected_as("hello", "", "not valid JSON: every line must be one {...} event"));
  EXPECT_TRUE(rejected_as("[1,2]", "", "not a JSON object but an array"));
  EXPECT_TRUE(rejected_as("42", "", "not a JSON object but a number"));
  EXPECT_TRUE(rejected_as(R"("text")", "", "not a JSON object but a string"));
  EXPECT_TRUE(rejected_as("null", "", "not a JSON object but null"));
  EXPECT_TRUE(rejected_as(R"({"event_id":"e1")", "", "not valid JSON"));
  EXPECT_TRUE(rejected_as(R"({"event_id" "e1"})", "", "not valid JSON"));
  EXPECT_TRUE(rejected_as(R"({"event_id":"e1",})", "", "not valid JSON"));
  EXPECT_TRUE(rejected_as(R"({"event_id":"e1)", "", "not valid JSON"));
  EXPECT_TRUE(rejected_as("{", "", "not valid JSON"));
  // The last member is an object, so the line does end in '}', but not in its own.
  EXPECT_TRUE(rejected_as(R"({"event_id":"e1","x":{"a":1})", "", "not valid JSON"));
}

TEST(EventParser, AColonAfterAValueIsNotValidJson) {
  // Whether a string is read, or kept as a property, the colon after it is a fault of the line.
  Members members = purchase_members();
  members.emplace_back("session_id", R"("s")");
  members.emplace_back("currency", R"("EUR")");
  members.emplace_back("coupon", R"("X")");
  for (const auto& [key, value] : members) {
    for (const char* after : {R"(:"z")", R"(:"z","k":1)", R"(:"z"})", R"(:"z":2})"}) {
      EXPECT_TRUE(rejected_as(object(with(members, key, value + after)), "", "not valid JSON"))
          << key << after;
    }
  }
}

TEST(EventParser, TrailingContentAfterTheObject) {
  EXPECT_TRUE(rejected_as(object(view_members()) + " {}", "", "unexpected content after the JSON"));
  // simdjson refuses a line that does not end in '}' before it is read.
  EXPECT_TRUE(rejected_as(object(view_members()) + " 1", "", "not valid JSON"));
  EXPECT_TRUE(rejected_as(object(view_members()) + "x", "", "not valid JSON"));
}

// ---- Bodies
// -----------------------------------------------------------------------------------------

TEST(EventParser, BadLinesDoNotTakeGoodOnesDown) {
  const std::string body =
      object(view_members()) + "\n" + "{oops}\n" + object(cart_members()) + "\n";
  const Outcome outcome = parse(body);
  EXPECT_EQ(outcome.counts.lines, 3u);
  EXPECT_EQ(outcome.counts.events, 2u);
  EXPECT_EQ(outcome.counts.rejected, 1u);
  ASSERT_EQ(outcome.sink.events.size(), 2u);
  EXPECT_EQ(outcome.sink.events[0].event_id, "e1");
  EXPECT_EQ(outcome.sink.events[1].event_id, "e2");
  EXPECT_EQ(outcome.sink.event_lines, (std::vector<std::uint64_t>{1, 3}));
  ASSERT_EQ(outcome.sink.rejections.size(), 1u);
  EXPECT_EQ(outcome.sink.rejections[0].line, 2u);
  EXPECT_EQ(outcome.sink.rejections[0].raw, "{oops}");
}

TEST(EventParser, BlankLinesAndCrlfKeepLineNumbersTrue) {
  const std::string body = "\r\n" + object(view_members()) + "\r\n" + "  \t\r\n" + "\n" +
                           "not json\r\n" + object(cart_members());
  const Outcome outcome = parse(body, test_options(), 10);
  EXPECT_EQ(outcome.counts.lines, 3u);
  EXPECT_EQ(outcome.counts.events, 2u);
  EXPECT_EQ(outcome.sink.event_lines, (std::vector<std::uint64_t>{11, 15}));
  ASSERT_EQ(outcome.sink.rejections.size(), 1u);
  EXPECT_EQ(outcome.sink.rejections[0].line, 14u);
  EXPECT_EQ(outcome.sink.rejections[0].raw, "not json");
}

TEST(EventParser, EmptyBodies) {
  for (const char* body : {"", "\n", "\r\n\r\n", "   \n\t\n"}) {
    const Outcome outcome = parse(body);
    EXPECT_EQ(outcome.counts.lines, 0u);
    EXPECT_TRUE(outcome.sink.events.empty());
    EXPECT_TRUE(outcome.sink.rejections.empty());
  }
}

TEST(EventParser, ParseLineTakesTheLineNumberGiven) {
  EventParser parser(test_options());
  CollectingSink sink;
  const ParseCounts counts = parser.parse_line(object(view_members()), 77, sink);
  EXPECT_EQ(counts.lines, 1u);
  EXPECT_EQ(counts.events, 1u);
  EXPECT_EQ(sink.event_lines, (std::vector<std::uint64_t>{77}));
  const ParseCounts blank = parser.parse_line("  ", 78, sink);
  EXPECT_EQ(blank.rejected, 1u);
  ASSERT_EQ(sink.rejections.size(), 1u);
  EXPECT_EQ(sink.rejections[0].line, 78u);
}

TEST(EventParser, ManyLinesInOneBody) {
  constexpr int kLines = 20000;
  std::string body;
  for (int i = 0; i < kLines; ++i) {
    if (i % 97 == 0) {
      body += object(with(view_members(), "event_id", std::to_string(i))) + "\n";  // not a string
    } else {
      Members members = with(cart_members(), "event_id", "\"e" + std::to_string(i) + "\"");
      members = with(members, "quantity", std::to_string(i % 5 + 1));
      members.emplace_back("seq", std::to_string(i));
      body += object(members) + "\n";
    }
  }
  const Outcome outcome = parse(body);
  const std::uint64_t bad = (kLines + 96) / 97;
  EXPECT_EQ(outcome.counts.lines, static_cast<std::uint64_t>(kLines));
  EXPECT_EQ(outcome.counts.rejected, bad);
  EXPECT_EQ(outcome.counts.events, kLines - bad);
  ASSERT_EQ(outcome.sink.rejections.size(), bad);
  for (std::size_t i = 0; i < outcome.sink.rejections.size(); ++i) {
    EXPECT_EQ(outcome.sink.rejections[i].line, i * 97 + 1);
    EXPECT_EQ(outcome.sink.rejections[i].field, "event_id");
  }
  for (std::size_t i = 0; i < outcome.sink.events.size(); i += 1000) {
    const Event& event = outcome.sink.events[i];
    const std::uint64_t line = outcome.sink.event_lines[i];
    EXPECT_EQ(event.event_id, "e" + std::to_string(line - 1));
    EXPECT_EQ(event.quantity, static_cast<std::int32_t>((line - 1) % 5 + 1));
    EXPECT_EQ(event.properties, "{\"seq\":" + std::to_string(line - 1) + "}");
  }
}

TEST(EventParser, ReusedBuffersDoNotLeakBetweenLines) {
  Members big = view_members();
  big.emplace_back("blob", json_quoted(std::string(200000, 'b')));
  const std::string body = object(big) + "\n" + ga4_purchase() + "\n" + object(view_members()) +
                           "\n" + object(with(view_members(), "user_id", "5")) + "\n";
  const Outcome outcome = parse(body);
  ASSERT_EQ(outcome.sink.events.size(), 5u);
  EXPECT_EQ(outcome.sink.events[0].properties.size(), 200000u + 11);
  EXPECT_EQ(outcome.sink.events[2].properties, R"({"coupon":"X"})");
  EXPECT_EQ(outcome.sink.events[3].properties, "");
  EXPECT_EQ(outcome.sink.events[3].currency, "USD");
  EXPECT_EQ(outcome.sink.events[3].user_id, "u1");
  EXPECT_EQ(outcome.sink.events[4].user_id, "5");
}

// A body read in place: the bytes after a line are the next line (or the padding), never part of
// it. A line cut inside a string must not run on into what follows.
TEST(EventParser, ABodyReadInPlaceGivesWhatACopyGives) {
  const std::string good = object(view_members());
  const std::string cut =
      R"({"event_id":"e9","event_type":"view","ts":"2026-11-25T11:00:00Z","user_id":"u)";
  std::string buffer = good + "\n" + cut + "\n" + R"(","x":1}{"a":)" + "\n\n" +
                       object(with(view_members(), "event_id", R"("e3")"));
  const Outcome copied = parse(buffer);
  Outcome in_place;
  EventParser parser(test_options());
  in_place.counts = parser.parse_ndjson(PaddedText(buffer), in_place.sink);

  ASSERT_EQ(in_place.sink.events.size(), 2U);
  EXPECT_EQ(in_place.sink.events[0].event_id, "e1");
  EXPECT_EQ(in_place.sink.events[1].event_id, "e3");
  EXPECT_EQ(in_place.sink.event_lines, (std::vector<std::uint64_t>{1, 5}));
  ASSERT_EQ(in_place.sink.rejections.size(), 2U);
  EXPECT_EQ(in_place.sink.rejections[0].line, 2U);
  EXPECT_EQ(in_place.sink.rejections[0].raw, cut);
  EXPECT_EQ(in_place.sink.rejections[1].line, 3U);

  EXPECT_EQ(in_place.sink.events, copied.sink.events);
  EXPECT_EQ(in_place.sink.event_lines, copied.sink.event_lines);
  for (std::size_t i = 0; i < copied.sink.rejections.size(); ++i) {
    EXPECT_EQ(in_place.sink.rejections[i].field, copied.sink.rejections[i].field);
    EXPECT_EQ(in_place.sink.rejections[i].error, copied.sink.rejections[i].error);
  }
}

// ---- Round trip ---------------------------------------------------------------------------------

TEST(EventParser, AppendNdjsonThenParseGivesTheSameEvent) {
  std::vector<std::string> lines = {
      object(view_members()),
      object(cart_members()),
      object(with(purchase_members(), "currency", R"("EUR")")),
      ga4_purchase(),
      object(with(with(view_members(), "user_id", "42"), "ts", "1795604400123")),
      object(with(cart_members(), "product_id", "9007199254740993")),
      object(with(view_members(), "ts", R"("2026-11-25T12:59:00.987654321+02:00")")),
      object(with(view_members(), "user_id", R"("a\"b\\c\n\t\u0001\u00e9\ud83d\uded2 \/")")),
      object(with(view_members(), "user_id", "\"caf\xc3\xa9 \xe2\x82\xac\"")),
      object(with(with(view_members(), "session_id", "null"), "source", R"("")")),
      object(with(cart_members(), "price", "0.1")),
      object(with(cart_members(), "price", "1.7976931348623157e308")),
      object(with(cart_members(), "price", "5e-324")),
      object(with(cart_members(), "price", "-0")),
      object(with(cart_members(), "quantity", "2147483647")),
      object(with(view_members(), "props", R"({ "utm" : {"a":[1,{"b":"\u0000"}]}, "n":1.50 })")),
      object(with(with(view_members(), "k\\u0065y", "true"), "a\\\"b", "null")),
      object(with(with(view_members(), "product_id", R"("p")"), "items", "[1,2]")),
      object(with(cart_members(), "transaction_id", R"("T")")),
      object(with(view_members(), "event_type", R"("select_item")")),
      object(with(view_members(), "item", R"({"x":1})")),
  };
  for (const std::string_view type : kEventTypeNames) {
    lines.push_back(object(with(purchase_members(), "event_type", json_quoted(type))));
  }
  std::string body;
  for (const std::string& line : lines) body += line + "\n";

  const Outcome first = parse(body);
  ASSERT_TRUE(first.sink.rejections.empty())
      << "line " << first.sink.rejections[0].line << ": " << first.sink.rejections[0].error;
  ASSERT_EQ(first.sink.events.size(), lines.size() + 1);  // ga4_purchase() has two items

  EventParser parser(test_options());
  for (const Event& event : first.sink.events) {
    std::string written;
    append_ndjson(event.view(), written);
    CollectingSink again;
    parser.parse_ndjson(written, again);
    ASSERT_EQ(again.rejections.size(), 0u)
        << written << again.rejections[0].field << ": " << again.rejections[0].error;
    ASSERT_EQ(again.events.size(), 1u) << written;
    EXPECT_EQ(again.events[0], event) << written;
  }
}

}  // namespace
}  // namespace shoplake::core

namespace shoplake::core {
namespace {

class LastRejection : public EventSink {
 public:
  void on_event(const EventView&, std::uint64_t) override {}
  void on_rejection(const Rejection& rejection) override { error = rejection.error; }
  std::string error;
};

// simdjson judges a root scalar by its first letter; a line of prose is still not JSON.
TEST(EventParserRootScalars, ProseIsNotValidJsonButLiteralsAreNamed) {
  EventParser parser;
  LastRejection sink;
  const std::pair<const char*, const char*> cases[] = {
      {"this is not json", "not valid JSON"},
      {"nonsense", "not valid JSON"},
      {"-x", "not valid JSON"},
      {"true", "not a JSON object but a boolean"},
      {"null", "not a JSON object but null"},
      {" 12.5 ", "not a JSON object but a number"},
      {"false", "not a JSON object but a boolean"}};
  for (const auto& [line, expected] : cases) {
    parser.parse_line(line, 1, sink);
    EXPECT_EQ(sink.error.rfind(expected, 0), 0u) << line << " -> " << sink.error;
  }
}

}  // namespace
}  // namespace shoplake::core
