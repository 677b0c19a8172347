// Spark SQL's time travel, `FROM gold.revenue_daily VERSION AS OF 3` or `TIMESTAMP AS OF
// '2026-11-25 10:00:00'`, which DuckDB does not parse: each such table reference becomes a
// subquery over that version's files, which the lake resolves (Catalog::set_time_travel).
#pragma once

#include <string>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

// `sql` with every `schema.table VERSION|TIMESTAMP AS OF literal` outside string literals and
// comments replaced by `(SELECT …) AS table`; unchanged when there is none. Errors: a malformed
// point in time, no resolver, or the resolver's (e.g. "version 9 does not exist").
core::Result<std::string> expand_time_travel(const std::string& sql,
                                             const TimeTravelResolver& resolver);

}  // namespace shoplake::sql
