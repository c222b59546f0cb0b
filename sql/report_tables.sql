-- report_tables.sql - the working tables of `httpcap report`, built by src/report_db.c in
-- a connection whose main database is in memory and where every database reported is
-- ATTACHed read-only. Six parts, split by the marker lines below:
--   before "@scan": run once;
--   "@scan": one SELECT, stepped once per database by src/report_scan.c, which does in C
--     the per-transaction work (classes, buckets, histogram bins, endpoints, per-host and
--     per-endpoint counts, per-connection counters, the slowest, the percentiles) and
--     fills the small tables created here (rparams, rgroups, rhosts, rendpoints, rconn,
--     rpick): one sequential read of each database instead of sorting every transaction;
--   "@per-database": run once per database, after every scan;
--   "@counted": run next for each database whose connections' counts of truncated
--     transactions stand for the reported ones (:conn_counts, below);
--   "@after": run once;
--   "@rt-view": the per-database SELECT of the TEMP VIEW rt, joined by UNION ALL.
-- In "@scan", "@per-database", "@counted" and "@rt-view", "src." is replaced by that
-- database's schema name and :tx_off, :conn_off, :cap_off, :viol_off are the id offsets
-- that make several databases read as one (0 for the first); :db is the database's
-- number (0, 1...). Every part binds :since, :until (ns, NULL when not given), :host
-- (NULL when not given) and :conn_counts (1 for a database of schema version 3 or later
-- when no filter is given); rt, a view, gets them as literals. These tables are the
-- input of sql/report.sql and sql/anomalies.sql; their columns are described in the
-- README ("How the report works").

-- rsel: the transactions some section shows one by one, with the columns of rt: those
-- with violations and the :top slowest by ttfb (picked by the scan into rpick).
-- Client and server addresses live in rc (join on connection_id).
CREATE TEMP TABLE rsel (
    id INTEGER PRIMARY KEY, capture_id INTEGER, connection_id INTEGER, seq INTEGER,
    t_ns INTEGER,
    time TEXT GENERATED ALWAYS AS
        (strftime('%Y-%m-%dT%H:%M:%fZ', t_ns / 1e9, 'unixepoch')) VIRTUAL,
    method TEXT, host TEXT, uri TEXT, endpoint TEXT, status INTEGER, class TEXT,
    ttfb_ms REAL, total_ms REAL,
    request_id TEXT, flags TEXT, violations INTEGER, response_body_bytes INTEGER
);

-- rpick: transactions the scan picked for rsel (db: the database's number, id: its own id)
CREATE TEMP TABLE rpick (db INTEGER, id INTEGER, PRIMARY KEY (db, id)) WITHOUT ROWID;

-- rc: the connections that carry a reported transaction
CREATE TEMP TABLE rc (
    id INTEGER PRIMARY KEY, capture_id INTEGER, client TEXT, server TEXT,
    server_ip TEXT, server_port INTEGER, end_reason TEXT,
    client_packets INTEGER, server_packets INTEGER, client_bytes INTEGER,
    server_bytes INTEGER, client_retransmits INTEGER, server_retransmits INTEGER,
    client_gap_bytes INTEGER, server_gap_bytes INTEGER,
    transactions INTEGER  -- its rows in the database: also the seq of its last one (seq
                          -- counts a connection's rows from 1)
);

-- rv: the violations of reported transactions
CREATE TEMP TABLE rv (
    id INTEGER PRIMARY KEY, transaction_id INTEGER, rule TEXT, severity TEXT, detail TEXT
);

-- rparams: the span of the reported transactions and the buckets of the time series
CREATE TEMP TABLE rparams (first_ns INTEGER, last_ns INTEGER, origin_ns INTEGER,
                           bucket_ns INTEGER, nbuckets INTEGER);

-- rgroups: transactions per time bucket b ((t_ns - origin_ns) / bucket_ns, NULL without a
-- time), class, status and ttfb histogram bin (bin i holds [2^(i-4), 2^(i-3)) ms, the
-- first and last open-ended; NULL without a ttfb); n_total: those with a total latency
CREATE TEMP TABLE rgroups (b INTEGER, class TEXT, status INTEGER, bin INTEGER,
                           n INTEGER, n_total INTEGER);

-- rhosts: per Host (NULL for none), its transactions and latency values
CREATE TEMP TABLE rhosts (host TEXT, n INTEGER, n_ttfb INTEGER, n_total INTEGER);

-- rendpoints: per endpoint ("METHOD host /template"), its transactions, latency values and
-- 5xx (with invalid), and its classes in each half of the span (split at origin_ns +
-- nbuckets * bucket_ns / 2); h0_* and h1_* follow the class order of report.h
CREATE TEMP TABLE rendpoints (
    endpoint TEXT, n INTEGER, n_ttfb INTEGER, n_total INTEGER, n_5xx INTEGER,
    h0 INTEGER, h0_1xx INTEGER, h0_2xx INTEGER, h0_3xx INTEGER, h0_4xx INTEGER,
    h0_5xx INTEGER, h0_unanswered INTEGER, h0_invalid INTEGER,
    h1 INTEGER, h1_1xx INTEGER, h1_2xx INTEGER, h1_3xx INTEGER, h1_4xx INTEGER,
    h1_5xx INTEGER, h1_unanswered INTEGER, h1_invalid INTEGER
);

-- rconn: per connection of a reported transaction (id offset like rc): its reported
-- transactions, requests without a response (and the seq of the last of them, NULL when
-- none), responses without a request, transactions flagged truncated (and of those, the
-- answered ones)
CREATE TEMP TABLE rconn (connection_id INTEGER PRIMARY KEY, n INTEGER, unanswered INTEGER,
                         last_unanswered INTEGER, orphan INTEGER, truncated INTEGER,
                         truncated_answered INTEGER);

-- @scan
-- the columns report_scan.c reads, in this order: id, connection id, seq, start time,
-- method, host, uri, status, ttfb_ms, total_ms, flagged truncated (0/1). No other flag
-- name contains "truncated", so instr() finds the flag. When :conn_counts is 1 (schema
-- version 3 and no filter: see "@counted") the flags are not read and the last column is
-- 0. report_db.c may split a large database into two ranges of ids [:id_first, :id_last]
-- read by two threads at once.
SELECT t.id, t.connection_id, t.seq, coalesce(t.request_start_ns, t.response_start_ns),
       t.method, t.host, t.uri, t.status,
       (t.response_start_ns - t.request_end_ns) / 1e6,
       (t.response_end_ns - t.request_start_ns) / 1e6,
       CASE WHEN :conn_counts THEN 0 ELSE instr(t.flags, 'truncated') > 0 END
FROM src.transactions t
WHERE t.id >= :id_first AND t.id <= :id_last
  AND (:since IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) >= :since)
  AND (:until IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) < :until)
  AND (:host IS NULL OR lower(t.host) = lower(:host)
       OR lower(substr(t.host, 1, length(:host) + 1)) = lower(:host) || ':');

-- @per-database
-- rsel: the picked transactions and those with violations (the filters again, as in
-- "@scan"); the column expressions are those of rt ("@rt-view")
INSERT INTO rsel (id, capture_id, connection_id, seq, t_ns, method, host, uri, endpoint,
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
WHERE (t.id IN (SELECT id FROM temp.rpick WHERE db = :db)
       OR t.id IN (SELECT transaction_id FROM src.violations))
  AND (:since IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) >= :since)
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
       c.transactions
FROM src.connections c
WHERE c.id + :conn_off IN (SELECT connection_id FROM temp.rconn);

INSERT INTO rv
SELECT v.id + :viol_off, v.transaction_id + :tx_off, v.rule, v.severity, v.detail
FROM src.violations v
WHERE v.transaction_id + :tx_off IN (SELECT id FROM temp.rsel);

-- @counted
-- run after "@per-database" when :conn_counts is 1: every transaction of a reported
-- connection is reported, so its row's counts of truncated transactions are rconn's.
UPDATE temp.rconn AS k
SET truncated = c.truncated, truncated_answered = c.truncated_with_status
FROM src.connections c
WHERE c.truncated > 0 AND k.connection_id = c.id + :conn_off;

-- @after
-- rstat: rgroups with the registered / effective status: the one grouped table behind
-- the class and status counts, the histogram and the time series
CREATE TEMP TABLE rstat AS
SELECT g.*,
       CASE WHEN g.status IS NULL THEN NULL WHEN s.code IS NOT NULL THEN 1 ELSE 0 END
           AS registered,
       -- what a client acts on (RFC 9110 §15), as in v_transactions.effective_status
       CASE WHEN g.status IS NULL THEN NULL
            WHEN g.status NOT BETWEEN 100 AND 599 THEN 500
            WHEN s.code IS NOT NULL THEN g.status
            ELSE g.status / 100 * 100 END AS effective_status
FROM rgroups g
LEFT JOIN main.status_codes s ON s.code = g.status;

-- @rt-view
-- rt: one row per reported transaction (after the filters), read from the databases each
-- time it is used: for the few statements that need single transactions (anomaly
-- examples, a latency spike's counts). Its columns are those of rsel.
SELECT t.id + :tx_off AS id, t.capture_id + :cap_off AS capture_id,
       t.connection_id + :conn_off AS connection_id, t.seq AS seq,
       coalesce(t.request_start_ns, t.response_start_ns) AS t_ns,
       strftime('%Y-%m-%dT%H:%M:%fZ',
                coalesce(t.request_start_ns, t.response_start_ns) / 1e9, 'unixepoch') AS time,
       t.method AS method, t.host AS host, t.uri AS uri,
       httpcap_endpoint(t.method, t.host, t.uri) AS endpoint,
       t.status AS status,
       CASE WHEN t.status IS NULL THEN 'unanswered'
            WHEN t.status NOT BETWEEN 100 AND 599 THEN 'invalid'
            ELSE (t.status / 100) || 'xx' END AS class,
       (t.response_start_ns - t.request_end_ns) / 1e6 AS ttfb_ms,
       (t.response_end_ns - t.request_start_ns) / 1e6 AS total_ms,
       t.request_id AS request_id, t.flags AS flags, t.violations AS violations,
       t.response_body_bytes AS response_body_bytes
FROM src.transactions t
WHERE (:since IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) >= :since)
  AND (:until IS NULL OR coalesce(t.request_start_ns, t.response_start_ns) < :until)
  AND (:host IS NULL OR lower(t.host) = lower(:host)
       OR lower(substr(t.host, 1, length(:host) + 1)) = lower(:host) || ':')
