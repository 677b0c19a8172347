#include "shoplake/sql/contract_tables.hpp"

namespace shoplake::sql {

const std::vector<ContractTable>& contract_tables() {
  using T = TableColumnType;
  // Counts are Int64 (what DuckDB's count() gives the batch models), money Float64, event-time
  // minutes DateTime. realtime.alerts, bronze.* and silver.* are defined by the components that
  // fill them.
  static const std::vector<ContractTable> tables = {
      {"realtime",
       "events_per_minute",
       {{"minute", T::timestamp_s}, {"event_type", T::event_type}, {"event_count", T::int64}}},
      {"realtime",
       "revenue_per_minute",
       {{"minute", T::timestamp_s},
        {"revenue", T::float64},
        {"purchases", T::int64},
        {"orders", T::int64}}},
      {"realtime",
       "category_velocity",
       {{"minute", T::timestamp_s},
        {"category", T::string},
        {"units_sold", T::int64},
        {"revenue", T::float64}}},
      // The local day so far, in the configured time zone: one row. Rates are fractions, as in
      // gold.
      {"realtime",
       "kpis_today",
       {{"day", T::date},
        {"dau_count", T::int64},
        {"unique_buyers", T::int64},
        {"conversion_rate", T::float64},
        {"revenue", T::float64},
        {"orders", T::int64},
        {"purchases", T::int64},
        {"avg_order_value", T::float64},
        {"sessions_with_cart", T::int64},
        {"sessions_with_purchase", T::int64},
        {"abandoned_sessions", T::int64},
        {"abandonment_rate", T::float64},
        {"events", T::int64},
        {"last_event_at", T::timestamp_ms}}},
      {"gold", "daily_active_users", {{"event_date", T::date}, {"dau_count", T::int64}}},
      {"gold",
       "revenue_daily",
       {{"event_date", T::date},
        {"total_revenue", T::float64},
        {"total_purchases", T::int64},
        {"avg_order_value", T::float64}}},
      {"gold",
       "conversion_rate_daily",
       {{"event_date", T::date},
        {"dau_count", T::int64},
        {"unique_buyers", T::int64},
        {"conversion_rate", T::float64}}},
      {"gold",
       "category_sales_daily",
       {{"event_date", T::date},
        {"category", T::string},
        {"units_sold", T::int64},
        {"category_revenue", T::float64}}},
      {"gold",
       "cart_abandonment_daily",
       {{"event_date", T::date},
        {"sessions_with_cart", T::int64},
        {"sessions_with_purchase", T::int64},
        {"abandoned_sessions", T::int64},
        {"abandonment_rate", T::float64}}},
      {"gold",
       "events_by_source_daily",
       {{"event_date", T::date}, {"source", T::string}, {"event_count", T::int64}}},
  };
  return tables;
}

core::Status publish_empty_contract_tables(Catalog& catalog) {
  for (const ContractTable& table : contract_tables()) {
    if (auto published =
            catalog.publish_parquet_snapshot(table.schema, table.name, table.columns, {});
        !published) {
      return published;
    }
  }
  return core::ok_status();
}

}  // namespace shoplake::sql
