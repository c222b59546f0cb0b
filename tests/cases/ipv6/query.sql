SELECT seq, client_ip, client_port, server_ip, server_port, method, host, uri, status,
       request_start_ns, response_start_ns, response_end_ns, response_body_bytes
FROM v_transactions ORDER BY connection_id, seq;
SELECT ip_version, client_ip, server_ip, saw_syn, end_reason FROM connections ORDER BY id;
