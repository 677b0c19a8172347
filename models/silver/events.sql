-- silver.events: bronze.events typed, normalized, deduplicated and sessionized; the events that
-- fail a semantic check go to silver.rejected with the rule they failed (rejected_rule).
-- inputs: bronze.events
-- partition: event_date
-- window_days: 1
-- rejected: silver.rejected
-- expect: not_null(event_id, event_type, event_time, user_id, session_id, currency, event_date)
-- expect: unique(event_id)
-- expect: accepted_values(event_type, login, logout, view, search, add_to_cart, remove_from_cart, begin_checkout, purchase)
-- expect: range(price, 0, 100000)
-- expect: range(quantity, 1, 1000)
--
-- Decisions (docs/PIPELINE.md):
-- - A duplicate is a second row with the same event_id within the window (the day before and
--   after): the first to arrive (lowest log_offset) wins. Retries resend the same event, with the
--   same ts, so its copies fall on one day.
-- - Enumerations are lower-cased and trimmed (source, category; an empty one becomes NULL), the
--   currency upper-cased.
-- - Events sent without a session get one derived per user: 30 minutes without an event of that
--   user ends it; its id is 'derived:<user_id>:<epoch ms of its first event>', the same whichever
--   day is recomputed (window_days covers a session across midnight).
-- - Semantic rules, beyond what the collector validated: the first that fails names the row's
--   rejected_rule.
WITH arrivals AS (
    SELECT *
    FROM bronze_events
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY log_offset) = 1
),
normalized AS (
    SELECT
        event_id,
        lower(trim(event_type)) AS event_type,
        event_time,
        user_id,
        nullif(trim(session_id), '') AS session_id,
        nullif(lower(trim(source)), '') AS source,
        product_id,
        nullif(lower(trim(category)), '') AS category,
        price,
        quantity,
        nullif(order_id, '') AS order_id,
        upper(coalesce(nullif(trim(currency), ''), 'USD')) AS currency,
        properties,
        ingested_at,
        log_offset,
        CASE
            WHEN price > 100000 THEN 'price_above_100000'
            WHEN quantity > 1000 THEN 'quantity_above_1000'
            WHEN event_time > ingested_at + INTERVAL 5 MINUTE THEN 'event_time_after_arrival'
        END AS rejected_rule
    FROM arrivals
),
sessionless AS (
    SELECT
        event_id,
        user_id,
        event_time,
        CASE
            WHEN lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time, event_id) IS NULL
                OR event_time - lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time, event_id)
                    > INTERVAL 30 MINUTE
            THEN 1 ELSE 0
        END AS starts_session
    FROM normalized
    WHERE session_id IS NULL AND rejected_rule IS NULL
),
derived AS (
    SELECT
        event_id,
        'derived:' || user_id || ':' || epoch_ms(
            first_value(event_time) OVER (PARTITION BY user_id, session_number ORDER BY event_time, event_id)
        ) AS session_id
    FROM (
        SELECT
            *,
            sum(starts_session) OVER (PARTITION BY user_id ORDER BY event_time, event_id) AS session_number
        FROM sessionless
    )
)
SELECT
    n.event_id,
    n.event_type,
    n.event_time,
    n.user_id,
    coalesce(n.session_id, d.session_id) AS session_id,
    d.session_id IS NOT NULL AS session_derived,
    n.source,
    n.product_id,
    n.category,
    n.price,
    n.quantity,
    n.order_id,
    n.currency,
    n.properties,
    n.ingested_at,
    n.log_offset,
    CAST(timezone('UTC', n.event_time) AS DATE) AS event_date,
    n.rejected_rule
FROM normalized AS n
LEFT JOIN derived AS d USING (event_id)
