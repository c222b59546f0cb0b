-- report.sql - the queries of `httpcap report`, run read-only by src/report.c in this order
-- (one statement each; report.c steps through them with sqlite3_prepare_v2's tail, so keep
-- the order and the column lists in step with report.c). Never run by `httpcap read`.
-- Percentiles are exact nearest-rank: the value at rank ceil(p/100*n) of the sorted values,
-- written as integer arithmetic (p*n + 99) / 100 so no math functions are needed.

-- 1. capture totals: count, first/last packet (ns and ISO-8601 UTC), packets, bytes,
--    connections, transactions, gap bytes, truncated inputs
SELECT count(*),
       min(first_packet_ns),
       max(last_packet_ns),
       strftime('%Y-%m-%dT%H:%M:%fZ', min(first_packet_ns) / 1e9, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%fZ', max(last_packet_ns) / 1e9, 'unixepoch'),
       coalesce(sum(packets), 0), coalesce(sum(bytes), 0), coalesce(sum(connections), 0),
       coalesce(sum(transactions), 0), coalesce(sum(gap_bytes), 0),
       coalesce(sum(truncated != 0), 0)
FROM captures;

-- 2. the sources, one row per capture run
SELECT id, source FROM captures ORDER BY id;

-- 3. status classes, every one listed even at zero; 'unanswered' is status NULL
WITH k(class, ord) AS (VALUES ('1xx', 1), ('2xx', 2), ('3xx', 3), ('4xx', 4), ('5xx', 5),
                              ('unanswered', 6))
SELECT k.class, (SELECT count(*) FROM v_transactions t
                 WHERE coalesce(t.class, 'unanswered') = k.class)
FROM k ORDER BY k.ord;

-- 4. every status code seen: code, registered reason, count, registered (0/1),
--    effective status (x00 fallback when unregistered) and its reason
SELECT t.status, s.reason, count(*), s.code IS NOT NULL, t.effective_status, e.reason
FROM v_transactions t
LEFT JOIN status_codes s ON s.code = t.status
LEFT JOIN status_codes e ON e.code = t.effective_status
WHERE t.status IS NOT NULL
GROUP BY t.status ORDER BY t.status;

-- 5. latency: per scope (0 all, 1 class, 2 host), key, metric: n, p50, p90, p99, max
WITH v(scope, key, metric, x) AS (
    SELECT 0, NULL, 'ttfb_ms', ttfb_ms FROM v_transactions WHERE ttfb_ms IS NOT NULL
    UNION ALL
    SELECT 0, NULL, 'total_ms', total_ms FROM v_transactions WHERE total_ms IS NOT NULL
    UNION ALL
    SELECT 1, class, 'ttfb_ms', ttfb_ms FROM v_transactions WHERE ttfb_ms IS NOT NULL
    UNION ALL
    SELECT 1, class, 'total_ms', total_ms FROM v_transactions WHERE total_ms IS NOT NULL
    UNION ALL
    SELECT 2, host, 'ttfb_ms', ttfb_ms FROM v_transactions WHERE ttfb_ms IS NOT NULL
    UNION ALL
    SELECT 2, host, 'total_ms', total_ms FROM v_transactions WHERE total_ms IS NOT NULL
),
r AS (
    SELECT scope, key, metric, x,
           row_number() OVER (PARTITION BY scope, key, metric ORDER BY x) AS rn,
           count(*) OVER (PARTITION BY scope, key, metric) AS n
    FROM v
)
SELECT scope, key, metric, n,
       max(CASE WHEN rn = (50 * n + 99) / 100 THEN x END),
       max(CASE WHEN rn = (90 * n + 99) / 100 THEN x END),
       max(CASE WHEN rn = (99 * n + 99) / 100 THEN x END),
       max(x)
FROM r
GROUP BY scope, key, metric
ORDER BY scope, key, metric DESC;

-- 6. the slowest transactions by ttfb (:top rows)
SELECT time, method, host, uri, status, ttfb_ms, total_ms, request_id, id
FROM v_transactions WHERE ttfb_ms IS NOT NULL
ORDER BY ttfb_ms DESC, id LIMIT :top;

-- 7. violations per rule: rule, severity, count, hosts, hint
SELECT c.rule, coalesce(c.severity, (SELECT min(severity) FROM violations w
                                     WHERE w.rule = c.rule)),
       c.count, c.hosts, r.hint
FROM v_rule_counts c LEFT JOIN rules r ON r.id = c.rule
ORDER BY c.count DESC, c.rule;
