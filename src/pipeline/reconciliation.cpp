#include "shoplake/pipeline/reconciliation.hpp"

#include <fmt/format.h>

#include <cmath>

#include "shoplake/core/time.hpp"

namespace shoplake::pipeline {
namespace {

// The value of a numeric column at `row`, whatever its storage; NULL reads as NaN.
double number_at(const sql::ColumnData& column, const sql::ColumnInfo& info, std::size_t row) {
  if (!column.null.empty() && column.null[row] != 0) return std::nan("");
  switch (info.type.storage) {
    case sql::Storage::int64:
      return static_cast<double>(column.i64[row]);
    case sql::Storage::uint64:
      return static_cast<double>(column.u64[row]);
    case sql::Storage::float32:
    case sql::Storage::float64:
      return column.f64[row];
    case sql::Storage::decimal:
      return std::stod(column.str[row]);
    default:
      return std::nan("");
  }
}

}  // namespace

double drift_of(double gold, double realtime) {
  return std::fabs(gold - realtime) / std::max(std::fabs(gold), 1.0);
}

Reconciler engine_reconciler(sql::Engine& engine, ReconciliationOptions options) {
  return [&engine, options](const std::string& run_id, const std::vector<std::string>& dates)
             -> core::Result<std::vector<ReconciliationRow>> {
    std::vector<ReconciliationRow> rows;
    if (dates.empty()) return rows;
    std::vector<std::string> literals;
    for (const auto& date : dates) literals.push_back(fmt::format("DATE '{}'", date));
    const std::string in_list = fmt::format("{}", fmt::join(literals, ", "));
    // One row per day both layers have: gold's figures, then the realtime ones.
    sql::QueryRequest request;
    request.sql = fmt::format(
        "WITH gold_days AS ("
        "  SELECT r.event_date, coalesce(e.events, 0) AS events, r.total_revenue AS revenue,"
        "         r.total_purchases AS orders"
        "  FROM gold.revenue_daily AS r"
        "  LEFT JOIN (SELECT event_date, sum(event_count) AS events"
        "             FROM gold.events_by_source_daily GROUP BY event_date) AS e USING (event_date)"
        "  WHERE r.event_date IN ({0})),"
        " realtime_events AS ("
        "  SELECT CAST(minute AS DATE) AS event_date, sum(event_count) AS events"
        "  FROM realtime.events_per_minute WHERE CAST(minute AS DATE) IN ({0}) GROUP BY 1),"
        " realtime_revenue AS ("
        "  SELECT CAST(minute AS DATE) AS event_date, sum(revenue) AS revenue, sum(orders) AS "
        "orders"
        "  FROM realtime.revenue_per_minute WHERE CAST(minute AS DATE) IN ({0}) GROUP BY 1)"
        " SELECT CAST(g.event_date AS VARCHAR) AS event_date,"
        "        g.events, CAST(re.events AS DOUBLE), g.revenue,"
        "        CAST(coalesce(rr.revenue, 0) AS DOUBLE), g.orders,"
        "        CAST(coalesce(rr.orders, 0) AS DOUBLE)"
        " FROM gold_days AS g JOIN realtime_events AS re USING (event_date)"
        " LEFT JOIN realtime_revenue AS rr USING (event_date)"
        " ORDER BY g.event_date",
        in_list);
    auto answer = engine.query(request);
    if (const auto* error = std::get_if<sql::QueryError>(&answer)) {
      return core::Error{"comparing gold with realtime: " + error->message};
    }
    auto& stream = *std::get<std::unique_ptr<sql::ResultStream>>(answer);
    const auto& columns = stream.columns();
    const std::int64_t now = core::now_ms();
    while (true) {
      sql::ResultChunk chunk;
      auto more = stream.next(chunk);
      if (const auto* error = std::get_if<sql::QueryError>(&more)) {
        return core::Error{"comparing gold with realtime: " + error->message};
      }
      if (!std::get<bool>(more)) break;
      for (std::size_t row = 0; row < chunk.rows; ++row) {
        const std::string date = chunk.columns[0].str[row];
        const char* kpis[] = {"events", "revenue", "orders"};
        for (std::size_t k = 0; k < 3; ++k) {
          ReconciliationRow reconciled;
          reconciled.run_id = run_id;
          reconciled.event_date = date;
          reconciled.kpi = kpis[k];
          reconciled.gold = number_at(chunk.columns[1 + 2 * k], columns[1 + 2 * k], row);
          reconciled.realtime = number_at(chunk.columns[2 + 2 * k], columns[2 + 2 * k], row);
          if (std::isnan(reconciled.gold) || std::isnan(reconciled.realtime)) continue;
          reconciled.drift = drift_of(reconciled.gold, reconciled.realtime);
          reconciled.alerted = reconciled.drift > options.drift_threshold;
          reconciled.checked_ms = now;
          rows.push_back(std::move(reconciled));
        }
      }
    }
    return rows;
  };
}

}  // namespace shoplake::pipeline
