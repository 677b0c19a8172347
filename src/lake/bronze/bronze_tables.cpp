#include "bronze_tables.hpp"

#include <fmt/format.h>

#include "shoplake/core/time.hpp"

namespace shoplake::lake {
namespace {

constexpr std::int64_t kMillisPerDay = 86'400'000;

// Column positions, in schema order.
enum EventColumn : std::size_t {
  kEventId,
  kEventType,
  kEventTime,
  kUserId,
  kSessionId,
  kSource,
  kProductId,
  kCategory,
  kPrice,
  kQuantity,
  kOrderId,
  kCurrency,
  kProperties,
  kIngestedAt,
  kEventLogOffset,
  kEventDate,  // the partition: not staged
};
enum RejectionColumn : std::size_t {
  kLine,
  kField,
  kError,
  kRaw,
  kRejectedAt,
  kRejectionLogOffset,
  kRejectionDate,  // the partition: not staged
};

struct ColumnSpec {
  const char* name;
  const char* delta_type;
  duckdb_type staging_type;
  bool nullable;
};

constexpr ColumnSpec kEventColumns[] = {
    {"event_id", "string", DUCKDB_TYPE_VARCHAR, false},
    {"event_type", "string", DUCKDB_TYPE_VARCHAR, false},
    {"event_time", "timestamp", DUCKDB_TYPE_TIMESTAMP_TZ, false},
    {"user_id", "string", DUCKDB_TYPE_VARCHAR, false},
    {"session_id", "string", DUCKDB_TYPE_VARCHAR, true},
    {"source", "string", DUCKDB_TYPE_VARCHAR, true},
    {"product_id", "string", DUCKDB_TYPE_VARCHAR, true},
    {"category", "string", DUCKDB_TYPE_VARCHAR, true},
    {"price", "double", DUCKDB_TYPE_DOUBLE, true},
    {"quantity", "integer", DUCKDB_TYPE_INTEGER, true},
    {"order_id", "string", DUCKDB_TYPE_VARCHAR, true},
    {"currency", "string", DUCKDB_TYPE_VARCHAR, false},
    {"properties", "string", DUCKDB_TYPE_VARCHAR, true},
    {"ingested_at", "timestamp", DUCKDB_TYPE_TIMESTAMP_TZ, false},
    {"log_offset", "long", DUCKDB_TYPE_BIGINT, false},
    {"event_date", "date", DUCKDB_TYPE_DATE, false},
};
constexpr ColumnSpec kRejectionColumns[] = {
    {"line", "long", DUCKDB_TYPE_BIGINT, false},
    {"field", "string", DUCKDB_TYPE_VARCHAR, true},
    {"error", "string", DUCKDB_TYPE_VARCHAR, false},
    {"raw", "string", DUCKDB_TYPE_VARCHAR, false},
    {"rejected_at", "timestamp", DUCKDB_TYPE_TIMESTAMP_TZ, false},
    {"log_offset", "long", DUCKDB_TYPE_BIGINT, false},
    {"event_date", "date", DUCKDB_TYPE_DATE, false},
};

template <std::size_t N>
TableDefinition definition_of(const char* name, const ColumnSpec (&columns)[N]) {
  TableDefinition definition;
  definition.name = name;
  for (const ColumnSpec& column : columns) {
    definition.schema.fields.push_back({column.name, column.delta_type, column.nullable, "{}"});
  }
  definition.partition_columns = {"event_date"};
  return definition;
}

// Every column but the last, the partition.
template <std::size_t N>
std::vector<StagingColumn> staging_of(const ColumnSpec (&columns)[N]) {
  std::vector<StagingColumn> staging;
  for (std::size_t i = 0; i + 1 < N; ++i)
    staging.push_back({columns[i].name, columns[i].staging_type});
  return staging;
}

std::int32_t utc_day_of(std::int64_t ms) {
  const std::int64_t day = ms >= 0 ? ms / kMillisPerDay : (ms - kMillisPerDay + 1) / kMillisPerDay;
  return static_cast<std::int32_t>(day);
}

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, minimum = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, minimum = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, minimum = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// A refused line is stored as received, but Parquet strings must be UTF-8: bytes that are not
// become U+FFFD (the reason column says why the line was refused).
std::string_view as_utf8(std::string_view text, std::string& scratch) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) break;
    i += length;
  }
  if (i == text.size()) return text;
  scratch.assign(text.substr(0, i));
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) {
      scratch += "\xEF\xBF\xBD";
      ++i;
    } else {
      scratch.append(text.substr(i, length));
      i += length;
    }
  }
  return scratch;
}

void set_optional(StagedRows& table, std::size_t column, std::string_view value) {
  if (!value.empty()) table.set_string(column, value);
}

}  // namespace

std::int32_t event_day(const core::EventView& event) {
  return utc_day_of(event.ts_ms);
}
std::int32_t rejection_day(std::int64_t appended_at_ms) {
  return utc_day_of(appended_at_ms);
}

PartitionValues day_partition(std::int32_t day) {
  int year = 0;
  unsigned month = 0;
  unsigned day_of_month = 0;
  core::civil_from_days(day, year, month, day_of_month);
  return {{"event_date", fmt::format("{:04}-{:02}-{:02}", year, month, day_of_month)}};
}

TableDefinition bronze_events_definition() {
  return definition_of("bronze.events", kEventColumns);
}
TableDefinition bronze_rejected_definition() {
  return definition_of("bronze.rejected", kRejectionColumns);
}
std::vector<StagingColumn> bronze_events_staging_columns() {
  return staging_of(kEventColumns);
}
std::vector<StagingColumn> bronze_rejected_staging_columns() {
  return staging_of(kRejectionColumns);
}

void stage_event(StagedRows& table, const core::EventView& event, std::uint64_t offset,
                 std::int64_t appended_at_ms) {
  table.set_string(kEventId, event.event_id);
  table.set_string(kEventType, core::to_string(event.type));
  table.set_timestamp_us(kEventTime, event.ts_ms * 1000);
  table.set_string(kUserId, event.user_id);
  set_optional(table, kSessionId, event.session_id);
  set_optional(table, kSource, event.source);
  if (core::carries_product(event.type)) {
    set_optional(table, kProductId, event.product_id);
    set_optional(table, kCategory, event.category);
    table.set_double(kPrice, event.price);
    table.set_int32(kQuantity, event.quantity);
  }
  set_optional(table, kOrderId, event.order_id);
  table.set_string(kCurrency, event.currency);
  set_optional(table, kProperties, event.properties);
  table.set_timestamp_us(kIngestedAt, appended_at_ms * 1000);
  table.set_int64(kEventLogOffset, static_cast<std::int64_t>(offset));
  table.end_row();
}

void stage_rejection(StagedRows& table, const core::RejectionView& rejection, std::uint64_t offset,
                     std::int64_t appended_at_ms) {
  table.set_int64(kLine, static_cast<std::int64_t>(rejection.line));
  set_optional(table, kField, rejection.field);
  table.set_string(kError, rejection.error);
  std::string scratch;
  table.set_string(kRaw, as_utf8(rejection.raw, scratch));
  table.set_timestamp_us(kRejectedAt, appended_at_ms * 1000);
  table.set_int64(kRejectionLogOffset, static_cast<std::int64_t>(offset));
  table.end_row();
}

}  // namespace shoplake::lake
