-- schema.sql - httpcap's tables: the public SQL interface (keep names stable).
-- Times are INTEGER nanoseconds since the Unix epoch; sizes are bytes.
-- Applied by httpcap when it opens a database; every statement is idempotent.
-- sql/pg/schema.sql is the same for PostgreSQL: change both (tests/e2e/test_pg_schema.py).

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,          -- 'schema_version', ...
    value TEXT NOT NULL
);

-- One row per `httpcap read` or `capture` run.
CREATE TABLE IF NOT EXISTS captures (
    id               INTEGER PRIMARY KEY,
    source           TEXT NOT NULL,  -- file names (space separated) or interface
    filter           TEXT,           -- BPF filter, NULL when none
    link_type        INTEGER,        -- DLT number of the first source
    link_type_name   TEXT,           -- e.g. 'EN10MB'
    started_ns       INTEGER,        -- wall clock when the run started
    finished_ns      INTEGER,        -- wall clock when it finished (NULL while running)
    first_packet_ns  INTEGER,        -- capture time of the first packet
    last_packet_ns   INTEGER,        -- capture time of the last packet
    packets          INTEGER NOT NULL DEFAULT 0, -- packets read
    bytes            INTEGER NOT NULL DEFAULT 0, -- bytes on the wire of those packets
    tcp_segments     INTEGER NOT NULL DEFAULT 0, -- packets that decoded to TCP
    ip_fragments     INTEGER NOT NULL DEFAULT 0, -- IP fragments (counted and skipped)
    skipped_packets  INTEGER NOT NULL DEFAULT 0, -- not TCP, not IP, or broken headers
    kernel_drops     INTEGER,        -- live capture: dropped by the kernel
    interface_drops  INTEGER,        -- live capture: dropped by the interface
    connections      INTEGER NOT NULL DEFAULT 0, -- TCP connections seen
    peak_connections INTEGER NOT NULL DEFAULT 0, -- most connections open at once
    transactions     INTEGER NOT NULL DEFAULT 0, -- rows written to transactions
    gap_bytes        INTEGER NOT NULL DEFAULT 0, -- TCP bytes lost (never captured)
    clamped_timestamps INTEGER NOT NULL DEFAULT 0, -- absurd packet times that were clamped
    truncated        INTEGER NOT NULL DEFAULT 0, -- 1 when an input ended in the middle of a packet
    error            TEXT,           -- the read error, if any
    program_version  TEXT NOT NULL,
    sensor           TEXT            -- --sensor NAME, else the host name (schema version 2)
);

-- Why packets were skipped, per capture (decode reasons such as 'ip-fragment').
CREATE TABLE IF NOT EXISTS capture_skips (
    capture_id INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    packets    INTEGER NOT NULL,
    PRIMARY KEY (capture_id, reason)
);

-- The caps that keep a run bounded (httpcap read --help), one row per cap per capture:
-- its value and how often it was reached. hits > 0 means data was left out: see the
-- README's "Limits" for what each hit means and which option raises the cap.
CREATE TABLE IF NOT EXISTS capture_limits (
    capture_id INTEGER NOT NULL,
    name       TEXT NOT NULL,    -- the option without "--", e.g. 'max-connections'
    value      INTEGER NOT NULL, -- the cap in force
    hits       INTEGER NOT NULL, -- times it was reached
    PRIMARY KEY (capture_id, name)
);

-- One row per TCP connection. "client" sent the SYN, or else the first request.
CREATE TABLE IF NOT EXISTS connections (
    id                  INTEGER PRIMARY KEY,
    capture_id          INTEGER NOT NULL,
    ip_version          INTEGER NOT NULL, -- 4 or 6
    client_ip           TEXT NOT NULL,
    client_port         INTEGER NOT NULL,
    server_ip           TEXT NOT NULL,
    server_port         INTEGER NOT NULL,
    protocol            TEXT NOT NULL,    -- 'http', 'tls', 'other', 'unknown' (no payload)
    roles_known         INTEGER NOT NULL, -- 1 when client/server came from a SYN or HTTP
    saw_syn             INTEGER NOT NULL, -- 1 when the handshake was captured
    first_ns            INTEGER NOT NULL, -- first packet
    last_ns             INTEGER NOT NULL, -- last packet
    end_reason          TEXT NOT NULL,    -- 'fin','rst','timeout','end-of-capture','evicted','port-reused'
    client_packets      INTEGER NOT NULL,
    server_packets      INTEGER NOT NULL,
    client_bytes        INTEGER NOT NULL, -- TCP payload bytes sent by the client
    server_bytes        INTEGER NOT NULL,
    client_retransmits  INTEGER NOT NULL, -- segments repeating data already seen
    server_retransmits  INTEGER NOT NULL,
    client_out_of_order INTEGER NOT NULL, -- segments that arrived ahead of a hole
    server_out_of_order INTEGER NOT NULL,
    client_gap_bytes    INTEGER NOT NULL, -- bytes lost by the capture
    server_gap_bytes    INTEGER NOT NULL,
    overlap_conflicts   INTEGER NOT NULL, -- overlapping copies with different bytes
    transactions        INTEGER NOT NULL, -- rows in transactions for this connection
    truncated           INTEGER NOT NULL DEFAULT 0, -- of those, flagged 'truncated'
    truncated_with_status INTEGER NOT NULL DEFAULT 0 -- of those, with a status
);

-- One row per HTTP exchange: a request and its final response (either may be missing).
CREATE TABLE IF NOT EXISTS transactions (
    id                       INTEGER PRIMARY KEY,
    capture_id               INTEGER NOT NULL,
    connection_id            INTEGER NOT NULL,
    seq                      INTEGER NOT NULL, -- 1-based order on its connection
    method                   TEXT,
    host                     TEXT,
    uri                      TEXT,
    request_version          TEXT,             -- '1.1', '1.0'
    status                   INTEGER,          -- final status code, NULL when unanswered
    reason                   TEXT,
    response_version         TEXT,
    interim                  TEXT,             -- comma list of 1xx codes before the final one
    request_start_ns         INTEGER,
    request_end_ns           INTEGER,
    response_start_ns        INTEGER,
    response_end_ns          INTEGER,
    request_header_bytes     INTEGER,
    request_body_bytes       INTEGER,          -- decoded (chunked framing removed)
    request_body_wire_bytes  INTEGER,          -- as sent
    response_header_bytes    INTEGER,
    response_body_bytes      INTEGER,
    response_body_wire_bytes INTEGER,
    content_type             TEXT,
    content_encoding         TEXT,
    server                   TEXT,
    location                 TEXT,
    user_agent               TEXT,
    request_id               TEXT,
    violations               INTEGER NOT NULL DEFAULT 0, -- rows in violations
    flags                    TEXT NOT NULL DEFAULT ''    -- comma list: gap, truncated, uri-cut...
);

-- One row per rule breach (rule ids from the rules table / RULES.md).
CREATE TABLE IF NOT EXISTS violations (
    id             INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL,
    rule           TEXT NOT NULL,
    severity       TEXT NOT NULL,     -- 'error', 'warning', 'info'
    detail         TEXT
);

-- The rule catalogue (filled by httpcap from its built-in table).
CREATE TABLE IF NOT EXISTS rules (
    id            TEXT PRIMARY KEY,
    severity      TEXT NOT NULL,
    reference     TEXT NOT NULL,     -- RFC 9110 / 9112 section
    reference_old TEXT,              -- RFC 7230-7235 section
    summary       TEXT NOT NULL,
    hint          TEXT
);

-- With --store-headers: every header line of both messages.
CREATE TABLE IF NOT EXISTS headers (
    transaction_id INTEGER NOT NULL,
    direction      TEXT NOT NULL,    -- 'request' or 'response'
    position       INTEGER NOT NULL, -- 1-based order within its message
    name           TEXT NOT NULL,
    value          TEXT NOT NULL
);

-- `httpcap capture`: one row per worker (--workers N: 0..N-1; one row with --workers 1),
-- written when the capture ends. The captures row's packets, bytes, kernel_drops,
-- connections and transactions are the sums of these; interface_drops is the interface's
-- own counter, which every worker's handle reads alike, so captures takes the largest.
CREATE TABLE IF NOT EXISTS capture_workers (
    capture_id   INTEGER NOT NULL,
    worker       INTEGER NOT NULL,   -- 0..N-1
    packets      INTEGER NOT NULL,   -- packets this worker read
    bytes        INTEGER NOT NULL,
    kernel_drops INTEGER,            -- pcap_stats ps_drop of its handle
    interface_drops INTEGER,
    connections  INTEGER NOT NULL,
    transactions INTEGER NOT NULL,
    PRIMARY KEY (capture_id, worker)
);
