-- silver.events: bronze.events typed, normalized, deduplicated and sessionized; the events that
-- fail a semantic check go to silver.rejected with the rule they failed (rejected_rule).
-- inputs: bronze.events
-- partition: event_date
-- window_days: 1
-- spread_days: 0
-- rejected: silver.rejected
-- append: event_date, event_id, user_id, event_time, session_id, session_derived
-- expect: not_null(event_id, event_type, event_time, user_id, session_id, currency, event_date)
-- expect: unique(event_id)
-- expect: accepted_values(event_type, login, logout, view, search, add_to_cart, remove_from_cart, begin_checkout, purchase)
-- expect: range(price, 0, 100000)
-- expect: range(quantity, 1, 1000)
--
-- Decisions (docs/PIPELINE.md):
-- - Runs append (append:): when bronze only gained rows since the last run, bronze_events holds
--   just those rows, and this query keeps the ones silver does not hold yet (previous_output:
--   what silver and silver.rejected hold for the days around). A recompute of the days (a
--   backfill, a full refresh, bronze compacted in between) reads bronze for the days around
--   instead, with previous_output empty. Both give the same rows.
-- - A duplicate is a second row with the same event_id on the same event date: the first to
--   arrive (lowest log_offset) wins. Retries resend the same event, with the same ts, so its
--   copies fall on one day.
-- - Enumerations are lower-cased and trimmed (source, category; an empty one becomes NULL), the
--   currency upper-cased.
-- - Events sent without a session get one derived per user: 30 minutes without an event of that
--   user ends it; its id is 'derived:<user_id>:<epoch ms of its first event>', the same whichever
--   day is recomputed (window_days covers a session across midnight). Every sessionless event
--   counts as activity, a rejected one too. A change to bronze day D recomputes day D alone
--   (spread_days: 0); the one effect it can have on a neighbouring day, a late event without a
--   session changing where a derived session across midnight ends, waits for that day's next
--   change or a backfill.
-- - An appended event without a session continues the latest derived session silver holds for
--   its user (within 30 minutes) or starts one. One earlier than that latest event would change
--   sessions already written, so it sets needs_recompute and its days are recomputed.
-- - Semantic rules, beyond what the collector validated: the first that fails names the row's
--   rejected_rule.
WITH keyed AS NOT MATERIALIZED (
    SELECT *, hash(event_id) AS event_key
    FROM bronze_events
    WHERE in_model_days(event_date)
),
-- Almost every event arrives once: only the few ids whose hash repeats on a day go through the
-- costly exact deduplication (a hash collision costs a comparison, never an event). A key that
-- equals its neighbour in the day's sorted keys repeats: sorting 10 M keys took 0.6 s where
-- grouping them took 0.9 s.
repeated AS (
    SELECT event_date, event_key
    FROM (
        SELECT
            event_date,
            event_key,
            event_key = lag(event_key) OVER (PARTITION BY event_date ORDER BY event_key) AS repeats
        FROM keyed
    )
    WHERE repeats
),
arrivals AS (
    SELECT * EXCLUDE (event_key)
    FROM keyed ANTI JOIN repeated USING (event_date, event_key)
    UNION ALL
    SELECT * EXCLUDE (event_key, arrival)
    FROM (
        SELECT *, row_number() OVER (PARTITION BY event_date, event_id ORDER BY log_offset) AS arrival
        FROM keyed SEMI JOIN repeated USING (event_date, event_key)
    )
    WHERE arrival = 1
),
-- The new events silver already holds (none when the days are recomputed). A semi join builds
-- its table on the few new rows, not on the day already written.
written AS (
    SELECT event_date, event_id
    FROM previous_output
    SEMI JOIN (SELECT event_date, event_id FROM bronze_events) USING (event_date, event_id)
    WHERE in_model_days(event_date)
),
fresh AS (
    SELECT * FROM arrivals ANTI JOIN written USING (event_date, event_id)
),
-- Sessions for the events sent without one, straight from bronze: a second copy of an event has
-- its time, so it moves no session boundary, and the join on log_offset finds only the winner.
-- When appending, each user's latest derived event already written anchors the chain.
new_sessionless AS (
    SELECT log_offset, user_id, event_time, event_id, event_date
    FROM bronze_events
    WHERE nullif(trim_spaces(session_id), '') IS NULL
),
-- The derived sessions silver already holds, read once for the two uses below (typed, for the
-- untyped NULLs that previous_output is when the days are recomputed).
written_derived AS MATERIALIZED (
    SELECT
        CAST(event_date AS DATE) AS event_date,
        CAST(event_id AS VARCHAR) AS event_id,
        CAST(user_id AS VARCHAR) AS user_id,
        CAST(event_time AS TIMESTAMPTZ) AS event_time,
        CAST(session_id AS VARCHAR) AS session_id
    FROM previous_output
    WHERE session_derived
),
sessionless AS (
    SELECT
        log_offset,
        user_id,
        event_time,
        event_id,
        CAST(NULL AS VARCHAR) AS known_session,
        CAST(NULL AS TIMESTAMPTZ) AS anchor_time
    FROM new_sessionless
    ANTI JOIN (SELECT event_date, event_id FROM written_derived) USING (event_date, event_id)
    UNION ALL
    SELECT
        NULL,
        user_id,
        max(event_time),
        arg_max(event_id, event_time),
        CAST(arg_max(session_id, event_time) AS VARCHAR),
        max(event_time)
    FROM written_derived
    WHERE user_id IN (SELECT user_id FROM new_sessionless)
    GROUP BY user_id
),
marked AS (
    SELECT
        *,
        CASE
            WHEN lag(event_time) OVER by_user IS NULL
                OR event_time - lag(event_time) OVER by_user > INTERVAL 30 MINUTE
            THEN 1 ELSE 0
        END AS starts_session
    FROM sessionless
    WINDOW by_user AS (PARTITION BY user_id ORDER BY event_time, event_id)
),
derived AS (
    SELECT
        log_offset,
        coalesce(
            first_value(known_session) OVER by_session,
            'derived:' || user_id || ':' || epoch_ms(first_value(event_time) OVER by_session)
        ) AS derived_session_id,
        event_time <= max(anchor_time) OVER (PARTITION BY user_id) AS before_written
    FROM (
        SELECT
            *,
            sum(starts_session) OVER (PARTITION BY user_id ORDER BY event_time, event_id) AS session_number
        FROM marked
    )
    WINDOW by_session AS (PARTITION BY user_id, session_number ORDER BY event_time, event_id)
)
SELECT
    a.event_id,
    lower(trim_spaces(a.event_type)) AS event_type,
    a.event_time,
    a.user_id,
    coalesce(nullif(trim_spaces(a.session_id), ''), d.derived_session_id) AS session_id,
    d.derived_session_id IS NOT NULL AS session_derived,
    nullif(lower(trim_spaces(a.source)), '') AS source,
    a.product_id,
    nullif(lower(trim_spaces(a.category)), '') AS category,
    a.price,
    a.quantity,
    nullif(a.order_id, '') AS order_id,
    upper(coalesce(nullif(trim_spaces(a.currency), ''), 'USD')) AS currency,
    a.properties,
    a.ingested_at,
    a.log_offset,
    utc_date(a.event_time) AS event_date,
    CASE
        WHEN a.price > 100000 THEN 'price_above_100000'
        WHEN a.quantity > 1000 THEN 'quantity_above_1000'
        WHEN a.event_time > a.ingested_at + INTERVAL 5 MINUTE THEN 'event_time_after_arrival'
    END AS rejected_rule,
    coalesce(d.before_written, false) AS needs_recompute
FROM fresh AS a
LEFT JOIN derived AS d USING (log_offset)
