SELECT seq, method, uri, status, request_start_ns, request_end_ns, response_start_ns,
       response_end_ns, response_body_bytes, flags
FROM v_transactions ORDER BY connection_id, seq;
