-- pg/views.sql - the views of sql/views.sql in PostgreSQL, with the same columns and
-- values: ms as double precision, `time` as the ISO-8601 text SQLite's strftime('%Y-%m-%d
-- T%H:%M:%fZ', ns / 1e9, 'unixepoch') gives (rounded to the ms the way SQLite rounds).

CREATE OR REPLACE VIEW v_transactions AS
SELECT
    t.id,
    t.capture_id,
    t.connection_id,
    t.seq,
    c.client_ip,
    c.client_port,
    c.server_ip,
    c.server_port,
    t.method,
    t.host,
    t.uri,
    t.request_version,
    t.status,
    t.reason,
    CASE WHEN t.status IS NULL THEN NULL
         WHEN t.status BETWEEN 100 AND 599 THEN (t.status / 100)::text || 'xx'
         ELSE '5xx' END                                   AS class,
    CASE WHEN t.status IS NULL THEN NULL
         WHEN s.code IS NOT NULL THEN 1 ELSE 0 END        AS registered,
    t.response_version,
    t.interim,
    t.request_start_ns,
    t.request_end_ns,
    t.response_start_ns,
    t.response_end_ns,
    (t.response_start_ns - t.request_end_ns)::double precision / 1e6 AS ttfb_ms,
    (t.response_end_ns - t.request_start_ns)::double precision / 1e6 AS total_ms,
    t.request_body_bytes,
    t.response_body_bytes,
    t.request_body_wire_bytes,
    t.response_body_wire_bytes,
    t.request_header_bytes,
    t.response_header_bytes,
    t.content_type,
    t.content_encoding,
    t.server,
    t.location,
    t.user_agent,
    t.request_id,
    t.violations,
    t.flags,
    to_char(TIMESTAMP 'epoch' + (floor(coalesce(t.request_start_ns, t.response_start_ns)
                                            ::double precision / 1e9 * 1000.0
                                        + 210866760000000.0 + 0.5)
                                  - 210866760000000.0) * INTERVAL '1 millisecond',
            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')       AS time,
    CASE WHEN t.status IS NULL THEN NULL
         WHEN t.status NOT BETWEEN 100 AND 599 THEN 500
         WHEN s.code IS NOT NULL THEN t.status
         ELSE t.status / 100 * 100 END                    AS effective_status
FROM transactions t
LEFT JOIN connections c ON c.id = t.connection_id
LEFT JOIN status_codes s ON s.code = t.status;

CREATE OR REPLACE VIEW v_violations AS
SELECT
    v.id,
    v.transaction_id,
    v.rule,
    v.severity,
    r.reference,
    r.summary,
    v.detail,
    t.time,
    t.client_ip,
    t.server_ip,
    t.server_port,
    t.host,
    t.method,
    t.uri,
    t.status,
    t.request_id
FROM violations v
LEFT JOIN rules r ON r.id = v.rule
LEFT JOIN v_transactions t ON t.id = v.transaction_id;

CREATE OR REPLACE VIEW v_rule_counts AS
SELECT v.rule, r.severity, r.reference, r.summary, count(*) AS count,
       count(DISTINCT t.host) AS hosts
FROM violations v
LEFT JOIN rules r ON r.id = v.rule
LEFT JOIN transactions t ON t.id = v.transaction_id
GROUP BY v.rule, r.severity, r.reference, r.summary;
