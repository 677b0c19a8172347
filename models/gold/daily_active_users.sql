-- gold.daily_active_users(event_date, dau_count)
-- inputs: silver.sessions
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, dau_count)
-- expect: unique(event_date)
-- expect: range(dau_count, 1, )
-- A user is active on a day when any event of theirs has that event_date: a session of theirs
-- has a row in silver.sessions for it.
SELECT
    event_date,
    count(DISTINCT user_id) AS dau_count
FROM silver_sessions
GROUP BY event_date
ORDER BY event_date
