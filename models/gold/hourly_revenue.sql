-- gold.hourly_revenue(event_date, hour, revenue, orders, units_sold)
-- inputs: silver.purchases
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, hour, revenue, orders, units_sold)
-- expect: unique(event_date, hour)
-- expect: range(hour, 0, 23)
-- expect: range(revenue, 0, )
-- Purchases per UTC hour of the day (0-23); an hour without purchases has no row. An order whose
-- lines fall in two hours counts in both, so the hours' orders may add up to more than the
-- day's total_purchases.
SELECT
    event_date,
    utc_hour(event_time) AS hour,
    round(sum(price * quantity), 2) AS revenue,
    count(DISTINCT order_id) AS orders,
    CAST(sum(quantity) AS BIGINT) AS units_sold
FROM silver_purchases
GROUP BY ALL
ORDER BY event_date, hour
