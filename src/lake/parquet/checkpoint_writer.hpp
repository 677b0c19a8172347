// Classic single-file checkpoints (internal to shoplake_lake_parquet; ParquetIo::write_checkpoint
// is the public face).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake::parquet_detail {

core::Result<std::int64_t> write_checkpoint(duckdb_connection connection, const Snapshot& snapshot);

// One checkpoint row as JSON: {"<action>":{…}} with the fields of the checkpoint schema. Adds and
// removes are written with dataChange = false, as Spark and delta-rs write them: a checkpoint
// restates the table, it changes no data.
std::string checkpoint_row_json(const Action& action);

}  // namespace shoplake::lake::parquet_detail
