#include "mirror_table.hpp"

#include <fmt/format.h>

#include <charconv>
#include <memory>

#include "clickhouse_http.hpp"

namespace shoplake::sql::exporter {
namespace {

// The ClickHouse type a source column travels as.
ColumnType target_type(const ColumnType& source, const ServerFeatures& features) {
  ColumnType target = source;
  switch (source.storage) {
    case Storage::datetime64:
      // 18.16 has no DateTime64 and rejects a fractional DateTime; whole seconds lose only what
      // minute and day buckets never had.
      if (!features.datetime64) {
        target.storage = Storage::datetime;
        target.clickhouse_name = "DateTime";
        target.scale = 0;
      }
      break;
    case Storage::string:
      // UUID, Int128, TIME, intervals …: shoplake holds them as text, and not every server has
      // the exact type, so they arrive as the text users see from shoplake.
      target.clickhouse_name = "String";
      break;
    case Storage::array: {
      ColumnType element = source.element ? target_type(*source.element, features) : ColumnType{};
      if (!source.element) element.clickhouse_name = "String";
      target.clickhouse_name = "Array(" + element.clickhouse_name + ")";
      target.element = std::make_shared<const ColumnType>(std::move(element));
      break;
    }
    default:
      break;
  }
  return target;
}

// The rule for keys: a table's dimensions are its dates, times and strings; its measures are
// numbers (booleans and decimals included) and arrays. Every shoplake serving table is keyed by
// its dimensions, e.g. realtime.events_per_minute(minute, event_type) and
// gold.category_sales_daily(event_date, category), so ReplacingMergeTree on them keeps exactly one
// row per source row.
bool is_dimension(const ColumnType& source) {
  switch (source.storage) {
    case Storage::date:
    case Storage::datetime:
    case Storage::datetime64:
      return true;
    case Storage::string:
      return source.clickhouse_name == "String" || source.clickhouse_name == "UUID";
    default:
      return false;
  }
}

std::int64_t floor_divide(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor < 0) ? quotient - 1 : quotient;
}

void convert_column(const ColumnType& from, const ColumnType& to, ColumnData& data) {
  if (from.storage == Storage::datetime64 && to.storage == Storage::datetime) {
    std::int64_t divisor = 1;
    for (int i = 0; i < from.scale; ++i) divisor *= 10;
    for (auto& value : data.i64) value = floor_divide(value, divisor);
  } else if (from.storage == Storage::array && from.element && to.element && data.element) {
    convert_column(*from.element, *to.element, *data.element);
  }
}

}  // namespace

ServerFeatures ServerFeatures::of_version(const std::string& version) {
  int major = 0;
  std::from_chars(version.data(), version.data() + version.size(), major);
  ServerFeatures features;
  features.datetime64 = major >= 20;
  return features;
}

std::string MirrorTable::qualified_name() const {
  return quote_clickhouse_identifier(database) + "." + quote_clickhouse_identifier(table);
}

std::string MirrorTable::create_sql() const {
  std::string columns_sql;
  for (const auto& column : columns) {
    columns_sql += fmt::format("{} {}, ", quote_clickhouse_identifier(column.name),
                               column.type.clickhouse_name);
  }
  const std::string version = quote_clickhouse_identifier(kVersionColumn);
  std::string order_by;
  for (std::size_t index : key) {
    order_by += (order_by.empty() ? "" : ", ") + quote_clickhouse_identifier(columns[index].name);
  }
  // No dimension at all (a one-row snapshot such as today's KPIs): tuple() keeps one row.
  order_by = order_by.empty() ? "tuple()" : "(" + order_by + ")";
  // The MergeTree syntax with ORDER BY exists since 1.1.54310, so 18.16 and every later server
  // read it; no PARTITION BY: the tables are small and a single partition merges best.
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} ({}{} UInt64) ENGINE = ReplacingMergeTree({}) ORDER BY {}",
      qualified_name(), columns_sql, version, version, order_by);
}

std::string MirrorTable::column_list() const {
  std::string list;
  for (const auto& column : columns) {
    list += fmt::format("{}\t{}\n", column.name, column.type.clickhouse_name);
  }
  return list + fmt::format("{}\tUInt64\n", kVersionColumn);
}

core::Result<MirrorTable> mirror_table(const std::string& database, const std::string& table,
                                       const std::vector<ColumnInfo>& source,
                                       const ServerFeatures& features) {
  MirrorTable mirror{database, table, {}, {}};
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i].name == kVersionColumn) {
      return core::Error{
          fmt::format("{}.{} has a column named {}, which the export keeps for "
                      "itself",
                      database, table, kVersionColumn)};
    }
    ColumnInfo column{source[i].name, target_type(source[i].type, features)};
    if (is_dimension(source[i].type)) {
      mirror.key.push_back(i);
    } else if (column.type.storage != Storage::array) {
      // Nullable only for measures, because it must: shoplake's columns do not say whether they
      // hold NULLs (Parquet's all may), and a NULL sent to a plain column fails the whole batch.
      // Keys cannot be Nullable (a ClickHouse sorting key never is); Array cannot be either.
      column.type.clickhouse_name = "Nullable(" + column.type.clickhouse_name + ")";
    }
    mirror.columns.push_back(std::move(column));
  }
  return mirror;
}

void convert_chunk(const std::vector<ColumnInfo>& source, const MirrorTable& mirror,
                   ResultChunk& chunk) {
  for (std::size_t i = 0; i < source.size() && i < chunk.columns.size(); ++i) {
    convert_column(source[i].type, mirror.columns[i].type, chunk.columns[i]);
  }
}

}  // namespace shoplake::sql::exporter
