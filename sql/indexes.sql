-- indexes.sql - secondary indexes, built once at the end of a run (cheaper than
-- maintaining them row by row while loading).
CREATE INDEX IF NOT EXISTS transactions_connection ON transactions (connection_id, seq);
CREATE INDEX IF NOT EXISTS transactions_capture ON transactions (capture_id);
CREATE INDEX IF NOT EXISTS violations_transaction ON violations (transaction_id);
CREATE INDEX IF NOT EXISTS violations_rule ON violations (rule);
CREATE INDEX IF NOT EXISTS connections_capture ON connections (capture_id);
CREATE INDEX IF NOT EXISTS headers_transaction ON headers (transaction_id);
