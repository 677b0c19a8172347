-- gold.cart_abandonment_daily(event_date, sessions_with_cart, sessions_with_purchase,
--                             abandoned_sessions, abandonment_rate)
-- inputs: silver.sessions
-- partition: event_date
-- window_days: 1
-- expect: not_null(event_date, sessions_with_cart, sessions_with_purchase, abandoned_sessions, abandonment_rate)
-- expect: unique(event_date)
-- expect: range(abandonment_rate, 0, 1)
-- expect: range(abandoned_sessions, 0, )
-- A session belongs to the day it started on, so one crossing midnight is counted once.
-- sessions_with_purchase counts sessions that added to the cart and then bought, so that
-- abandoned_sessions = sessions_with_cart - sessions_with_purchase. Sessions that silver
-- derived for events sent without one count like any other.
-- Only sessions with an add_to_cart count, a few in a hundred: they are found first, and only
-- their rows of silver.sessions are grouped by session, found by session_key (an integer join
-- over the days' rows; see models/silver/sessions.sql). silver.events gives every event a session
-- (derived when it came without one), so none is empty. Every day with events gets a row.
WITH cart_sessions AS (
    SELECT DISTINCT session_key
    FROM silver_sessions
    WHERE carts > 0
),
sessions AS (
    SELECT
        min(event_date) AS event_date,
        bool_or(purchases > 0) AS purchased
    FROM silver_sessions SEMI JOIN cart_sessions USING (session_key)
    GROUP BY session_key
),
daily AS (
    SELECT
        days.event_date,
        count(sessions.event_date) AS sessions_with_cart,
        count(sessions.event_date) FILTER (WHERE sessions.purchased) AS sessions_with_purchase
    FROM (SELECT DISTINCT event_date FROM silver_sessions) AS days
    LEFT JOIN sessions USING (event_date)
    GROUP BY days.event_date
)
SELECT
    event_date,
    sessions_with_cart,
    sessions_with_purchase,
    sessions_with_cart - sessions_with_purchase AS abandoned_sessions,
    CASE
        WHEN sessions_with_cart = 0 THEN 0.0
        ELSE (sessions_with_cart - sessions_with_purchase) / sessions_with_cart
    END AS abandonment_rate
FROM daily
ORDER BY event_date
