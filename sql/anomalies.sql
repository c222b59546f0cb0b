-- anomalies.sql - the numbers behind sections 5 (anomalies) and 6 (time series) of
-- `httpcap report`, run by src/report_series.c and src/report_anomaly.c.
-- Input: the working tables of report_tables.sql (rstat, rendpoints, rconn, rc, rparams)
-- and, only for examples and latency spikes, the view rt (it reads the databases). Every statement
-- follows a marker line "-- @query NAME" and runs to the next marker; the C code looks a
-- statement up by NAME (report_anomaly_prepare), so the order here does not matter but
-- the column lists must stay in step with the readers. One statement per marker.
-- A row's bucket is (t_ns - origin_ns) / bucket_ns. "5xx" below means class 5xx or
-- invalid (a status outside 100..599, which clients treat as 500). Medians are exact
-- nearest rank: the value at rank (n + 1) / 2 = ceil(n/2) of the sorted values.
-- Each detector reads grouped rows; the decisions (z-scores, merging of consecutive
-- buckets, thresholds) are taken in C on them.

-- @query params
-- origin, width and number of the buckets (nbuckets 0 when rt is empty)
SELECT origin_ns, bucket_ns, nbuckets FROM rparams;

-- @query series_counts
-- per bucket: bucket, transactions, then the classes in the order of report.h, then the
-- transactions with a ttfb (the medians come from report_scan.c's sorted pass over ttfb)
SELECT b, sum(n),
       sum(CASE WHEN class = '1xx' THEN n ELSE 0 END),
       sum(CASE WHEN class = '2xx' THEN n ELSE 0 END),
       sum(CASE WHEN class = '3xx' THEN n ELSE 0 END),
       sum(CASE WHEN class = '4xx' THEN n ELSE 0 END),
       sum(CASE WHEN class = '5xx' THEN n ELSE 0 END),
       sum(CASE WHEN class = 'unanswered' THEN n ELSE 0 END),
       sum(CASE WHEN class = 'invalid' THEN n ELSE 0 END),
       sum(CASE WHEN bin IS NOT NULL THEN n ELSE 0 END)
FROM rstat WHERE b IS NOT NULL
GROUP BY b ORDER BY b;

-- @query median_ttfb
-- the report's median ttfb (ms) and the number of ttfb values; no row when there are none
SELECT x, n FROM (
    SELECT ttfb_ms AS x, row_number() OVER (ORDER BY ttfb_ms) AS rn, count(*) OVER () AS n
    FROM rt WHERE ttfb_ms IS NOT NULL)
WHERE rn = (n + 1) / 2;

-- @query bucket_latency
-- per bucket: bucket, ttfb values, values above :thr (3x the report's median)
SELECT (t.t_ns - p.origin_ns) / p.bucket_ns AS b, count(*), sum(t.ttfb_ms > :thr)
FROM rt t, rparams p
WHERE t.ttfb_ms IS NOT NULL AND t.t_ns IS NOT NULL AND p.nbuckets > 0
GROUP BY b ORDER BY b;

-- @query endpoints
-- per endpoint with >= 5 requests: endpoint, transactions, 5xx, then for the first and
-- the second half of the span (split at origin_ns + nbuckets * bucket_ns / 2): the
-- transactions and the 7 classes in the order of report.h (2 x 8 columns)
SELECT endpoint, n, n_5xx,
       h0, h0_1xx, h0_2xx, h0_3xx, h0_4xx, h0_5xx, h0_unanswered, h0_invalid,
       h1, h1_1xx, h1_2xx, h1_3xx, h1_4xx, h1_5xx, h1_unanswered, h1_invalid
FROM rendpoints WHERE n >= 5 ORDER BY endpoint;

-- @query servers
-- per server ("ip:port"): transactions, requests never answered (not counting the last
-- transaction of a connection still open at the end of the capture), responses without a
-- request, truncated responses on a reset connection, other truncated transactions.
-- Counted per connection by report_scan.c (rconn), then summed per server here.
SELECT c.server, sum(k.n),
       sum(k.unanswered - (c.end_reason = 'end-of-capture'
                           AND coalesce(k.last_unanswered >= c.transactions, 0))),
       sum(k.orphan),
       sum(CASE WHEN c.end_reason = 'rst' THEN k.truncated_answered ELSE 0 END),
       sum(k.truncated) - sum(CASE WHEN c.end_reason = 'rst' THEN k.truncated_answered
                                   ELSE 0 END)
FROM rconn k
JOIN rc c ON c.id = k.connection_id
GROUP BY c.server ORDER BY c.server;

-- @query conn_servers
-- per server of rc: connections, connections with gaps, gap bytes, captured TCP payload
-- bytes, retransmitted segments, packets
SELECT server, count(*), sum(client_gap_bytes + server_gap_bytes > 0),
       sum(client_gap_bytes + server_gap_bytes), sum(client_bytes + server_bytes),
       sum(client_retransmits + server_retransmits), sum(client_packets + server_packets)
FROM rc WHERE server IS NOT NULL
GROUP BY server ORDER BY server;

-- @query statuses
-- per status code: code, transactions, first and last bucket, registered (0/1), the
-- effective status a client acts on
SELECT status, sum(n), min(b), max(b), max(registered), max(effective_status)
FROM rstat WHERE status IS NOT NULL
GROUP BY status ORDER BY status;

-- @query keys_create
-- what each anomaly found, for picking its examples: kind (report.h order), key (a
-- bucket, endpoint, server or status), arg (a ttfb threshold or a class), anomaly index
CREATE TEMP TABLE IF NOT EXISTS ranomaly_keys (
    kind INTEGER NOT NULL, key, arg, a INTEGER NOT NULL, -- key, arg: no affinity
    PRIMARY KEY (kind, key, a)
);

-- @query keys_insert
INSERT OR IGNORE INTO ranomaly_keys (kind, key, arg, a) VALUES (:kind, :key, :arg, :a);

-- @query keys_drop
DROP TABLE IF EXISTS temp.ranomaly_keys;

-- @query examples
-- up to 5 transactions per anomaly (column a), those with a request ID first, then by
-- time (for a latency spike: the slowest first): a, id, time, client, server, method, uri, status, request_id. Each branch runs
-- only when its kind has anomalies (the EXISTS term is constant, so SQLite checks it once
-- before the scan); CROSS JOIN keeps rt as the outer loop, so rt is scanned once per kind,
-- and each branch carries the columns shown (rt is a view: no second lookup by id).
WITH p AS (SELECT origin_ns AS o, bucket_ns AS w,
                  origin_ns + nbuckets * bucket_ns / 2 AS split FROM rparams),
has(kind) AS (SELECT DISTINCT kind FROM ranomaly_keys),
c(a, kind, id, time, method, uri, status, request_id, t_ns, ttfb_ms, connection_id) AS (
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN p CROSS JOIN ranomaly_keys k
    WHERE 0 IN has AND t.class IN ('5xx', 'invalid') AND t.t_ns IS NOT NULL
      AND k.kind = 0 AND k.key = (t.t_ns - p.o) / p.w
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN p CROSS JOIN ranomaly_keys k
    WHERE 1 IN has AND t.class = '4xx' AND t.t_ns IS NOT NULL
      AND k.kind = 1 AND k.key = (t.t_ns - p.o) / p.w
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN p CROSS JOIN ranomaly_keys k
    WHERE 2 IN has AND t.ttfb_ms IS NOT NULL AND t.t_ns IS NOT NULL
      AND k.kind = 2 AND k.key = (t.t_ns - p.o) / p.w AND t.ttfb_ms > k.arg
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN ranomaly_keys k
    WHERE 3 IN has AND t.class IN ('5xx', 'invalid') AND k.kind = 3 AND k.key = t.endpoint
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN p CROSS JOIN ranomaly_keys k
    WHERE 4 IN has AND t.t_ns >= p.split AND k.kind = 4 AND k.key = t.endpoint
      AND t.class = k.arg
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t LEFT JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 5 IN has AND t.status IS NULL AND t.method IS NOT NULL
      AND NOT coalesce(r.end_reason = 'end-of-capture' AND t.seq >= r.transactions, 0)
      AND k.kind = 5 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t LEFT JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 6 IN has AND t.status IS NOT NULL AND t.method IS NULL
      AND k.kind = 6 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t LEFT JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 7 IN has AND instr(t.flags, 'truncated') > 0
      AND t.status IS NOT NULL AND r.end_reason = 'rst'
      AND k.kind = 7 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t LEFT JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 8 IN has AND instr(t.flags, 'truncated') > 0
      AND NOT (t.status IS NOT NULL AND coalesce(r.end_reason = 'rst', 0))
      AND k.kind = 8 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 9 IN has AND r.client_gap_bytes + r.server_gap_bytes > 0
      AND k.kind = 9 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t LEFT JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 10 IN has AND k.kind = 10 AND (
          (k.key = 'max-connections' AND r.end_reason = 'evicted')
       OR (k.key = 'max-header-bytes' AND t.id IN
              (SELECT transaction_id FROM rv
               WHERE rule = 'parse-error' AND instr(detail, 'HPE_HEADER_OVERFLOW') > 0))
       OR (k.key = 'max-headers' AND instr(t.flags, 'field-cut') > 0)
       OR (k.key = 'max-uri-bytes' AND instr(t.flags, 'uri-cut') > 0)
       OR (k.key = 'max-stored-header-bytes' AND instr(t.flags, 'headers-cut') > 0))
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t JOIN rc r ON r.id = t.connection_id
                         CROSS JOIN ranomaly_keys k
    WHERE 11 IN has AND r.client_retransmits + r.server_retransmits > 0
      AND k.kind = 11 AND k.key = r.server
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN ranomaly_keys k
    WHERE 12 IN has AND t.status IS NOT NULL AND k.kind = 12 AND k.key = t.status
    UNION ALL
    SELECT k.a, k.kind, t.id, t.time, t.method, t.uri, t.status, t.request_id,
           t.t_ns, t.ttfb_ms, t.connection_id
    FROM rt t CROSS JOIN ranomaly_keys k
    WHERE 13 IN has AND t.status IS NOT NULL AND k.kind = 13 AND k.key = t.status
),
ranked AS (
    SELECT c.*, r.client, r.server,
           CASE WHEN c.kind = 2 THEN -c.ttfb_ms ELSE 0 END AS slow_first,
           row_number() OVER (PARTITION BY c.a
                              ORDER BY c.request_id IS NULL,
                                       CASE WHEN c.kind = 2 THEN -c.ttfb_ms ELSE 0 END,
                                       c.t_ns, c.id) AS rn
    FROM c LEFT JOIN rc r ON r.id = c.connection_id
)
SELECT a, id, time, client, server, method, uri, status, request_id
FROM ranked WHERE rn <= 5
ORDER BY a, slow_first, t_ns, id;
