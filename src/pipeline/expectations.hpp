// Data-quality expectations, checked on a model's output before it is committed.
#pragma once

#include <duckdb.h>

#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/pipeline/model.hpp"
#include "shoplake/pipeline/model_runner.hpp"

namespace shoplake::pipeline {

// The rows of `relation` (a table or a parenthesized SELECT) that break `expectation`.
std::string failing_rows_sql(const Expectation& expectation, const std::string& relation);

// Checks every expectation on `relation`: the count of failing rows and, when some fail, a
// sample of five.
core::Result<std::vector<ExpectationResult>> check_expectations(
    duckdb_connection connection, const std::vector<Expectation>& expectations,
    const std::string& relation);

}  // namespace shoplake::pipeline
