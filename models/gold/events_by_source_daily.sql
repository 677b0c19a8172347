-- gold.events_by_source_daily(event_date, source, event_count)
-- inputs: silver.events
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, source, event_count)
-- expect: unique(event_date, source)
-- expect: range(event_count, 1, )
-- expect warn: accepted_values(source, web, mobile, unknown)
-- An event sent without a source is counted under 'unknown'.
SELECT
    event_date,
    coalesce(nullif(source, ''), 'unknown') AS source,
    count(*) AS event_count
FROM silver_events
GROUP BY event_date, coalesce(nullif(source, ''), 'unknown')
ORDER BY event_date, source
