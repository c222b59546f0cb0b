/*
 * fuzz_capture.c - libFuzzer target for a whole capture: the input is a pcap or pcapng
 * file read by pipeline_read() end to end (source, decode, flow, reasm, http, rules,
 * writer, store) into an in-memory SQLite database, whose rows are then checked against
 * each other and against the summary.
 * Owns: a memfd holding the input and a memdb database, both gone when the run ends;
 *       small caps, so eviction, the reassembly cap and the pending-request cap are
 *       reached by small inputs; an input of odd size is read through a BPF filter
 *       (compiled per link type), one of even size without.
 * Out:  crashes on bad memory, a leak, or rows that disagree.
 * Never: writes a file or keeps state between inputs (but SQLite's URI setting).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pipeline.h"

/* The smallest record that yields a packet: a pcap record header or a pcapng simple
 * packet block. */
#define MIN_RECORD_BYTES 16

/* Compiles for most link types; where it does not, that link type's packets never match. */
#define FILTER "not port 9"

/* SQLite's memdb VFS: one in-memory database shared by the connections of this process
 * that name it, freed when the last one closes. */
#define DB_URI "file:/httpcap-fuzz?vfs=memdb"

/* Each query returns 1 when its invariant holds for capture ?1. */
static const char *const db_checks[] = {
    "SELECT (SELECT count(*) FROM connections WHERE capture_id = ?1) = "
    " (SELECT connections FROM captures WHERE id = ?1)",
    "SELECT (SELECT count(*) FROM transactions WHERE capture_id = ?1) = "
    " (SELECT transactions FROM captures WHERE id = ?1)",
    "SELECT (SELECT coalesce(sum(transactions), 0) FROM connections WHERE capture_id = ?1) = "
    " (SELECT transactions FROM captures WHERE id = ?1)",
    "SELECT NOT EXISTS (SELECT 1 FROM transactions t WHERE NOT EXISTS "
    " (SELECT 1 FROM connections c WHERE c.id = t.connection_id))",
    "SELECT NOT EXISTS (SELECT 1 FROM violations v WHERE NOT EXISTS "
    " (SELECT 1 FROM transactions t WHERE t.id = v.transaction_id))",
    "SELECT NOT EXISTS (SELECT 1 FROM headers h WHERE NOT EXISTS "
    " (SELECT 1 FROM transactions t WHERE t.id = h.transaction_id))",
    "SELECT NOT EXISTS (SELECT 1 FROM connections c WHERE c.capture_id = ?1 AND "
    " c.transactions != (SELECT count(*) FROM transactions t WHERE t.connection_id = c.id))",
    "SELECT NOT EXISTS (SELECT 1 FROM transactions WHERE capture_id = ?1 "
    " GROUP BY connection_id HAVING max(seq) != count(*) OR count(DISTINCT seq) != count(*))",
    "SELECT gap_bytes = (SELECT coalesce(sum(client_gap_bytes + server_gap_bytes), 0) "
    " FROM connections WHERE capture_id = ?1) AND tcp_segments >= "
    " (SELECT coalesce(sum(client_packets + server_packets), 0) FROM connections "
    "  WHERE capture_id = ?1) FROM captures WHERE id = ?1",
    "SELECT tcp_segments + skipped_packets = packets AND finished_ns IS NOT NULL AND "
    " skipped_packets = (SELECT coalesce(sum(packets), 0) FROM capture_skips "
    "  WHERE capture_id = ?1) FROM captures WHERE id = ?1",
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The database, opened before pipeline_read() so that it outlives the store's connection;
 * NULL when URIs cannot be enabled (then ":memory:" is used and rows are not checked). */
static sqlite3 *open_db(void)
{
    static int uri_ok = -1;
    sqlite3 *db = NULL;
    if (uri_ok < 0)
        uri_ok = sqlite3_config(SQLITE_CONFIG_URI, 1) == SQLITE_OK;
    if (!uri_ok)
        return NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
    if (sqlite3_open_v2(DB_URI, &db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static int query_true(sqlite3 *db, const char *sql, int64_t capture_id)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    FUZZ_CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_int64(st, 1, capture_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        ok = sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (!ok)
        fprintf(stderr, "fuzz_capture: does not hold: %s\n", sql);
    return ok;
}

/* The summary against the captures row, and the rows against each other. */
static void check_rows(sqlite3 *db, const struct pipeline_summary *sum)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT packets = %llu AND connections = %llu AND transactions = %llu "
             "FROM captures WHERE id = ?1",
             (unsigned long long)sum->packets, (unsigned long long)sum->connections,
             (unsigned long long)sum->transactions);
    FUZZ_CHECK(query_true(db, sql, sum->capture_id));
    for (size_t i = 0; i < sizeof db_checks / sizeof db_checks[0]; i++)
        FUZZ_CHECK(query_true(db, db_checks[i], sum->capture_id));
}

static void check_result(int rc, const char *err, const struct pipeline_summary *sum,
                         size_t size)
{
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(memchr(err, '\0', HTTPCAP_ERRBUF) != NULL);
    if (rc == -1)
        FUZZ_CHECK(err[0] != '\0');
    FUZZ_CHECK(sum->packets <= size / MIN_RECORD_BYTES);
    FUZZ_CHECK(sum->connections <= sum->packets);
}

static void run(const char *path, size_t size)
{
    sqlite3 *db = open_db();
    struct pipeline_options o;
    pipeline_defaults(&o);
    o.db_path = db ? DB_URI : ":memory:";
    o.quiet = 1;
    o.store_headers = 1;
    /* every limit small enough for a fuzz input to reach */
    uint64_t *lim = o.limits.value;
    lim[LIMIT_CONNECTIONS] = 8;
    lim[LIMIT_OOO_BYTES] = 16u << 10;
    lim[LIMIT_REASM_BYTES] = 24u << 10;
    lim[LIMIT_PENDING] = 8;
    lim[LIMIT_STORED_HEADER_BYTES] = 4096;
    lim[LIMIT_HEADER_BYTES] = 2048;
    lim[LIMIT_HEADERS] = 24;
    lim[LIMIT_URI_BYTES] = 256;
    o.filter = size % 2 ? FILTER : NULL;
    struct pipeline_summary sum;
    memset(&sum, 0, sizeof sum);
    char err[HTTPCAP_ERRBUF] = "";
    const char *files[1] = {path};
    int rc = pipeline_read(&o, files, 1, &sum, err);
    check_result(rc, err, &sum, size);
    /* A read error still stores what came before it; a database error does not. */
    if (db && sum.capture_id > 0 && strncmp(err, o.db_path, strlen(o.db_path)) != 0)
        check_rows(db, &sum);
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_capture", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (write_all(fd, data, size) == 0)
        run(path, size);
    close(fd);
    return 0;
}
