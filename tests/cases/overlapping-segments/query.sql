SELECT seq, method, uri, status, content_type, response_body_bytes
FROM v_transactions ORDER BY connection_id, seq;
SELECT client_out_of_order, overlap_conflicts FROM connections ORDER BY id;
