SELECT seq, method, uri, status, response_start_ns, response_end_ns, response_body_bytes,
       flags
FROM v_transactions ORDER BY connection_id, seq;
SELECT count(*) FROM violations;
