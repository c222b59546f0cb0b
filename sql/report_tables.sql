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

-- rt: one row per reported transaction (after the filters)
CREATE TEMP TABLE rt (
    id INTEGER PRIMARY KEY, capture_id INTEGER, connection_id INTEGER, seq INTEGER,
    t_ns INTEGER,
    time TEXT GENERATED ALWAYS AS
        (strftime('%Y-%m-%dT%H:%M:%fZ', t_ns / 1e9, 'unixepoch')) VIRTUAL,
    client TEXT, server TEXT, server_ip TEXT, server_port INTEGER,
    method TEXT, host TEXT, uri TEXT, endpoint TEXT, status INTEGER, class TEXT,
    registered INTEGER, effective_status INTEGER, ttfb_ms REAL, total_ms REAL,
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
INSERT INTO rt (id, capture_id, connection_id, seq, t_ns, client, server, server_ip,
                server_port, method, host, uri, endpoint, status, class, registered,
                effective_status, ttfb_ms, total_ms, request_id, flags, violations,
                response_body_bytes)
SELECT t.id + :tx_off, t.capture_id + :cap_off, t.connection_id + :conn_off, t.seq,
       coalesce(t.request_start_ns, t.response_start_ns),
       CASE WHEN instr(c.client_ip, ':') THEN '[' || c.client_ip || ']' ELSE c.client_ip END
           || ':' || c.client_port,
       CASE WHEN instr(c.server_ip, ':') THEN '[' || c.server_ip || ']' ELSE c.server_ip END
           || ':' || c.server_port,
       c.server_ip, c.server_port,
       t.method, t.host, t.uri, httpcap_endpoint(t.method, t.host, t.uri),
       t.status,
       CASE WHEN t.status IS NULL THEN 'unanswered'
            WHEN t.status NOT BETWEEN 100 AND 599 THEN 'invalid'
            ELSE (t.status / 100) || 'xx' END,
       CASE WHEN t.status IS NULL THEN NULL WHEN s.code IS NOT NULL THEN 1 ELSE 0 END,
       CASE WHEN t.status IS NULL THEN NULL
            WHEN t.status NOT BETWEEN 100 AND 599 THEN 500
            WHEN s.code IS NOT NULL THEN t.status
            ELSE t.status / 100 * 100 END,
       (t.response_start_ns - t.request_end_ns) / 1e6,
       (t.response_end_ns - t.request_start_ns) / 1e6,
       t.request_id, t.flags, t.violations, t.response_body_bytes
FROM src.transactions t
LEFT JOIN src.connections c ON c.id = t.connection_id
LEFT JOIN main.status_codes s ON s.code = t.status
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

-- @after
CREATE INDEX temp.rt_t ON rt (t_ns);
CREATE INDEX temp.rv_rule ON rv (rule, transaction_id);
