SELECT count(*) FROM v_transactions;
SELECT client_ip, client_port, server_ip, server_port, protocol, end_reason, saw_syn,
       transactions
FROM connections ORDER BY id;
SELECT count(*) FROM violations;
