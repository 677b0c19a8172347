-- gold.category_sales_daily(event_date, category, units_sold, category_revenue)
-- Input relation: silver_events (silver.events: the event contract's columns, ts as a UTC
-- TIMESTAMP, plus event_date = the UTC date of ts). DuckDB SQL.
-- Purchased product lines only; a category without sales that day has no row.
SELECT
    event_date,
    category,
    CAST(sum(quantity) AS BIGINT) AS units_sold,
    round(sum(price * quantity), 2) AS category_revenue
FROM silver_events
WHERE event_type = 'purchase'
GROUP BY event_date, category
ORDER BY event_date, category
