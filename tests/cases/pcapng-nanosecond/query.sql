SELECT client_port, seq, uri, status, request_end_ns, response_start_ns,
       response_start_ns - request_end_ns, response_end_ns - request_start_ns,
       printf('%.6f', ttfb_ms)
FROM v_transactions ORDER BY client_port, seq;
