SELECT client_ip, client_port, seq, uri, status, request_start_ns, response_start_ns,
       response_body_bytes
FROM v_transactions ORDER BY client_port, seq;
SELECT client_port, saw_syn, end_reason FROM connections ORDER BY client_port;
