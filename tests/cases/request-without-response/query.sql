SELECT seq, method, uri, status, class, request_start_ns, request_end_ns,
       response_start_ns, response_end_ns
FROM v_transactions ORDER BY connection_id, seq;
SELECT t.seq, v.rule, v.severity
FROM violations v JOIN v_transactions t ON t.id = v.transaction_id
ORDER BY t.seq, v.rule;
SELECT end_reason, transactions FROM connections ORDER BY id;
