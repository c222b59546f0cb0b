SELECT seq, method, uri, status, content_type, request_start_ns, request_end_ns,
       response_start_ns, response_end_ns, response_body_bytes, flags
FROM v_transactions ORDER BY connection_id, seq;
SELECT server_out_of_order, server_retransmits, server_gap_bytes, overlap_conflicts
FROM connections ORDER BY id;
