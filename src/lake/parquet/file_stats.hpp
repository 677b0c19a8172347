// Delta's per-file statistics (PROTOCOL.md, "Per-file Statistics") from the column statistics
// DuckDB's Parquet writer reports (COPY … RETURN_STATS). Internal to shoplake_lake_parquet;
// pure functions, so the conversions are tested without writing files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duck_values.hpp"
#include "shoplake/lake/delta_schema.hpp"

namespace shoplake::lake::parquet_detail {

// Strings longer than this get no max and a prefix of this many characters as min, as Spark
// (dataSkippingStringPrefixLength) does: a prefix is still <= every value it was cut from.
inline constexpr std::size_t kStringStatsPrefix = 32;

// The stats JSON for one file: numRecords, then minValues / maxValues / nullCount for each
// top-level primitive column of `data_fields` that the writer reported. `column_statistics` is
// keyed by DuckDB's quoted column path ("\"ts\"", nested: "\"s\".\"a\""). Bounds this reader
// cannot state exactly or safely (NaN, infinities, BC dates, long strings' max, booleans, binary,
// decimals, nested types) are left out, which readers take as "unknown".
std::string delta_stats_json(std::int64_t num_records, const NestedStringMap& column_statistics,
                             const std::vector<DeltaField>& data_fields);

enum class Rounding { down, up };

// DuckDB's TIMESTAMP WITH TIME ZONE text ("2026-01-01 00:16:39.123456+00", any offset, or none
// for a plain TIMESTAMP) as Delta's stats form "2026-01-01T00:16:39.123Z" (with_zone = false: no
// trailing Z, for timestamp_ntz), rounded to the millisecond in the given direction. nullopt for
// text outside years 0001-9999 or not in that shape (infinity, BC).
std::optional<std::string> delta_timestamp(std::string_view duckdb_text, Rounding rounding,
                                           bool with_zone = true);

// The first `max_chars` UTF-8 characters of `text`; nullopt when `text` is not valid UTF-8.
std::optional<std::string> utf8_prefix(std::string_view text, std::size_t max_chars);
// The number of UTF-8 characters of valid UTF-8 `text`; nullopt when invalid.
std::optional<std::size_t> utf8_length(std::string_view text);

}  // namespace shoplake::lake::parquet_detail
