SELECT seq, client_ip, client_port, server_ip, server_port, method, uri, status,
       request_start_ns, response_start_ns, response_end_ns, response_body_bytes
FROM v_transactions ORDER BY connection_id, seq;
SELECT client_ip, client_port, server_ip, server_port, protocol, saw_syn
FROM connections ORDER BY id;
SELECT count(*) FROM violations;
