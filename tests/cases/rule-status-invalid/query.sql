SELECT t.seq, t.method, t.uri, t.status,
       ifnull((SELECT group_concat(rule, ',') FROM (SELECT rule FROM violations v
               WHERE v.transaction_id = t.id ORDER BY rule)), '')
FROM v_transactions t ORDER BY t.connection_id, t.seq;
