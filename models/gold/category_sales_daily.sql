-- gold.category_sales_daily(event_date, category, units_sold, category_revenue)
-- inputs: silver.purchases
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, category, units_sold, category_revenue)
-- expect: unique(event_date, category)
-- expect: range(units_sold, 0, )
-- expect: range(category_revenue, 0, )
-- Purchased product lines only; a category without sales that day has no row.
SELECT
    event_date,
    category,
    CAST(sum(quantity) AS BIGINT) AS units_sold,
    round(sum(price * quantity), 2) AS category_revenue
FROM silver_purchases
GROUP BY event_date, category
ORDER BY event_date, category
