-- pg/schema.sql - httpcap's tables in PostgreSQL (`-o postgresql://`, `httpcap push`): the
-- same tables and columns as sql/schema.sql and sql/status_codes.sql (INTEGER is BIGINT),
-- kept in step by tests/e2e/test_pg_schema.py, plus PostgreSQL-only bookkeeping
-- (capture_origins). Applied by httpcap on each push; every statement is idempotent.
-- rules and status_codes are filled by httpcap from the same sources as in SQLite.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS captures (
    id               BIGINT PRIMARY KEY,
    source           TEXT NOT NULL,
    filter           TEXT,
    link_type        BIGINT,
    link_type_name   TEXT,
    started_ns       BIGINT,
    finished_ns      BIGINT,
    first_packet_ns  BIGINT,
    last_packet_ns   BIGINT,
    packets          BIGINT NOT NULL DEFAULT 0,
    bytes            BIGINT NOT NULL DEFAULT 0,
    tcp_segments     BIGINT NOT NULL DEFAULT 0,
    ip_fragments     BIGINT NOT NULL DEFAULT 0,
    skipped_packets  BIGINT NOT NULL DEFAULT 0,
    kernel_drops     BIGINT,
    interface_drops  BIGINT,
    connections      BIGINT NOT NULL DEFAULT 0,
    peak_connections BIGINT NOT NULL DEFAULT 0,
    transactions     BIGINT NOT NULL DEFAULT 0,
    gap_bytes        BIGINT NOT NULL DEFAULT 0,
    clamped_timestamps BIGINT NOT NULL DEFAULT 0,
    truncated        BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    program_version  TEXT NOT NULL,
    sensor           TEXT            -- --sensor NAME, else the sensor's host name
);

CREATE TABLE IF NOT EXISTS capture_skips (
    capture_id BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    packets    BIGINT NOT NULL,
    PRIMARY KEY (capture_id, reason)
);

CREATE TABLE IF NOT EXISTS capture_limits (
    capture_id BIGINT NOT NULL,
    name       TEXT NOT NULL,
    value      BIGINT NOT NULL,
    hits       BIGINT NOT NULL,
    PRIMARY KEY (capture_id, name)
);

-- capture --workers N: one row per worker (capture_id, worker).
CREATE TABLE IF NOT EXISTS capture_workers (
    capture_id      BIGINT NOT NULL,
    worker          BIGINT NOT NULL,
    packets         BIGINT NOT NULL,
    bytes           BIGINT NOT NULL,
    kernel_drops    BIGINT,
    interface_drops BIGINT,
    connections     BIGINT NOT NULL,
    transactions    BIGINT NOT NULL,
    PRIMARY KEY (capture_id, worker)
);

CREATE TABLE IF NOT EXISTS connections (
    id                  BIGINT PRIMARY KEY,
    capture_id          BIGINT NOT NULL,
    ip_version          BIGINT NOT NULL,
    client_ip           TEXT NOT NULL,
    client_port         BIGINT NOT NULL,
    server_ip           TEXT NOT NULL,
    server_port         BIGINT NOT NULL,
    protocol            TEXT NOT NULL,
    roles_known         BIGINT NOT NULL,
    saw_syn             BIGINT NOT NULL,
    first_ns            BIGINT NOT NULL,
    last_ns             BIGINT NOT NULL,
    end_reason          TEXT NOT NULL,
    client_packets      BIGINT NOT NULL,
    server_packets      BIGINT NOT NULL,
    client_bytes        BIGINT NOT NULL,
    server_bytes        BIGINT NOT NULL,
    client_retransmits  BIGINT NOT NULL,
    server_retransmits  BIGINT NOT NULL,
    client_out_of_order BIGINT NOT NULL,
    server_out_of_order BIGINT NOT NULL,
    client_gap_bytes    BIGINT NOT NULL,
    server_gap_bytes    BIGINT NOT NULL,
    overlap_conflicts   BIGINT NOT NULL,
    transactions        BIGINT NOT NULL,
    truncated           BIGINT NOT NULL DEFAULT 0,
    truncated_with_status BIGINT NOT NULL DEFAULT 0
);
-- schema version 3 added the two columns above; httpcap counts them for older rows
ALTER TABLE connections ADD COLUMN IF NOT EXISTS truncated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN IF NOT EXISTS truncated_with_status BIGINT NOT NULL
    DEFAULT 0;

CREATE TABLE IF NOT EXISTS transactions (
    id                       BIGINT PRIMARY KEY,
    capture_id               BIGINT NOT NULL,
    connection_id            BIGINT NOT NULL,
    seq                      BIGINT NOT NULL,
    method                   TEXT,
    host                     TEXT,
    uri                      TEXT,
    request_version          TEXT,
    status                   BIGINT,
    reason                   TEXT,
    response_version         TEXT,
    interim                  TEXT,
    request_start_ns         BIGINT,
    request_end_ns           BIGINT,
    response_start_ns        BIGINT,
    response_end_ns          BIGINT,
    request_header_bytes     BIGINT,
    request_body_bytes       BIGINT,
    request_body_wire_bytes  BIGINT,
    response_header_bytes    BIGINT,
    response_body_bytes      BIGINT,
    response_body_wire_bytes BIGINT,
    content_type             TEXT,
    content_encoding         TEXT,
    server                   TEXT,
    location                 TEXT,
    user_agent               TEXT,
    request_id               TEXT,
    violations               BIGINT NOT NULL DEFAULT 0,
    flags                    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS violations (
    id             BIGINT PRIMARY KEY,
    transaction_id BIGINT NOT NULL,
    rule           TEXT NOT NULL,
    severity       TEXT NOT NULL,
    detail         TEXT
);

CREATE TABLE IF NOT EXISTS rules (
    id            TEXT PRIMARY KEY,
    severity      TEXT NOT NULL,
    reference     TEXT NOT NULL,
    reference_old TEXT,
    summary       TEXT NOT NULL,
    hint          TEXT
);

-- (transaction_id, direction, position) is the row's identity: a re-shipped header line
-- is recognised as the same one
CREATE TABLE IF NOT EXISTS headers (
    transaction_id BIGINT NOT NULL,
    direction      TEXT NOT NULL,
    position       BIGINT NOT NULL,
    name           TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (transaction_id, direction, position)
);

CREATE TABLE IF NOT EXISTS status_codes (
    code           BIGINT PRIMARY KEY,
    reason         TEXT NOT NULL,
    reason_rfc7231 TEXT,
    class          TEXT NOT NULL,
    registered     BIGINT NOT NULL DEFAULT 1,
    status         TEXT NOT NULL,
    cacheable      BIGINT NOT NULL DEFAULT 0,
    reference      TEXT NOT NULL,
    meaning        TEXT NOT NULL,
    hint           TEXT
);

-- PostgreSQL only: where each sensor's capture went. A capture of a spool (its random
-- origin token and its id there) gets capture id capture_id here, and its connections,
-- transactions and violations the ids [X_base, X_base + X_span) in order: id here =
-- X_base + (id in the spool - X_local). A finished capture reserves exactly its ids, a
-- live one 2^32 of each, so sensors never collide and a capture pushed again (after a
-- crash, or by `httpcap push`) lands on the same ids (ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS capture_origins (
    origin           TEXT NOT NULL,
    local_capture_id BIGINT NOT NULL,
    capture_id       BIGINT NOT NULL UNIQUE,
    sensor           TEXT,
    conn_local       BIGINT NOT NULL,
    conn_base        BIGINT NOT NULL,
    conn_span        BIGINT NOT NULL,
    txn_local        BIGINT NOT NULL,
    txn_base         BIGINT NOT NULL,
    txn_span         BIGINT NOT NULL,
    viol_local       BIGINT NOT NULL,
    viol_base        BIGINT NOT NULL,
    viol_span        BIGINT NOT NULL,
    PRIMARY KEY (origin, local_capture_id)
);

CREATE INDEX IF NOT EXISTS transactions_connection ON transactions (connection_id, seq);
CREATE INDEX IF NOT EXISTS transactions_capture ON transactions (capture_id);
CREATE INDEX IF NOT EXISTS violations_transaction ON violations (transaction_id);
CREATE INDEX IF NOT EXISTS violations_rule ON violations (rule);
CREATE INDEX IF NOT EXISTS connections_capture ON connections (capture_id);
