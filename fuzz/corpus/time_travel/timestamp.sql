SELECT * FROM gold.revenue_daily TIMESTAMP AS OF '2026-11-25 10:00:00' WHERE x = 'a.b VERSION AS OF 1' -- gold.t version as of 2
