-- gold.revenue_daily(event_date, total_revenue, total_purchases, avg_order_value)
-- Input relation: silver_events (silver.events: the event contract's columns, ts as a UTC
-- TIMESTAMP, plus event_date = the UTC date of ts). DuckDB SQL.
-- A purchase of several products is several purchase events sharing one order_id, so
-- total_purchases counts orders (distinct order_id) and avg_order_value is revenue per order.
-- Every day with events gets a row, a day without purchases with zeros. Money is rounded to
-- cents once, here, so that every reader adds up the same numbers.
WITH daily AS (
    SELECT
        event_date,
        coalesce(sum(price * quantity) FILTER (WHERE event_type = 'purchase'), 0) AS revenue,
        count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase') AS orders
    FROM silver_events
    GROUP BY event_date
)
SELECT
    event_date,
    round(revenue, 2) AS total_revenue,
    orders AS total_purchases,
    CASE WHEN orders = 0 THEN 0.0 ELSE round(revenue / orders, 2) END AS avg_order_value
FROM daily
ORDER BY event_date
