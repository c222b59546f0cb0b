SELECT seq, client_ip, server_port, method, uri, status, request_start_ns,
       response_start_ns, response_end_ns, response_body_bytes
FROM v_transactions ORDER BY connection_id, seq;
SELECT t.seq, v.rule, v.severity
FROM violations v JOIN v_transactions t ON t.id = v.transaction_id
ORDER BY t.seq, v.rule;
