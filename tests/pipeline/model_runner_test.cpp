// The models of models/ run by the real runner on a real bronze table (event log -> bronze
// writer -> Delta): gold equals an independent recount of the events, with duplicates and late
// events; a rerun changes nothing; a late event recomputes only its days; expectations stop a bad
// output; semantic rules send rows to silver.rejected; sessions are derived where none was sent.
#include "shoplake/pipeline/model_runner.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "engine_test_support.hpp"
#include "gold_recount.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/lake/bronze_writer.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "shoplake/lake/lake_catalog.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;
using sql::testing::TempDirectory;
using testing::GoldRecount;

constexpr std::int64_t kStartMs = 1767218400000;  // 2025-12-31T22:00:00Z
constexpr std::int64_t kHourMs = 3'600'000;

std::vector<core::Event> simulate(std::uint64_t seed, std::int64_t start_ms, std::int64_t hours,
                                  double events_per_second) {
  sim::SimulatorConfig config;
  config.seed = seed;
  config.start_ms = start_ms;
  config.end_ms = start_ms + hours * kHourMs;
  config.events_per_second = events_per_second;
  sim::Simulator simulator(config);
  std::vector<core::Event> events;
  core::EventView view;
  while (simulator.next(view)) events.emplace_back(view);
  return events;
}

using Row = std::vector<std::string>;

class ModelRunnerTest : public ::testing::Test {
 public:
  void SetUp() override {
    log::LogOptions log_options;
    log_options.directory = directory_.path() / "log";
    auto opened = log::EventLog::open(log_options);
    ASSERT_TRUE(opened) << opened.error();
    log_ = std::move(opened).value();
    auto parquet = lake::ParquetIo::open();
    ASSERT_TRUE(parquet) << parquet.error();
    parquet_ = std::move(parquet).value();
    auto connection = parquet_->connect();
    ASSERT_TRUE(connection) << connection.error();
    connection_ = std::move(connection).value();
    lake::BronzeOptions bronze;
    bronze.lake_directory = lake_directory();
    bronze.optimize_interval = std::chrono::milliseconds(0);
    auto writer = lake::BronzeWriter::open(*log_, *parquet_, bronze);
    ASSERT_TRUE(writer) << writer.error();
    bronze_ = std::move(writer).value();
    runner_ = std::make_unique<ModelRunner>(lake_directory(), *parquet_);
  }

  fs::path lake_directory() const { return directory_.path() / "lake"; }

  // Appends the events to the log, in batches, and lands them in bronze.
  void land(const std::vector<core::Event>& events) {
    for (std::size_t first = 0; first < events.size(); first += 500) {
      const std::size_t last = std::min(events.size(), first + 500);
      std::string payload;
      for (std::size_t i = first; i < last; ++i)
        core::append_encoded_event(events[i].view(), payload);
      log::RecordToAppend record;
      record.payload = payload;
      record.count = static_cast<std::uint32_t>(last - first);
      ASSERT_EQ(log_->append(std::span(&record, 1)).status, log::AppendStatus::durable);
    }
    ASSERT_TRUE(bronze_->land_available());
  }

  // Runs every model in dependency order; the outcome of each, by model name.
  std::map<std::string, TaskOutcome> run_models(const std::vector<Model>& models,
                                                const TaskRequest& request = {}) {
    std::map<std::string, TaskOutcome> outcomes;
    for (const Model& model : models) {
      auto outcome = runner_->run(model, request);
      EXPECT_TRUE(outcome) << outcome.error();
      if (outcome) outcomes[model.name] = std::move(outcome).value();
    }
    return outcomes;
  }

  std::vector<Model> shipped_models() {
    auto models = load_models(SHOPLAKE_MODELS_DIR);
    EXPECT_TRUE(models) << models.error();
    return models ? std::move(models).value() : std::vector<Model>{};
  }

  // The rows of `sql` over table `t` (layer/name under the lake), every value as text.
  std::vector<Row> query(const std::string& table, const std::string& sql) {
    auto location = lake::locate_lake_table(lake_directory(), table);
    EXPECT_TRUE(location) << location.error();
    auto snapshot = lake::load_snapshot(location.value().root);
    EXPECT_TRUE(snapshot) << table << ": " << snapshot.error();
    if (!snapshot) return {};
    auto select = parquet_->scan_sql(snapshot.value());
    EXPECT_TRUE(select) << select.error();
    sql::duck::Result result;
    const std::string text = fmt::format("WITH t AS ({}) {}", select.value(), sql);
    if (duckdb_query(connection_.get(), text.c_str(), result.out()) == DuckDBError) {
      ADD_FAILURE() << duckdb_result_error(result.get());
      return {};
    }
    std::vector<Row> rows;
    for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
      Row values;
      for (idx_t column = 0; column < duckdb_column_count(result.get()); ++column) {
        sql::duck::DuckString value(duckdb_value_varchar(result.get(), column, row));
        values.emplace_back(value ? value.get() : "NULL");
      }
      rows.push_back(std::move(values));
    }
    return rows;
  }

  std::int64_t version_of(const std::string& table) {
    auto location = lake::locate_lake_table(lake_directory(), table);
    auto snapshot = lake::load_snapshot(location.value().root);
    return snapshot ? snapshot.value().version : -1;
  }

  TempDirectory directory_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<lake::ParquetIo> parquet_;
  sql::duck::Connection connection_;
  std::unique_ptr<lake::BronzeWriter> bronze_;
  std::unique_ptr<ModelRunner> runner_;
};

void expect_money(const std::string& actual, double expected, const std::string& what) {
  EXPECT_NEAR(std::stod(actual), expected, 0.0101) << what;
}
void expect_rate(const std::string& actual, double expected, const std::string& what) {
  EXPECT_NEAR(std::stod(actual), expected, 1e-9) << what;
}

// Every gold table, row by row, against the recount.
void expect_gold_equals(ModelRunnerTest& test, const GoldRecount& expected) {
  auto rows =
      test.query("gold.daily_active_users", "SELECT event_date, dau_count FROM t ORDER BY 1");
  ASSERT_EQ(rows.size(), expected.daily_active_users.size());
  for (const auto& row : rows) {
    EXPECT_EQ(std::stoll(row[1]), expected.daily_active_users.at(row[0])) << row[0];
  }
  rows = test.query("gold.revenue_daily",
                    "SELECT event_date, total_revenue, total_purchases, avg_order_value FROM t "
                    "ORDER BY 1");
  ASSERT_EQ(rows.size(), expected.revenue_daily.size());
  for (const auto& row : rows) {
    const auto& day = expected.revenue_daily.at(row[0]);
    expect_money(row[1], day.total_revenue, "revenue " + row[0]);
    EXPECT_EQ(std::stoll(row[2]), day.total_purchases) << row[0];
    expect_money(row[3], day.avg_order_value, "aov " + row[0]);
  }
  rows =
      test.query("gold.conversion_rate_daily",
                 "SELECT event_date, dau_count, unique_buyers, conversion_rate FROM t ORDER BY 1");
  ASSERT_EQ(rows.size(), expected.conversion_rate_daily.size());
  for (const auto& row : rows) {
    const auto& day = expected.conversion_rate_daily.at(row[0]);
    EXPECT_EQ(std::stoll(row[1]), day.dau_count) << row[0];
    EXPECT_EQ(std::stoll(row[2]), day.unique_buyers) << row[0];
    expect_rate(row[3], day.conversion_rate, "conversion " + row[0]);
  }
  rows =
      test.query("gold.category_sales_daily",
                 "SELECT event_date, category, units_sold, category_revenue FROM t ORDER BY 1, 2");
  ASSERT_EQ(rows.size(), expected.category_sales_daily.size());
  for (const auto& row : rows) {
    const auto& day = expected.category_sales_daily.at({row[0], row[1]});
    EXPECT_EQ(std::stoll(row[2]), day.units_sold) << row[0] << " " << row[1];
    expect_money(row[3], day.category_revenue, "category " + row[0] + " " + row[1]);
  }
  rows = test.query("gold.cart_abandonment_daily",
                    "SELECT event_date, sessions_with_cart, sessions_with_purchase, "
                    "abandoned_sessions, abandonment_rate FROM t ORDER BY 1");
  ASSERT_EQ(rows.size(), expected.cart_abandonment_daily.size());
  for (const auto& row : rows) {
    const auto& day = expected.cart_abandonment_daily.at(row[0]);
    EXPECT_EQ(std::stoll(row[1]), day.sessions_with_cart) << row[0];
    EXPECT_EQ(std::stoll(row[2]), day.sessions_with_purchase) << row[0];
    EXPECT_EQ(std::stoll(row[3]), day.abandoned_sessions) << row[0];
    expect_rate(row[4], day.abandonment_rate, "abandonment " + row[0]);
  }
  rows = test.query("gold.events_by_source_daily",
                    "SELECT event_date, source, event_count FROM t ORDER BY 1, 2");
  ASSERT_EQ(rows.size(), expected.events_by_source_daily.size());
  for (const auto& row : rows) {
    EXPECT_EQ(std::stoll(row[2]), expected.events_by_source_daily.at({row[0], row[1]}))
        << row[0] << " " << row[1];
  }
  rows = test.query("gold.funnel_daily",
                    "SELECT event_date, viewers, cart_users, checkout_users, buyers, "
                    "view_to_cart_rate, cart_to_checkout_rate, checkout_to_purchase_rate, "
                    "overall_conversion_rate FROM t ORDER BY 1");
  ASSERT_EQ(rows.size(), expected.funnel_daily.size());
  for (const auto& row : rows) {
    const auto& day = expected.funnel_daily.at(row[0]);
    EXPECT_EQ(std::stoll(row[1]), day.viewers) << row[0];
    EXPECT_EQ(std::stoll(row[2]), day.cart_users) << row[0];
    EXPECT_EQ(std::stoll(row[3]), day.checkout_users) << row[0];
    EXPECT_EQ(std::stoll(row[4]), day.buyers) << row[0];
    expect_rate(row[5], day.view_to_cart_rate, "view->cart " + row[0]);
    expect_rate(row[6], day.cart_to_checkout_rate, "cart->checkout " + row[0]);
    expect_rate(row[7], day.checkout_to_purchase_rate, "checkout->purchase " + row[0]);
    expect_rate(row[8], day.overall_conversion_rate, "overall " + row[0]);
  }
  rows = test.query("gold.hourly_revenue",
                    "SELECT event_date, hour, revenue, orders, units_sold FROM t ORDER BY 1, 2");
  ASSERT_EQ(rows.size(), expected.hourly_revenue.size());
  for (const auto& row : rows) {
    const auto& hour = expected.hourly_revenue.at({row[0], std::stoi(row[1])});
    expect_money(row[2], hour.revenue, "hourly " + row[0] + " " + row[1]);
    EXPECT_EQ(std::stoll(row[3]), hour.orders) << row[0] << " " << row[1];
    EXPECT_EQ(std::stoll(row[4]), hour.units_sold) << row[0] << " " << row[1];
  }
}

TEST_F(ModelRunnerTest, GoldEqualsAnIndependentRecountWithDuplicatesAndLateEvents) {
  const auto models = shipped_models();
  ASSERT_EQ(models.size(), 11u);
  EXPECT_EQ(models.front().name, "silver.events");

  // Three days (22:00 on the first to 02:00 on the third), then duplicates: every 40th event
  // again, some altered (a retry must not change what the first arrival said).
  std::vector<core::Event> arrivals = simulate(11, kStartMs, 28, 2.5);
  ASSERT_GT(arrivals.size(), 100'000u);
  const std::size_t originals = arrivals.size();
  for (std::size_t i = 0; i < originals; i += 40) {
    core::Event copy = arrivals[i];
    if (i % 80 == 0 && core::carries_product(copy.type)) copy.price += 1000;
    arrivals.push_back(copy);
  }
  land(arrivals);
  auto outcomes = run_models(models);
  ASSERT_EQ(outcomes.size(), 11u);
  EXPECT_EQ(outcomes["silver.events"].dates.size(), 3u);
  GoldRecount expected = testing::recount_gold(arrivals);
  EXPECT_GT(expected.duplicates_dropped, 2000);
  expect_gold_equals(*this, expected);
  EXPECT_EQ(query("silver.events", "SELECT count(*) FROM t")[0][0], std::to_string(originals));

  // Late events: a second shop's traffic on the first day arrives now. Only the days it
  // touches (and their window) are recomputed.
  const auto late = simulate(12, kStartMs, 1, 2);
  ASSERT_GT(late.size(), 1000u);
  std::vector<core::Event> renamed = late;
  for (auto& event : renamed) {
    event.event_id = "late-" + event.event_id;
    event.user_id = "late-" + event.user_id;
    event.session_id = "late-" + event.session_id;
    if (!event.order_id.empty()) event.order_id = "late-" + event.order_id;
  }
  land(renamed);
  arrivals.insert(arrivals.end(), renamed.begin(), renamed.end());
  outcomes = run_models(models);
  EXPECT_EQ(outcomes["silver.events"].dates, (std::vector<std::string>{"2025-12-31"}));
  EXPECT_EQ(outcomes["gold.daily_active_users"].dates, (std::vector<std::string>{"2025-12-31"}));
  // Sessions across midnight: its window spreads the change to the neighbouring days.
  EXPECT_EQ(outcomes["gold.cart_abandonment_daily"].dates,
            (std::vector<std::string>{"2025-12-30", "2025-12-31", "2026-01-01"}));
  expect_gold_equals(*this, testing::recount_gold(arrivals));
}

// A run holds a small model output as its query's result and stores a large one in a temporary
// table: both write the same rows.
TEST_F(ModelRunnerTest, AnOutputHeldOrStoredInATableWritesTheSameRows) {
  const auto models = shipped_models();
  land(simulate(41, kStartMs, 6, 2));
  run_models(models);
  std::map<std::string, std::vector<Row>> held;
  for (const Model& model : models) {
    held[model.name] = query(model.name, "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY ALL");
    EXPECT_FALSE(held[model.name].empty()) << model.name;
  }

  runner_ = std::make_unique<ModelRunner>(lake_directory(), *parquet_, TableCommitListener{}, 0);
  TaskRequest everything;
  everything.full_refresh = true;
  run_models(models, everything);
  for (const Model& model : models) {
    EXPECT_EQ(query(model.name, "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY ALL"), held[model.name])
        << model.name;
  }
}

TEST_F(ModelRunnerTest, ARerunChangesNothing) {
  const auto models = shipped_models();
  land(simulate(5, kStartMs, 4, 2));
  run_models(models);
  std::map<std::string, std::int64_t> versions;
  for (const auto& model : models) versions[model.name] = version_of(model.name);
  const auto outcomes = run_models(models);
  for (const auto& model : models) {
    EXPECT_TRUE(outcomes.at(model.name).dates.empty()) << model.name;
    EXPECT_EQ(version_of(model.name), versions[model.name]) << model.name;
  }
  // A backfill of a day recomputes it to the same rows.
  const auto before = query("gold.revenue_daily", "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY ALL");
  TaskRequest backfill;
  backfill.dates = {"2026-01-01"};
  const auto refilled = run_models(models, backfill);
  EXPECT_EQ(refilled.at("gold.revenue_daily").dates, backfill.dates);
  EXPECT_EQ(query("gold.revenue_daily", "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY ALL"), before);
}

core::Event event(std::string id, core::EventType type, std::int64_t ts_ms, std::string user,
                  std::string session) {
  core::Event made;
  made.event_id = std::move(id);
  made.type = type;
  made.ts_ms = ts_ms;
  made.user_id = std::move(user);
  made.session_id = std::move(session);
  return made;
}

TEST_F(ModelRunnerTest, SemanticRulesRejectAndSessionsAreDerived) {
  const std::int64_t t0 = kStartMs + 3 * kHourMs;  // 2026-01-01T01:00Z
  std::vector<core::Event> events = {
      event("a1", core::EventType::view, t0, "u1", ""),
      event("a2", core::EventType::view, t0 + 10 * 60'000, "u1", ""),
      event("a3", core::EventType::view, t0 + 45 * 60'000, "u1", ""),  // > 30 min: a new one
      event("b1", core::EventType::login, t0, "u2", "s-2"),
  };
  core::Event expensive = event("c1", core::EventType::add_to_cart, t0, "u3", "s-3");
  expensive.product_id = "p";
  expensive.category = " Books ";
  expensive.price = 250000;
  expensive.quantity = 1;
  events.push_back(expensive);
  core::Event shouting = event("d1", core::EventType::view, t0, "u4", "s-4");
  shouting.source = "WEB";
  events.push_back(shouting);
  land(events);
  run_models(shipped_models());

  const auto silver = query("silver.events",
                            "SELECT event_id, session_id, session_derived, coalesce(source, "
                            "'NULL') FROM t ORDER BY event_id");
  ASSERT_EQ(silver.size(), 5u);
  const std::string first_session = fmt::format("derived:u1:{}", t0);
  EXPECT_EQ(silver[0], (Row{"a1", first_session, "true", "NULL"}));
  EXPECT_EQ(silver[1], (Row{"a2", first_session, "true", "NULL"}));
  EXPECT_EQ(silver[2], (Row{"a3", fmt::format("derived:u1:{}", t0 + 45 * 60'000), "true", "NULL"}));
  EXPECT_EQ(silver[3], (Row{"b1", "s-2", "false", "NULL"}));
  EXPECT_EQ(silver[4], (Row{"d1", "s-4", "false", "web"}));
  const auto rejected = query("silver.rejected", "SELECT event_id, rejected_rule, category FROM t");
  EXPECT_EQ(rejected, (std::vector<Row>{{"c1", "price_above_100000", "books"}}));
}

// silver.events appends what new bronze rows add when they change nothing written: retries,
// rejected rows, sessionless events that continue or start a derived session. A sessionless event
// earlier than one written makes the run recompute instead. Either way silver holds the rows a
// recompute of every day gives.
TEST_F(ModelRunnerTest, AppendingGivesTheRowsARecomputeGives) {
  const Model silver = shipped_models().front();
  ASSERT_EQ(silver.name, "silver.events");
  ASSERT_TRUE(silver.appends());
  constexpr std::int64_t t0 = kStartMs + 3 * kHourMs;  // 2026-01-01T01:00Z
  const auto minutes = [](std::int64_t count) { return t0 + count * 60'000; };
  core::Event expensive = event("x1", core::EventType::add_to_cart, minutes(5), "u9", "s-9");
  expensive.product_id = "p";
  expensive.price = 250000;
  expensive.quantity = 1;

  std::vector<core::Event> first = simulate(21, kStartMs, 6, 2);
  for (const auto& made : {event("n1", core::EventType::view, minutes(0), "u-s", ""),
                           event("n2", core::EventType::view, minutes(10), "u-s", "")}) {
    first.push_back(made);
  }
  first.push_back(expensive);
  land(first);
  auto computed = runner_->run(silver, {});
  ASSERT_TRUE(computed) << computed.error();
  EXPECT_FALSE(computed.value().appended);

  // Retries of the first hour's events, of the rejected one and of a sessionless one; a second
  // shop's new hours; sessionless events continuing u-s's session, starting another, and a new
  // user's.
  std::vector<core::Event> second = simulate(22, kStartMs + 6 * kHourMs, 2, 2);
  for (std::size_t i = 0; i < first.size(); i += 50) second.push_back(first[i]);
  second.push_back(expensive);
  second.push_back(first[first.size() - 2]);
  for (const auto& made : {event("n3", core::EventType::view, minutes(25), "u-s", ""),
                           event("n4", core::EventType::search, minutes(200), "u-s", ""),
                           event("n5", core::EventType::view, minutes(30), "u-t", "")}) {
    second.push_back(made);
  }
  land(second);
  std::vector<std::string> log;
  auto appended =
      runner_->run(silver, {}, [&log](const std::string& line) { log.push_back(line); });
  ASSERT_TRUE(appended) << appended.error();
  EXPECT_TRUE(appended.value().appended) << fmt::format("{}", fmt::join(log, "\n"));
  EXPECT_EQ(appended.value().rows_in, static_cast<std::int64_t>(second.size()));
  EXPECT_EQ(appended.value().rows_out, static_cast<std::int64_t>(second.size()) -
                                           static_cast<std::int64_t>(first.size() / 50 + 1) - 2);
  EXPECT_EQ(appended.value().rows_rejected, 0);

  const std::string every_row = "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY event_id";
  const auto silver_appended = query("silver.events", every_row);
  const auto rejected_appended = query("silver.rejected", every_row);
  ASSERT_EQ(silver_appended.size(), first.size() + second.size() - first.size() / 50 - 4);
  EXPECT_EQ(rejected_appended.size(), 1u);
  const std::string sessions =
      "SELECT event_id, session_id FROM t WHERE session_derived ORDER BY event_id";
  EXPECT_EQ(query("silver.events", sessions),
            (std::vector<Row>{{"n1", fmt::format("derived:u-s:{}", minutes(0))},
                              {"n2", fmt::format("derived:u-s:{}", minutes(0))},
                              {"n3", fmt::format("derived:u-s:{}", minutes(0))},
                              {"n4", fmt::format("derived:u-s:{}", minutes(200))},
                              {"n5", fmt::format("derived:u-t:{}", minutes(30))}}));
  TaskRequest everything;
  everything.full_refresh = true;
  ASSERT_TRUE(runner_->run(silver, everything));
  EXPECT_EQ(query("silver.events", every_row), silver_appended);
  EXPECT_EQ(query("silver.rejected", every_row), rejected_appended);

  // An event of u-s before n4, which is written: appending would leave n4's session wrong.
  land({event("n6", core::EventType::view, minutes(190), "u-s", "")});
  auto recomputed = runner_->run(silver, {});
  ASSERT_TRUE(recomputed) << recomputed.error();
  EXPECT_FALSE(recomputed.value().appended);
  EXPECT_EQ(recomputed.value().dates, (std::vector<std::string>{"2026-01-01"}));
  const auto after_late = query("silver.events", sessions);
  ASSERT_EQ(after_late.size(), 6u);
  EXPECT_EQ(after_late[3], (Row{"n4", fmt::format("derived:u-s:{}", minutes(190))}));
  EXPECT_EQ(after_late[5], (Row{"n6", fmt::format("derived:u-s:{}", minutes(190))}));
  ASSERT_TRUE(runner_->run(silver, everything));
  EXPECT_EQ(query("silver.events", sessions), after_late);
}

// silver.sessions appends a row per session for each run's new events: summed, they are the
// rows a recompute of the days writes. silver.purchases appends each run's new purchases: the
// same rows as a recompute.
TEST_F(ModelRunnerTest, AppendedSessionsAndPurchasesAreTheRecomputedOnes) {
  const auto models = shipped_models();
  ASSERT_GE(models.size(), 3u);
  const Model& silver = models[0];
  const auto model_named = [&models](const std::string& name) -> const Model* {
    const auto found = std::find_if(models.begin(), models.end(),
                                    [&name](const Model& model) { return model.name == name; });
    return found == models.end() ? nullptr : &*found;
  };
  ASSERT_NE(model_named("silver.sessions"), nullptr);
  ASSERT_NE(model_named("silver.purchases"), nullptr);
  const Model& sessions = *model_named("silver.sessions");
  const Model& purchases = *model_named("silver.purchases");
  ASSERT_TRUE(sessions.appends());
  ASSERT_TRUE(purchases.appends());

  // The second batch continues the first one's sessions: the same shop, the next hours.
  const std::vector<core::Event> events = simulate(31, kStartMs, 10, 2);
  const auto split = std::find_if(events.begin(), events.end(), [](const core::Event& event) {
    return event.ts_ms >= kStartMs + 5 * kHourMs;
  });
  ASSERT_NE(split, events.end());
  land(std::vector<core::Event>(events.begin(), split));
  ASSERT_TRUE(runner_->run(silver, {}));
  for (const Model* model : {&sessions, &purchases}) {
    auto first = runner_->run(*model, {});
    ASSERT_TRUE(first) << first.error();
    EXPECT_FALSE(first.value().appended) << model->name;
  }
  land(std::vector<core::Event>(split, events.end()));
  ASSERT_TRUE(runner_->run(silver, {}));
  for (const Model* model : {&sessions, &purchases}) {
    auto second = runner_->run(*model, {});
    ASSERT_TRUE(second) << second.error();
    EXPECT_TRUE(second.value().appended) << model->name;
  }

  const std::string summed =
      "SELECT event_date, session_id, user_id, source, sum(events), sum(views), sum(carts), "
      "sum(checkouts), sum(purchases), count(*) AS pieces FROM t GROUP BY ALL ORDER BY ALL";
  auto appended = query("silver.sessions", summed);
  ASSERT_GT(appended.size(), 100u);
  const auto split_sessions = std::count_if(appended.begin(), appended.end(),
                                            [](const Row& row) { return row.back() != "1"; });
  EXPECT_GT(split_sessions, 0) << "no session had events in both batches";
  TaskRequest everything;
  everything.full_refresh = true;
  ASSERT_TRUE(runner_->run(sessions, everything));
  auto recomputed = query("silver.sessions", summed);
  for (auto* rows : {&appended, &recomputed}) {
    for (auto& row : *rows) row.pop_back();
  }
  EXPECT_EQ(recomputed, appended);
  EXPECT_EQ(query("silver.sessions", "SELECT sum(events) FROM t")[0][0],
            query("silver.events", "SELECT count(*) FROM t")[0][0]);

  const std::string every_purchase = "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY event_id";
  const auto appended_purchases = query("silver.purchases", every_purchase);
  ASSERT_GT(appended_purchases.size(), 10u);
  EXPECT_EQ(std::to_string(appended_purchases.size()),
            query("silver.events", "SELECT count(*) FROM t WHERE event_type = 'purchase'")[0][0]);
  ASSERT_TRUE(runner_->run(purchases, everything));
  EXPECT_EQ(query("silver.purchases", every_purchase), appended_purchases);
}

// Bronze compacted between two runs: the files the new rows were added in are gone from the
// snapshot, so the run recomputes the days instead of appending, to the same rows.
TEST_F(ModelRunnerTest, BronzeCompactedSinceTheLastRunRecomputesTheDays) {
  const Model silver = shipped_models().front();
  land(simulate(31, kStartMs, 3, 2));
  ASSERT_TRUE(runner_->run(silver, {}));
  land(simulate(32, kStartMs + 3 * kHourMs, 1, 2));
  land(simulate(33, kStartMs + 4 * kHourMs, 1, 2));
  auto bronze = lake::DeltaTable::open(lake_directory() / "bronze" / "events", *parquet_);
  ASSERT_TRUE(bronze) << bronze.error();
  auto compacted = bronze.value()->optimize();
  ASSERT_TRUE(compacted) << compacted.error();
  ASSERT_GT(compacted.value().files_removed, 0u);

  std::vector<std::string> log;
  auto run = runner_->run(silver, {}, [&log](const std::string& line) { log.push_back(line); });
  ASSERT_TRUE(run) << run.error();
  EXPECT_FALSE(run.value().appended);
  EXPECT_NE(std::find(log.begin(), log.end(),
                      "rows were removed or compacted since: recomputing the days"),
            log.end());
  const std::string every_row = "SELECT COLUMNS(*)::VARCHAR FROM t ORDER BY event_id";
  const auto incremental = query("silver.events", every_row);
  TaskRequest everything;
  everything.full_refresh = true;
  ASSERT_TRUE(runner_->run(silver, everything));
  EXPECT_EQ(query("silver.events", every_row), incremental);
}

class ModelFiles {
 public:
  explicit ModelFiles(const fs::path& root) : root_(root) {
    fs::create_directories(root / "silver");
    fs::copy_file(fs::path(SHOPLAKE_MODELS_DIR) / "silver" / "events.sql",
                  root / "silver" / "events.sql");
    fs::create_directories(root / "gold");
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / "gold" / (name + ".sql")) << text;
  }

 private:
  fs::path root_;
};

// A model whose columns changed (edited, or changed by a newer shoplake) recomputes every day at
// its next run, and its table takes the new columns in one commit.
TEST_F(ModelRunnerTest, ChangedColumnsRewriteTheTableWhole) {
  land(simulate(5, kStartMs, 30, 2));
  ModelFiles files(directory_.path() / "models");
  files.write("event_list",
              "-- inputs: silver.events\n"
              "-- append: event_date\n"
              "SELECT event_date, event_id, false AS needs_recompute FROM silver_events\n");
  auto models = load_models(directory_.path() / "models");
  ASSERT_TRUE(models) << models.error();
  ASSERT_TRUE(runner_->run(models.value()[0], {}));
  ASSERT_TRUE(runner_->run(models.value()[1], {}));
  const std::int64_t first_version = version_of("gold.event_list");

  files.write(
      "event_list",
      "-- inputs: silver.events\n"
      "-- append: event_date\n"
      "SELECT event_date, event_id, user_id, false AS needs_recompute FROM silver_events\n");
  models = load_models(directory_.path() / "models");
  ASSERT_TRUE(models) << models.error();
  land(simulate(6, kStartMs + 30 * kHourMs, 2, 2));
  ASSERT_TRUE(runner_->run(models.value()[0], {}));
  std::vector<std::string> log;
  auto rerun =
      runner_->run(models.value()[1], {}, [&log](const std::string& line) { log.push_back(line); });
  ASSERT_TRUE(rerun) << rerun.error();
  EXPECT_FALSE(rerun.value().appended);
  EXPECT_EQ(rerun.value().dates.size(), 3u);
  EXPECT_EQ(version_of("gold.event_list"), first_version + 1);
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const std::string& line) {
    return line.find("the columns changed (gold.event_list: column user_id") != std::string::npos;
  })) << fmt::format("{}", fmt::join(log, "\n"));
  EXPECT_EQ(query("gold.event_list", "SELECT count(*), count(user_id) FROM t"),
            (std::vector<Row>{{query("silver.events", "SELECT count(*) FROM t")[0][0],
                               query("silver.events", "SELECT count(*) FROM t")[0][0]}}));

  // Then it appends again, under the new columns.
  land(simulate(7, kStartMs + 32 * kHourMs, 1, 2));
  ASSERT_TRUE(runner_->run(models.value()[0], {}));
  auto appended = runner_->run(models.value()[1], {});
  ASSERT_TRUE(appended) << appended.error();
  EXPECT_TRUE(appended.value().appended);
}

// A table's every tenth version gets a checkpoint, written off the run's path: by the time the
// runner is gone, it is there, and the table loads from it to the same rows.
TEST_F(ModelRunnerTest, EveryTenthCommitGetsACheckpointWrittenInTheBackground) {
  const Model silver = shipped_models().front();
  for (int hour = 0; hour < 10; ++hour) {
    land(simulate(50 + hour, kStartMs + hour * kHourMs, 1, 0.2));
    auto ran = runner_->run(silver, {});
    ASSERT_TRUE(ran) << ran.error();
  }
  ASSERT_GE(version_of("silver.events"), 10);
  const auto rows = query("silver.events", "SELECT count(*) FROM t");
  runner_.reset();
  const fs::path log = lake_directory() / "silver" / "events" / "_delta_log";
  EXPECT_TRUE(fs::exists(log / "00000000000000000010.checkpoint.parquet"));
  std::ifstream last(log / "_last_checkpoint");
  std::string text((std::istreambuf_iterator<char>(last)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"version\":10"), std::string::npos) << text;
  EXPECT_EQ(query("silver.events", "SELECT count(*) FROM t"), rows);
}

TEST_F(ModelRunnerTest, AFailedErrorExpectationFailsTheTaskWithCountAndSample) {
  land(simulate(3, kStartMs, 3, 2));
  ModelFiles files(directory_.path() / "models");
  files.write("busy_days",
              "-- inputs: silver.events\n"
              "-- expect warn: range(events, 0, 10)\n"
              "SELECT event_date, count(*) AS events FROM silver_events GROUP BY ALL\n");
  files.write("quiet_days",
              "-- inputs: silver.events\n"
              "-- expect: range(events, 0, 10)\n"
              "SELECT event_date, count(*) AS events FROM silver_events GROUP BY ALL\n");
  auto models = load_models(directory_.path() / "models");
  ASSERT_TRUE(models) << models.error();
  ASSERT_EQ(models.value().size(), 3u);
  ASSERT_TRUE(runner_->run(models.value()[0], {}));

  auto warned = runner_->run(models.value()[1], {});  // gold.busy_days
  ASSERT_TRUE(warned) << warned.error();
  ASSERT_EQ(warned.value().expectations.size(), 1u);
  EXPECT_EQ(warned.value().expectations[0].failing_rows, 2);
  EXPECT_NE(warned.value().expectations[0].sample_json.find("\"events\":"), std::string::npos);

  std::vector<std::string> log;
  auto failed =
      runner_->run(models.value()[2], {}, [&log](const std::string& line) { log.push_back(line); });
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("gold.quiet_days: expectation range(events, 0, 10) failed on 2 "
                                "row(s), e.g. [{\"event_date\":\""),
            std::string::npos)
      << failed.error();
  EXPECT_FALSE(fs::exists(lake_directory() / "gold" / "quiet_days"));
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("error: expectation"), std::string::npos);
}

}  // namespace
}  // namespace shoplake::pipeline
