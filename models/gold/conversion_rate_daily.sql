-- gold.conversion_rate_daily(event_date, dau_count, unique_buyers, conversion_rate)
-- inputs: silver.sessions
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, dau_count, unique_buyers, conversion_rate)
-- expect: unique(event_date)
-- expect: range(conversion_rate, 0, 1)
-- conversion_rate is a fraction (buyers / active users), as in the original; dashboards show it
-- times 100.
WITH daily AS (
    SELECT
        event_date,
        count(DISTINCT user_id) AS dau_count,
        count(DISTINCT user_id) FILTER (WHERE purchases > 0) AS unique_buyers
    FROM silver_sessions
    GROUP BY event_date
)
SELECT
    event_date,
    dau_count,
    unique_buyers,
    CASE WHEN dau_count = 0 THEN 0.0 ELSE unique_buyers / dau_count END AS conversion_rate
FROM daily
ORDER BY event_date
