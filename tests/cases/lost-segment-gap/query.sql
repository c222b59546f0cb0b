SELECT seq, uri, status, response_start_ns, flags LIKE '%gap%'
FROM v_transactions ORDER BY connection_id, seq;
SELECT client_gap_bytes, server_gap_bytes FROM connections ORDER BY id;
