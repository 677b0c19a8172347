-- The overview dashboard: the original platform's eight Grafana panels, as ClickHouse SQL over
-- the contract tables (docs/DESIGN.md). shoplake serves them on its ClickHouse HTTP interface and
-- any ClickHouse (18.16 and later) runs them unchanged, so only functions both know are used.
-- Everything is UTC. Windows: gold panels show the last 30 days (today included), real-time
-- panels the last 6 hours or today, at one-minute resolution.
--
-- Layout, read by `shoplake bench query` and later the web UI: each panel is a line
--   -- panel <n> <name>: <title>
-- followed by one query that ends with ';' on its own line. Other comment lines are notes.
-- Results are ordered completely (ties broken) and money rounded to cents, so that two engines
-- return the same rows byte for byte. No alias repeats a column name: ClickHouse's aliases are
-- visible everywhere in the query, so `sum(revenue) AS revenue` would refer to itself.

-- panel 1 daily_active_users: Daily Active Users (stat)
-- The latest day's distinct users, as the stat shows it.
SELECT event_date, dau_count
FROM gold.daily_active_users
WHERE event_date >= today() - 29
ORDER BY event_date DESC
LIMIT 1
;

-- panel 2 conversion_rate: Conversion Rate (time series, percent)
SELECT event_date, unique_buyers, dau_count, round(conversion_rate * 100, 2) AS conversion_pct
FROM gold.conversion_rate_daily
WHERE event_date >= today() - 29
ORDER BY event_date
;

-- panel 3 revenue_today: Total Revenue Today (stat with sparkline)
-- One point per hour since midnight; the stat shows their total, the sparkline the points.
SELECT toStartOfHour(minute) AS t, round(sum(revenue), 2) AS total_revenue
FROM realtime.revenue_per_minute
WHERE minute >= toStartOfDay(now())
GROUP BY t
ORDER BY t
;

-- panel 4 total_events: Total Events (stat)
-- Events of every type over the last 30 days, and the share that came from each source.
SELECT sum(event_count) AS total_events, sumIf(event_count, source = 'web') AS web_events,
       sumIf(event_count, source = 'mobile') AS mobile_events
FROM gold.events_by_source_daily
WHERE event_date >= today() - 29
;

-- panel 5 event_stream: Real-Time Event Stream (time series by event type)
SELECT toStartOfMinute(minute) AS t, event_type, sum(event_count) AS events
FROM realtime.events_per_minute
WHERE minute >= now() - INTERVAL 6 HOUR
GROUP BY t, event_type
ORDER BY t, event_type
;

-- panel 6 revenue_per_minute: Revenue Per Minute (real-time time series)
SELECT toStartOfMinute(minute) AS t, round(sum(revenue), 2) AS minute_revenue,
       sum(purchases) AS total_purchases, sum(orders) AS total_orders
FROM realtime.revenue_per_minute
WHERE minute >= now() - INTERVAL 6 HOUR
GROUP BY t
ORDER BY t
;

-- panel 7 revenue_by_category: Revenue by Category (pie, 8 categories, last 30 days)
SELECT category, round(sum(category_revenue), 2) AS revenue
FROM gold.category_sales_daily
WHERE event_date >= today() - 29
GROUP BY category
ORDER BY revenue DESC, category
;

-- panel 8 top_categories: Top Categories by units sold (bar, real time, last 7 days)
SELECT category, sum(units_sold) AS units, round(sum(revenue), 2) AS category_revenue
FROM realtime.category_velocity
WHERE minute >= now() - INTERVAL 7 DAY
GROUP BY category
ORDER BY units DESC, category
LIMIT 8
;
