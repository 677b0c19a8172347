// DuckDB 1.4 reads many settings by name while it plans and runs each query (DebugVerifyVector in
// every expression executor, PreserveInsertionOrder for every result collector, the Arrow options
// for every result). A setting nobody set is found the slow way: its type name parsed and its
// default cast again, each time. That was 8 % of a dashboard query's CPU (perf over
// `bench query`). Set once to the value it already has, the same lookup is one map probe.
#pragma once

#include <duckdb.h>

#include <string>

#include "shoplake/core/result.hpp"

namespace shoplake::sql {

// Sets, database-wide, each setting DuckDB reads per query to the value it has now, so that
// nothing changes but the lookup. A setting this DuckDB does not know is skipped. The answer says
// how many were pinned, for the debug log.
core::Result<std::string> pin_settings_read_per_query(duckdb_connection connection);

}  // namespace shoplake::sql
