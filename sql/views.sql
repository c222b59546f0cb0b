-- views.sql - convenience views over the tables (public interface; keep column names).
-- Durations are REAL milliseconds; times also as ISO-8601 UTC text.

DROP VIEW IF EXISTS v_transactions;
CREATE VIEW v_transactions AS
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
         WHEN t.status BETWEEN 100 AND 599 THEN (t.status / 100) || 'xx'
         ELSE '5xx' END                                   AS class,
    CASE WHEN t.status IS NULL THEN NULL
         WHEN s.code IS NOT NULL THEN 1 ELSE 0 END        AS registered,
    t.response_version,
    t.interim,
    t.request_start_ns,
    t.request_end_ns,
    t.response_start_ns,
    t.response_end_ns,
    (t.response_start_ns - t.request_end_ns) / 1e6        AS ttfb_ms,
    (t.response_end_ns - t.request_start_ns) / 1e6        AS total_ms,
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
    strftime('%Y-%m-%dT%H:%M:%fZ',
             coalesce(t.request_start_ns, t.response_start_ns) / 1e9, 'unixepoch') AS time,
    -- what a client acts on (RFC 9110 §15): a registered code as is, an unregistered
    -- one as the x00 of its class (471 -> 400), an invalid one as 500; NULL unanswered
    CASE WHEN t.status IS NULL THEN NULL
         WHEN t.status NOT BETWEEN 100 AND 599 THEN 500
         WHEN s.code IS NOT NULL THEN t.status
         ELSE t.status / 100 * 100 END                    AS effective_status
FROM transactions t
LEFT JOIN connections c ON c.id = t.connection_id
LEFT JOIN status_codes s ON s.code = t.status;

DROP VIEW IF EXISTS v_violations;
CREATE VIEW v_violations AS
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

DROP VIEW IF EXISTS v_rule_counts;
CREATE VIEW v_rule_counts AS
SELECT v.rule, r.severity, r.reference, r.summary, count(*) AS count,
       count(DISTINCT t.host) AS hosts
FROM violations v
LEFT JOIN rules r ON r.id = v.rule
LEFT JOIN transactions t ON t.id = v.transaction_id
GROUP BY v.rule;
