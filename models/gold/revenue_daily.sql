-- gold.revenue_daily(event_date, total_revenue, total_purchases, avg_order_value)
-- inputs: silver.sessions, silver.purchases
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, total_revenue, total_purchases, avg_order_value)
-- expect: unique(event_date)
-- expect: range(total_revenue, 0, )
-- expect warn: range(avg_order_value, 0, 10000)
-- A purchase of several products is several purchase events sharing one order_id, so
-- total_purchases counts orders (distinct order_id) and avg_order_value is revenue per order.
-- Every day with events gets a row, a day without purchases with zeros: the days are those of
-- silver.sessions (every event has a session), the money that of silver.purchases. Money is
-- rounded to cents once, here, so that every reader adds up the same numbers.
WITH daily AS (
    SELECT
        days.event_date,
        coalesce(sum(price * quantity), 0) AS revenue,
        count(DISTINCT order_id) AS orders
    FROM (SELECT DISTINCT event_date FROM silver_sessions) AS days
    LEFT JOIN silver_purchases USING (event_date)
    GROUP BY days.event_date
)
SELECT
    event_date,
    round(revenue, 2) AS total_revenue,
    orders AS total_purchases,
    CASE WHEN orders = 0 THEN 0.0 ELSE round(revenue / orders, 2) END AS avg_order_value
FROM daily
ORDER BY event_date
