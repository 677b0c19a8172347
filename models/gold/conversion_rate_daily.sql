-- gold.conversion_rate_daily(event_date, dau_count, unique_buyers, conversion_rate)
-- inputs: gold.daily_active_users, silver.purchases
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, dau_count, unique_buyers, conversion_rate)
-- expect: unique(event_date)
-- expect: range(conversion_rate, 0, 1)
-- conversion_rate is a fraction (buyers / active users), as in the original; dashboards show it
-- times 100. The active users are gold.daily_active_users' (a row a day), the buyers the distinct
-- users of silver.purchases: counting them again from a day of sessions cost ten times as much.
SELECT
    dau.event_date,
    dau.dau_count,
    coalesce(buyers.unique_buyers, 0) AS unique_buyers,
    CASE
        WHEN dau.dau_count = 0 THEN 0.0
        ELSE coalesce(buyers.unique_buyers, 0) / dau.dau_count
    END AS conversion_rate
FROM gold_daily_active_users AS dau
LEFT JOIN (
    SELECT event_date, count(DISTINCT user_id) AS unique_buyers
    FROM silver_purchases
    GROUP BY event_date
) AS buyers USING (event_date)
ORDER BY event_date
