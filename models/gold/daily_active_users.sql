-- gold.daily_active_users(event_date, dau_count)
-- Input relation: silver_events (silver.events: the event contract's columns, ts as a UTC
-- TIMESTAMP, plus event_date = the UTC date of ts). DuckDB SQL.
-- A user is active on a day when any event of theirs has that event_date.
SELECT
    event_date,
    count(DISTINCT user_id) AS dau_count
FROM silver_events
GROUP BY event_date
ORDER BY event_date
