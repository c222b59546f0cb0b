-- report_tables.sql - the working tables of `httpcap report`, built by src/report_db.c in
-- a connection whose main database is in memory and where every database reported is
-- ATTACHed read-only. Three parts, split by the marker lines below:
--   before "@per-database": run once;
--   between "@per-database" and "@after": run once per database, with "src." replaced by
--     that database's schema name and :tx_off, :conn_off, :cap_off, :viol_off bound to the
--     id offsets that make several databases read as one (0 for the first);
--   after "@after": run once.
-- Every part binds :since, :until (ns, NULL when not given) and :host (NULL when not
-- given). These tables are the input of sql/report.sql and sql/anomalies.sql; their
-- columns are described in the README ("How the report works").

-- rt: one row per reported transaction (after the filters). Client and server addresses
-- live in rc (join on connection_id); registered / effective status in rstat.
CREATE TEMP TABLE rt (
    id INTEGER PRIMARY KEY, capture_id INTEGER, connection_id INTEGER, seq INTEGER,
    t_ns INTEGER,
    time TEXT GENERATED ALWAYS AS
        (strftime('%Y-%m-%dT%H:%M:%fZ', t_ns / 1e9, 'unixepoch')) VIRTUAL,
    method TEXT, host TEXT, uri TEXT, endpoint TEXT, status INTEGER, class TEXT,
    ttfb_ms REAL, total_ms REAL,
    request_id TEXT, flags TEXT, violations INTEGER, response_body_bytes INTEGER
);

-- rc: the connections that carry a reported transaction
CREATE TEMP TABLE rc (
    id INTEGER PRIMARY KEY, capture_id INTEGER, client TEXT, server TEXT,
    server_ip TEXT, server_port INTEGER, end_reason TEXT,
    client_packets INTEGER, server_packets INTEGER, client_bytes INTEGER,
    server_bytes INTEGER, client_retransmits INTEGER, server_retransmits INTEGER,
    client_gap_bytes INTEGER, server_gap_bytes INTEGER, transactions INTEGER,
    last_seq INTEGER  -- seq of the connection's last transaction in the database
);

-- rv: the violations of reported transactions
CREATE TEMP TABLE rv (
    id INTEGER PRIMARY KEY, transaction_id INTEGER, rule TEXT, severity TEXT, detail TEXT
);

-- @per-database
INSERT INTO rt (id, capture_id, connection_id, seq, t_ns, method, host, uri, endpoint,
                status, class, ttfb_ms, total_ms, request_id, flags, violations,
                response_body_bytes)
SELECT t.id + :tx_off, t.capture_id + :cap_off, t.connection_id + :conn_off, t.seq,
       coalesce(t.request_start_ns, t.response_start_ns),
       t.method, t.host, t.uri, httpcap_endpoint(t.method, t.host, t.uri),
       t.status,
       CASE WHEN t.status IS NULL THEN 'unanswered'
            WHEN t.status NOT BETWEEN 100 AND 599 THEN 'invalid'
            ELSE (t.status / 100) || 'xx' END,
       (t.response_start_ns - t.request_end_ns) / 1e6,
       (t.response_end_ns - t.request_start_ns) / 1e6,
       t.request_id, t.flags, t.violations, t.response_body_bytes
FROM src.transactions t
WHERE (:since IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) >= :since)
  AND (:until IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) < :until)
  AND (:host IS NULL OR lower(t.host) = lower(:host)
       OR lower(substr(t.host, 1, length(:host) + 1)) = lower(:host) || ':');

INSERT INTO rc
SELECT c.id + :conn_off, c.capture_id + :cap_off,
       CASE WHEN instr(c.client_ip, ':') THEN '[' || c.client_ip || ']' ELSE c.client_ip END
           || ':' || c.client_port,
       CASE WHEN instr(c.server_ip, ':') THEN '[' || c.server_ip || ']' ELSE c.server_ip END
           || ':' || c.server_port,
       c.server_ip, c.server_port, c.end_reason,
       c.client_packets, c.server_packets, c.client_bytes, c.server_bytes,
       c.client_retransmits, c.server_retransmits, c.client_gap_bytes, c.server_gap_bytes,
       c.transactions,
       (SELECT max(seq) FROM src.transactions x WHERE x.connection_id = c.id)
FROM src.connections c
WHERE c.id + :conn_off IN (SELECT connection_id FROM temp.rt);

INSERT INTO rv
SELECT v.id + :viol_off, v.transaction_id + :tx_off, v.rule, v.severity, v.detail
FROM src.violations v
WHERE v.transaction_id + :tx_off IN (SELECT id FROM temp.rt);

-- @after (rparams exists by now: report_db.c fills it from rt between the two parts)
-- rstat: transactions per time bucket, class, status and ttfb histogram bin (bin i holds
-- [2^(i-4), 2^(i-3)) ms, the first and last open-ended; NULL without a ttfb): the one
-- sort behind the class and status counts, the histogram and the time series
CREATE TEMP TABLE rstat AS
SELECT g.*,
       CASE WHEN g.status IS NULL THEN NULL WHEN s.code IS NOT NULL THEN 1 ELSE 0 END
           AS registered,
       -- what a client acts on (RFC 9110 §15), as in v_transactions.effective_status
       CASE WHEN g.status IS NULL THEN NULL
            WHEN g.status NOT BETWEEN 100 AND 599 THEN 500
            WHEN s.code IS NOT NULL THEN g.status
            ELSE g.status / 100 * 100 END AS effective_status
FROM (SELECT (t.t_ns - p.origin_ns) / p.bucket_ns AS b, t.class, t.status,
             CASE WHEN t.ttfb_ms IS NULL THEN NULL WHEN t.ttfb_ms < 0.125 THEN 0
                  ELSE min(23, CAST(floor(log2(t.ttfb_ms)) AS INTEGER) + 4) END AS bin,
             count(*) AS n, count(t.total_ms) AS n_total
      FROM rt t, rparams p
      GROUP BY 1, 2, 3, 4) g
LEFT JOIN main.status_codes s ON s.code = g.status;

-- rendpoints: per endpoint, its transactions, latency values and 5xx, and its classes in
-- each half of the span (split at origin_ns + nbuckets * bucket_ns / 2); h0_* and h1_*
-- follow the class order of report.h
CREATE TEMP TABLE rendpoints AS
WITH e(endpoint, h, class, n, n_ttfb, n_total) AS (
    SELECT endpoint,
           t_ns >= (SELECT origin_ns + nbuckets * bucket_ns / 2 FROM rparams),
           class, count(*), count(ttfb_ms), count(total_ms)
    FROM rt WHERE endpoint IS NOT NULL
    GROUP BY 1, 2, 3
)
SELECT endpoint, sum(n) AS n, sum(n_ttfb) AS n_ttfb, sum(n_total) AS n_total,
       sum(CASE WHEN class IN ('5xx', 'invalid') THEN n ELSE 0 END) AS n_5xx,
       sum(CASE WHEN h = 0 THEN n ELSE 0 END) AS h0,
       sum(CASE WHEN h = 0 AND class = '1xx' THEN n ELSE 0 END) AS h0_1xx,
       sum(CASE WHEN h = 0 AND class = '2xx' THEN n ELSE 0 END) AS h0_2xx,
       sum(CASE WHEN h = 0 AND class = '3xx' THEN n ELSE 0 END) AS h0_3xx,
       sum(CASE WHEN h = 0 AND class = '4xx' THEN n ELSE 0 END) AS h0_4xx,
       sum(CASE WHEN h = 0 AND class = '5xx' THEN n ELSE 0 END) AS h0_5xx,
       sum(CASE WHEN h = 0 AND class = 'unanswered' THEN n ELSE 0 END) AS h0_unanswered,
       sum(CASE WHEN h = 0 AND class = 'invalid' THEN n ELSE 0 END) AS h0_invalid,
       sum(CASE WHEN h = 1 THEN n ELSE 0 END) AS h1,
       sum(CASE WHEN h = 1 AND class = '1xx' THEN n ELSE 0 END) AS h1_1xx,
       sum(CASE WHEN h = 1 AND class = '2xx' THEN n ELSE 0 END) AS h1_2xx,
       sum(CASE WHEN h = 1 AND class = '3xx' THEN n ELSE 0 END) AS h1_3xx,
       sum(CASE WHEN h = 1 AND class = '4xx' THEN n ELSE 0 END) AS h1_4xx,
       sum(CASE WHEN h = 1 AND class = '5xx' THEN n ELSE 0 END) AS h1_5xx,
       sum(CASE WHEN h = 1 AND class = 'unanswered' THEN n ELSE 0 END) AS h1_unanswered,
       sum(CASE WHEN h = 1 AND class = 'invalid' THEN n ELSE 0 END) AS h1_invalid
FROM e GROUP BY endpoint;

-- rhosts: per Host (NULL for none), its transactions and latency values
CREATE TEMP TABLE rhosts AS
SELECT host, count(*) AS n, count(ttfb_ms) AS n_ttfb, count(total_ms) AS n_total
FROM rt GROUP BY host;
