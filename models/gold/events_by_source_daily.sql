-- gold.events_by_source_daily(event_date, source, event_count)
-- Input relation: silver_events (silver.events: the event contract's columns, ts as a UTC
-- TIMESTAMP, plus event_date = the UTC date of ts). DuckDB SQL.
-- An event sent without a source is counted under 'unknown'.
SELECT
    event_date,
    coalesce(nullif(source, ''), 'unknown') AS source,
    count(*) AS event_count
FROM silver_events
GROUP BY event_date, coalesce(nullif(source, ''), 'unknown')
ORDER BY event_date, source
