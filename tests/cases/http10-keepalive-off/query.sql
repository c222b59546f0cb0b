SELECT client_port, seq, method, uri, request_version, status, response_version,
       request_start_ns, response_start_ns, response_end_ns, response_body_bytes, flags
FROM v_transactions ORDER BY client_port, seq;
SELECT client_port, protocol, end_reason, transactions FROM connections ORDER BY client_port;
