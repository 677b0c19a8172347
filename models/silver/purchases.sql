-- silver.purchases(event_date, event_id, event_time, user_id, session_id, product_id, category,
--                  price, quantity, order_id, currency): the purchase events of silver.events.
-- inputs: silver.events
-- partition: event_date
-- window_days: 0
-- append: event_date
-- expect: not_null(event_date, event_id, event_time, price, quantity)
-- expect: unique(event_id)
-- The gold tables of money read this instead of the events. Purchases are a few hundred of a
-- day's million events, and Parquet cannot skip the others: a scan of the day for event_type
-- 'purchase' decodes every row of every column it reads.
-- Runs append (append:). When silver.events only gained rows, silver_events holds just those,
-- whose purchases are added; silver holds each event once, so none is added twice. A day
-- recomputed (a backfill, a full refresh, silver's days recomputed) is written again whole.
SELECT
    event_date,
    event_id,
    event_time,
    user_id,
    session_id,
    product_id,
    category,
    price,
    quantity,
    order_id,
    currency,
    false AS needs_recompute
FROM silver_events
WHERE event_type = 'purchase'
