-- report.sql - sections 1 to 4 of `httpcap report`, run by src/report.c in this order (one
-- statement each; report.c steps through them with sqlite3_prepare_v2's tail, so keep the
-- order and the column lists in step with report.c). Input: the working tables of
-- report_tables.sql (rsel, rc, rv, rstat, rendpoints, rhosts, rparams) and the TEMP views
-- captures and capture_limits. No statement here reads every transaction:
-- src/report_scan.c did that once and left grouped tables (and rsel, the few transactions
-- shown one by one). Never run by `httpcap read`. Percentiles are exact nearest-rank: the
-- value at rank ceil(p/100*n) of the sorted values; report_scan.c picks them (after
-- statement 5 gave the group sizes).

-- 1. capture totals over every run: count, first/last packet (ns and ISO-8601 UTC),
--    packets, bytes, connections, transactions, gap bytes, truncated inputs, kernel drops,
--    interface drops, runs that recorded drops, TCP payload and gap bytes of the reported
--    connections, reported transactions
SELECT count(*),
       min(first_packet_ns),
       max(last_packet_ns),
       strftime('%Y-%m-%dT%H:%M:%fZ', min(first_packet_ns) / 1e9, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', max(last_packet_ns) / 1e9, 'unixepoch'),
       coalesce(sum(packets), 0), coalesce(sum(bytes), 0), coalesce(sum(connections), 0),
       coalesce(sum(transactions), 0), coalesce(sum(gap_bytes), 0),
       coalesce(sum(truncated != 0), 0),
       coalesce(sum(kernel_drops), 0), coalesce(sum(interface_drops), 0),
       count(kernel_drops) + count(interface_drops),
       (SELECT coalesce(sum(client_bytes + server_bytes), 0) FROM rc),
       (SELECT coalesce(sum(client_gap_bytes + server_gap_bytes), 0) FROM rc),
       (SELECT coalesce(sum(n), 0) FROM rhosts)
FROM captures;

-- 2. the sources and sensors, one row per capture run, in the order of the databases
SELECT run, source, sensor FROM captures ORDER BY db, id;

-- 3. status classes (report.c puts them in the fixed order of report.h)
SELECT class, sum(n) FROM rstat GROUP BY class;

-- 4. every status code seen: code, registered reason, count, registered (0/1),
--    effective status (x00 fallback when unregistered) and its reason
SELECT g.status, s.reason, g.n, s.code IS NOT NULL, g.effective, e.reason
FROM (SELECT status, sum(n) AS n, max(effective_status) AS effective
      FROM rstat WHERE status IS NOT NULL GROUP BY status) g
LEFT JOIN status_codes s ON s.code = g.status
LEFT JOIN status_codes e ON e.code = g.effective
ORDER BY g.status;

-- 5. the latency groups, in report order: everything, each class, the :top busiest hosts,
--    the :top busiest endpoints: scope (0..3), key, transactions, ttfb values, total
--    values, and the number of distinct endpoints
WITH g(scope, key, n, n_ttfb, n_total, ord) AS (
    SELECT 0, NULL, sum(n), sum(n_ttfb), sum(n_total), 0 FROM rhosts
    UNION ALL
    SELECT 1, class, sum(n), sum(CASE WHEN bin IS NOT NULL THEN n ELSE 0 END), sum(n_total), 0
    FROM rstat GROUP BY class
    UNION ALL
    SELECT * FROM (SELECT 2, host, n, n_ttfb, n_total,
                          row_number() OVER (ORDER BY n DESC, host)
                   FROM rhosts ORDER BY n DESC, host LIMIT :top)
    UNION ALL
    SELECT * FROM (SELECT 3, endpoint, n, n_ttfb, n_total,
                          row_number() OVER (ORDER BY n DESC, endpoint)
                   FROM rendpoints ORDER BY n DESC, endpoint LIMIT :top)
)
SELECT scope, key, n, n_ttfb, n_total, (SELECT count(*) FROM rendpoints)
FROM g ORDER BY scope, ord, key;

-- 6. the ttfb histogram: bin (0..23, bin i holds [2^(i-4), 2^(i-3)) ms, the first and
--    last open-ended), count
SELECT bin, sum(n) FROM rstat WHERE bin IS NOT NULL GROUP BY bin;

-- 7. the slowest transactions by ttfb (:top rows; rsel holds them)
SELECT time, method, host, uri, status, ttfb_ms, total_ms, request_id, id, endpoint
FROM rsel WHERE ttfb_ms IS NOT NULL
ORDER BY ttfb_ms DESC, id LIMIT :top;

-- 8. violations per rule: rule, severity, reference, summary, count, distinct hosts,
--    hint, then the first breach in time: id, time, client, server, method, uri, status,
--    request id (rsel holds every transaction with a violation)
SELECT g.rule, coalesce(r.severity, g.severity), r.reference, r.summary, g.n, g.hosts,
       r.hint, t.id, t.time, c.client, c.server, t.method, t.uri, t.status, t.request_id
FROM (SELECT v.rule, min(v.severity) AS severity, count(*) AS n,
             count(DISTINCT t.host) AS hosts,
             (SELECT x.transaction_id FROM rv x JOIN rsel y ON y.id = x.transaction_id
              WHERE x.rule = v.rule ORDER BY y.t_ns, y.id LIMIT 1) AS first_id
      FROM rv v JOIN rsel t ON t.id = v.transaction_id
      GROUP BY v.rule) g
LEFT JOIN rules r ON r.id = g.rule
LEFT JOIN rsel t ON t.id = g.first_id
LEFT JOIN rc c ON c.id = t.connection_id
ORDER BY g.n DESC, g.rule;

-- 9. the most affected hosts of each rule (rule, host), at most 5 per rule
SELECT rule, host FROM (
    SELECT v.rule, t.host, count(*) AS n,
           row_number() OVER (PARTITION BY v.rule ORDER BY count(*) DESC, t.host) AS k
    FROM rv v JOIN rsel t ON t.id = v.transaction_id
    WHERE t.host IS NOT NULL
    GROUP BY v.rule, t.host)
WHERE k <= 5 ORDER BY rule, k;

-- 10. the limits of the capture runs (TEMP view capture_limits: no rows from databases
--     written before that table existed): name, largest and smallest value, hits summed,
--     runs that reached it, and on every row the runs that recorded limits at all. Per
--     run, like section 1: the filters do not narrow it.
SELECT name, max(value), min(value), coalesce(sum(hits), 0), coalesce(sum(hits > 0), 0),
       (SELECT count(DISTINCT run) FROM capture_limits)
FROM capture_limits WHERE name IS NOT NULL
GROUP BY name ORDER BY name;
