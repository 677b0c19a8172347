// Model files: the header's keys, expectations and their errors, and the DAG the inputs form.
#include "shoplake/pipeline/model.hpp"

#include <gtest/gtest.h>

namespace shoplake::pipeline {
namespace {

Model parsed(std::string_view name, std::string_view text) {
  auto model = parse_model(name, text);
  EXPECT_TRUE(model) << model.error();
  return model ? std::move(model).value() : Model{};
}

std::string error_of(std::string_view name, std::string_view text) {
  auto model = parse_model(name, text);
  EXPECT_FALSE(model);
  return model ? "" : model.error();
}

TEST(ModelTest, ReadsTheHeaderAndLeavesProseAlone) {
  const Model model = parsed("gold.revenue_daily",
                             "-- gold.revenue_daily(event_date, total_revenue)\n"
                             "-- Input relation: prose with a colon is not a key\n"
                             "-- inputs: silver.events, bronze.events\n"
                             "-- partition: day\n"
                             "-- window_days: 2\n"
                             "-- spread_days: 0\n"
                             "-- expect: not_null(day, total_revenue)\n"
                             "-- expect warn: range(total_revenue, 0, )\n"
                             "-- expect error: accepted_values(source, 'web', mobile)\n"
                             "\n"
                             "SELECT 1\n"
                             "-- expect: not_null(ignored) is SQL's comment, after the header\n");
  EXPECT_EQ(model.layer, "gold");
  EXPECT_EQ(model.table, "revenue_daily");
  EXPECT_EQ(model.inputs, (std::vector<std::string>{"silver.events", "bronze.events"}));
  EXPECT_EQ(model.partition_column, "day");
  EXPECT_EQ(model.window_days, 2);
  EXPECT_EQ(model.spread_days, 0);
  ASSERT_EQ(model.expectations.size(), 3u);
  EXPECT_EQ(model.expectations[0].kind, ExpectationKind::not_null);
  EXPECT_EQ(model.expectations[0].columns, (std::vector<std::string>{"day", "total_revenue"}));
  EXPECT_EQ(model.expectations[1].severity, ExpectationSeverity::warn);
  EXPECT_EQ(model.expectations[1].min, 0.0);
  EXPECT_FALSE(model.expectations[1].max);
  EXPECT_EQ(model.expectations[2].values, (std::vector<std::string>{"web", "mobile"}));
  EXPECT_EQ(input_relation("silver.events"), "silver_events");
  EXPECT_FALSE(model.appends());
  const Model appending = parsed("silver.events",
                                 "-- inputs: bronze.events\n"
                                 "-- append: event_date, event_id\n"
                                 "SELECT 1\n");
  EXPECT_TRUE(appending.appends());
  EXPECT_EQ(appending.append_columns, (std::vector<std::string>{"event_date", "event_id"}));
}

TEST(ModelTest, ErrorsNameTheLineTheKeyAndWhy) {
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver.events\n-- expect: positive(a)\nSELECT 1"),
            "gold.x line 2: expect: unknown expectation 'positive' (not_null, unique, "
            "accepted_values, range)");
  EXPECT_EQ(error_of("gold.x", "-- input: silver.events\nSELECT 1"),
            "gold.x line 1: input: unknown key (inputs, partition, window_days, spread_days, "
            "rejected, append, expect, expect warn)");
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver.events\n-- append: event_id, 2x\nSELECT 1"),
            "gold.x line 2: append: '2x' is not a column name");
  EXPECT_EQ(
      error_of("gold.x", "-- inputs: silver.events, silver.other\n-- append: event_id\nSELECT 1"),
      "gold.x: append: a model whose runs append reads one input, this one reads 2");
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver.events\n-- window_days: -1\nSELECT 1"),
            "gold.x line 2: window_days: '-1' is not a number of days from 0 to 31");
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver.events\n-- expect: range(a, 2, 1)\nSELECT 1"),
            "gold.x line 2: expect: range: the minimum is above the maximum");
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver\nSELECT 1"),
            "gold.x line 1: inputs: 'silver' is not a table (layer.table)");
  EXPECT_EQ(error_of("gold.x", "SELECT 1"),
            "gold.x: the header names no inputs (-- inputs: silver.events)");
  EXPECT_EQ(error_of("gold.x", "-- inputs: silver.events\n"), "gold.x: no SQL after the header");
}

Model model_reading(std::string name, std::vector<std::string> inputs) {
  Model model;
  model.name = std::move(name);
  model.inputs = std::move(inputs);
  return model;
}

TEST(ModelTest, OrdersModelsAfterTheirInputsAndFindsCycles) {
  auto ordered =
      order_models({model_reading("gold.b", {"gold.a"}), model_reading("gold.a", {"silver.events"}),
                    model_reading("silver.events", {"bronze.events"})});
  ASSERT_TRUE(ordered) << ordered.error();
  ASSERT_EQ(ordered.value().size(), 3u);
  EXPECT_EQ(ordered.value()[0].name, "silver.events");
  EXPECT_EQ(ordered.value()[1].name, "gold.a");
  EXPECT_EQ(ordered.value()[2].name, "gold.b");

  auto cycle =
      order_models({model_reading("gold.a", {"gold.b"}), model_reading("gold.b", {"gold.a"})});
  ASSERT_FALSE(cycle);
  EXPECT_EQ(cycle.error(), "the models' inputs form a cycle: gold.a -> gold.b -> gold.a");
  auto orphan = order_models({model_reading("gold.a", {"silver.nothing"})});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error(),
            "gold.a reads silver.nothing, which no model writes and which is not in bronze");
  auto twice = order_models(
      {model_reading("gold.a", {"bronze.events"}), model_reading("gold.a", {"bronze.events"})});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), "gold.a is written by two models: gold.a and gold.a");
}

}  // namespace
}  // namespace shoplake::pipeline
