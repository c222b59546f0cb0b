SELECT seq, uri, status, request_start_ns, request_end_ns, response_start_ns,
       response_end_ns, response_body_bytes, flags
FROM v_transactions ORDER BY connection_id, seq;
SELECT client_gap_bytes, server_gap_bytes, client_retransmits, server_retransmits,
       client_out_of_order, server_out_of_order, end_reason
FROM connections ORDER BY id;
