#include "live_tables.hpp"

#include <cstdint>
#include <string>

namespace shoplake::stream {
namespace {

sql::ResultChunk chunk_of(std::size_t column_count) {
  sql::ResultChunk chunk;
  chunk.columns.resize(column_count);
  return chunk;
}

std::int64_t seconds_of(std::int64_t ms) {
  return ms / core::kMillisPerSecond;
}

std::int64_t signed_count(std::uint64_t count) {
  return static_cast<std::int64_t>(count);
}

sql::ResultChunk events_per_minute(const MinuteAggregator& aggregator, MinuteRange range) {
  auto chunk = chunk_of(3);
  aggregator.visit_minutes(
      [&](const MinuteTotals& minute) {
        for (std::size_t type = 0; type < core::kEventTypeCount; ++type) {
          if (minute.events_by_type[type] == 0) continue;
          chunk.columns[0].i64.push_back(seconds_of(minute.minute_ms));
          chunk.columns[1].u64.push_back(type);
          chunk.columns[2].i64.push_back(signed_count(minute.events_by_type[type]));
          ++chunk.rows;
        }
      },
      range);
  return chunk;
}

sql::ResultChunk revenue_per_minute(const MinuteAggregator& aggregator, MinuteRange range) {
  auto chunk = chunk_of(4);
  aggregator.visit_minutes(
      [&](const MinuteTotals& minute) {
        chunk.columns[0].i64.push_back(seconds_of(minute.minute_ms));
        chunk.columns[1].f64.push_back(minute.revenue);
        chunk.columns[2].i64.push_back(signed_count(minute.purchases));
        chunk.columns[3].i64.push_back(signed_count(minute.orders));
        ++chunk.rows;
      },
      range);
  return chunk;
}

sql::ResultChunk category_velocity(const MinuteAggregator& aggregator, MinuteRange range) {
  auto chunk = chunk_of(4);
  aggregator.visit_categories(
      [&](const CategoryMinute& cell) {
        chunk.columns[0].i64.push_back(seconds_of(cell.minute_ms));
        chunk.columns[1].str.emplace_back(cell.category);
        chunk.columns[2].i64.push_back(signed_count(cell.units_sold));
        chunk.columns[3].f64.push_back(cell.revenue);
        ++chunk.rows;
      },
      range);
  return chunk;
}

sql::ResultChunk kpis_today(const MinuteAggregator& aggregator) {
  auto chunk = chunk_of(14);
  const DayKpis day = aggregator.today();
  if (day.events == 0) return chunk;
  auto& c = chunk.columns;
  c[0].i64.push_back(day.local_day);
  c[1].i64.push_back(signed_count(day.active_users));
  c[2].i64.push_back(signed_count(day.buyers));
  c[3].f64.push_back(day.conversion_rate());
  c[4].f64.push_back(day.revenue);
  c[5].i64.push_back(signed_count(day.orders));
  c[6].i64.push_back(signed_count(day.purchases));
  c[7].f64.push_back(day.average_order_value());
  c[8].i64.push_back(signed_count(day.sessions_with_cart));
  c[9].i64.push_back(signed_count(day.sessions_with_purchase));
  c[10].i64.push_back(signed_count(day.abandoned_sessions()));
  c[11].f64.push_back(day.abandonment_rate());
  c[12].i64.push_back(signed_count(day.events));
  c[13].i64.push_back(day.last_event_ms);
  chunk.rows = 1;
  return chunk;
}

}  // namespace

sql::ResultChunk scan_live_table(std::string_view name, const MinuteAggregator& aggregator,
                                 MinuteRange range) {
  if (name == "events_per_minute") return events_per_minute(aggregator, range);
  if (name == "revenue_per_minute") return revenue_per_minute(aggregator, range);
  if (name == "category_velocity") return category_velocity(aggregator, range);
  if (name == "kpis_today") return kpis_today(aggregator);
  return {};
}

}  // namespace shoplake::stream
