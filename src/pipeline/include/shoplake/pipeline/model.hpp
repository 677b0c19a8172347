// A model is one SQL file under models/<layer>/<table>.sql that computes one lake table, with a
// header of `-- key: value` comment lines naming its inputs, its partition key, the window of
// input days each output day reads, and its data-quality expectations (docs/PIPELINE.md):
//
//   -- inputs: silver.events
//   -- partition: event_date
//   -- window_days: 1
//   -- spread_days: 0
//   -- rejected: silver.rejected
//   -- append: event_date, event_id
//   -- expect: not_null(event_date, dau_count)
//   -- expect warn: range(avg_order_value, 0, 10000)
//
// The SQL reads each input as a relation named <layer>_<table> (silver_events), which the runner
// restricts to the days being computed. The models form a DAG through their inputs.
//
// A model with `append: <columns>` (one input) can run by appending: when its input only gained
// rows since the last run, the input relation holds just those rows and the SQL computes the
// rows they add. It reads the rows already written for the days around (the output and its
// rejected table, those columns) as `previous_output`, empty when it recomputes days, and sets
// the boolean column needs_recompute on a row that would change a row already written: then the
// runner recomputes the days instead.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::pipeline {

enum class ExpectationKind { not_null, unique, accepted_values, range };
enum class ExpectationSeverity { error, warn };

struct Expectation {
  ExpectationKind kind = ExpectationKind::not_null;
  ExpectationSeverity severity = ExpectationSeverity::error;
  std::vector<std::string> columns;  // not_null, unique: all; accepted_values, range: one
  std::vector<std::string> values;   // accepted_values
  std::optional<double> min;         // range: inclusive bounds, either may be open
  std::optional<double> max;
  std::string text;  // as written, e.g. "range(conversion_rate, 0, 1)"
};

struct Model {
  std::string name;  // "gold.revenue_daily": the table it writes
  std::string layer;
  std::string table;
  std::vector<std::string> inputs;  // lake tables, "bronze.events"
  std::string partition_column;     // a DATE column of the output, e.g. event_date
  int window_days = 0;              // output day D reads input days D-window .. D+window
  // A change on input day d recomputes output days d-spread .. d+spread; window_days if unset.
  std::optional<int> spread_days;
  std::optional<std::string> rejected_table;  // rows with a non-null rejected_rule go there
  std::vector<std::string> append_columns;    // of previous_output; empty: runs recompute days
  std::vector<Expectation> expectations;
  std::string sql;  // the whole file
  std::filesystem::path path;

  bool appends() const { return !append_columns.empty(); }
};

// The column a model with a rejected table sets to the name of the rule a row failed.
inline constexpr std::string_view kRejectedRuleColumn = "rejected_rule";
// The column an appending model sets on a row that would change rows already written.
inline constexpr std::string_view kNeedsRecomputeColumn = "needs_recompute";
// The relation an appending model reads the rows already written through.
inline constexpr std::string_view kPreviousOutputRelation = "previous_output";

// A model's SQL without its final ';' and trailing blanks, to be wrapped in a subquery.
std::string without_final_semicolon(std::string sql);

// The statements that define, in the DuckDB that runs the models, the functions every model may
// call besides its inputs: utc_date(t), utc_hour(t) and trim_spaces(s) (docs/PIPELINE.md).
std::span<const char* const> model_function_definitions();

// "silver.events" -> "silver_events": the relation a model reads an input through.
std::string input_relation(std::string_view qualified_table);

// Parses one model. `name` is layer.table (from the path). Errors name the line and the key:
// "models/gold/x.sql line 4: expect: unknown expectation 'positive' (not_null, unique,
// accepted_values, range)".
core::Result<Model> parse_model(std::string_view name, std::string_view text,
                                const std::filesystem::path& path = {});

// Every models/<layer>/<table>.sql for layer silver and gold (other folders, e.g. dashboards,
// are not models), in dependency order: a model comes after the models writing its inputs.
// Errors: a parse error, two models writing one table, an input nobody writes that is not
// bronze.*, or a cycle (naming it: "gold.a -> gold.b -> gold.a").
core::Result<std::vector<Model>> load_models(const std::filesystem::path& models_directory);

// Orders models so that each comes after the models writing its inputs (stable otherwise).
core::Result<std::vector<Model>> order_models(std::vector<Model> models);

}  // namespace shoplake::pipeline
