-- indexes.sql - secondary indexes, built once at the end of a run (cheaper than
-- maintaining them row by row while loading). Each costs a full scan of its table at the
-- end of `httpcap read`, so only lookups that would otherwise scan are indexed: the
-- transactions of a connection, the violations of a transaction or rule, the headers of a
-- transaction. A capture's transactions need none: each run appends them, so they hold
-- consecutive ids unless two runs write at once (and WHERE capture_id = N is one scan).
CREATE INDEX IF NOT EXISTS transactions_connection ON transactions (connection_id, seq);
CREATE INDEX IF NOT EXISTS violations_transaction ON violations (transaction_id);
CREATE INDEX IF NOT EXISTS violations_rule ON violations (rule);
CREATE INDEX IF NOT EXISTS connections_capture ON connections (capture_id);
CREATE INDEX IF NOT EXISTS headers_transaction ON headers (transaction_id);
