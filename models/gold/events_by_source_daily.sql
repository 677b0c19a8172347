-- gold.events_by_source_daily(event_date, source, event_count)
-- inputs: silver.sessions
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, source, event_count)
-- expect: unique(event_date, source)
-- expect: range(event_count, 1, )
-- expect warn: accepted_values(source, web, mobile, unknown)
-- An event sent without a source is counted under 'unknown' (silver.sessions normalizes it).
SELECT
    event_date,
    source,
    CAST(sum(events) AS BIGINT) AS event_count
FROM silver_sessions
GROUP BY event_date, source
ORDER BY event_date, source
