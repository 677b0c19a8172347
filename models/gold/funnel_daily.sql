-- gold.funnel_daily(event_date, viewers, cart_users, checkout_users, buyers, view_to_cart_rate,
--                   cart_to_checkout_rate, checkout_to_purchase_rate, overall_conversion_rate)
-- inputs: silver.sessions
-- partition: event_date
-- window_days: 0
-- expect: not_null(event_date, viewers, cart_users, checkout_users, buyers)
-- expect: unique(event_date)
-- expect: range(view_to_cart_rate, 0, )
-- expect: range(overall_conversion_rate, 0, )
-- The shop's funnel, view -> add_to_cart -> begin_checkout -> purchase, as distinct users per day
-- at each step. A user may enter a step without the one before (a purchase from a saved cart),
-- so a rate can exceed 1; each is 0 when its step before has no users.
WITH steps AS (
    SELECT
        event_date,
        count(DISTINCT user_id) FILTER (WHERE views > 0) AS viewers,
        count(DISTINCT user_id) FILTER (WHERE carts > 0) AS cart_users,
        count(DISTINCT user_id) FILTER (WHERE checkouts > 0) AS checkout_users,
        count(DISTINCT user_id) FILTER (WHERE purchases > 0) AS buyers
    FROM silver_sessions
    GROUP BY event_date
)
SELECT
    event_date,
    viewers,
    cart_users,
    checkout_users,
    buyers,
    CASE WHEN viewers = 0 THEN 0.0 ELSE cart_users / viewers END AS view_to_cart_rate,
    CASE WHEN cart_users = 0 THEN 0.0 ELSE checkout_users / cart_users END AS cart_to_checkout_rate,
    CASE WHEN checkout_users = 0 THEN 0.0 ELSE buyers / checkout_users END AS checkout_to_purchase_rate,
    CASE WHEN viewers = 0 THEN 0.0 ELSE buyers / viewers END AS overall_conversion_rate
FROM steps
ORDER BY event_date
