/*
 * checkpoint.c - WAL checkpoints on their own thread, so that the thread writing rows never
 *                waits for the disk, and a WAL that starts over before it grows large.
 * Owns: a second SQLite connection to the database and the thread that checkpoints with it;
 *       when the writer should pause so that the WAL can start over.
 * In:   the commits of the writing connection (its WAL hook gives the WAL's size in pages).
 * Out:  a PASSIVE checkpoint each time the WAL has grown past CHECKPOINT_PAGES: WAL pages
 *       copied into the database file, with the writing connection's PRAGMA synchronous:
 *       under NORMAL each file is made durable first, so a power loss can lose the last
 *       commits but never corrupt the file; under OFF (store_open_bulk) nothing waits for
 *       the disk. checkpointer_restart_ready() tells the writer when to commit early so
 *       that the WAL can start over.
 * Never: writes rows, blocks a commit (a PASSIVE checkpoint takes no lock the writer
 *        needs), or runs the final checkpoint (closing the last connection does that).
 *
 * Without it SQLite checkpoints inside the commit that crosses 1,000 pages: the writer
 * then sits in two fdatasync calls while the readers fill its queue (1.2 s of 7.4 s on
 * the 1 GB heavy bench capture).
 *
 * Starting over. SQLite writes the WAL from its start again only when a write transaction
 * begins after a checkpoint that copied every page, and the writer begins its next batch
 * right after each commit, before the checkpoint of that commit has run: left alone, the
 * WAL grows to about the size of the data written (196 MB for the 1 GB heavy capture),
 * costs that much disk beside the database, and takes 0.1 s to delete at the close. Once
 * the WAL holds CHECKPOINT_RESTART_BYTES, the next checkpoint is awaited: when it is done,
 * checkpointer_restart_ready() asks the writer to commit the rows it has (a short batch);
 * that commit's hook waits for the checkpoint of those few pages (two small fdatasync
 * calls), and the writer's next transaction starts the WAL over. The readers go on filling
 * the writer's queue meanwhile. A writer that commits faster than the checkpoints copy
 * (not httpcap's: its checkpoints take about a fifth of a batch) waits in the hook of the
 * commit that brings the WAL to twice CHECKPOINT_RESTART_BYTES.
 */
#include "checkpoint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* SQLite's own auto-checkpoint threshold (pages; 16 MiB in the 16 KiB pages of the
 * databases httpcap creates). */
#define CHECKPOINT_PAGES 1000
/* The WAL size past which the writer pauses so that the WAL can start over; the WAL file
 * stays below this plus one batch (about 45 MB in all), and never passes twice this plus
 * one batch. */
#define CHECKPOINT_RESTART_BYTES (32 << 20)

/* Where the WAL is on its way to starting over. */
enum restart_step {
    RESTART_NONE,    /* the WAL is small */
    RESTART_DUE,     /* it is large: the checkpoint of the last commit is awaited */
    RESTART_READY    /* that checkpoint is done: the writer should commit now */
};

struct checkpointer {
    sqlite3 *writer_db; /* the connection whose WAL hook this is */
    sqlite3 *db;        /* ours, used only on our thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int pending; /* the WAL grew past CHECKPOINT_PAGES since the last checkpoint */
    int quit;
    unsigned long done;     /* checkpoints that copied every WAL page (under mu) */
    unsigned long started;  /* checkpoints begun (under mu) */
    unsigned long finished; /* checkpoints ended, in order (under mu) */
    unsigned long due_number; /* the checkpoint awaited while RESTART_DUE (under mu) */
    int restart_pages;      /* CHECKPOINT_RESTART_BYTES in the database's pages */
    int restart_at;         /* WAL size (pages) at which to start it over (writer only) */
    int last_wal_pages;     /* its size after the last commit (writer only) */
    atomic_int step;        /* enum restart_step; set under mu, read by the writer */
};

/* Writer thread: wake the checkpoint thread for a new checkpoint. Returns its number
 * (under mu). */
static unsigned long request(struct checkpointer *c)
{
    c->pending = 1;
    pthread_cond_broadcast(&c->wake);
    return c->started + 1;
}

/* Writer thread, right after the short commit: wait for the checkpoint of everything
 * committed, so that the next write transaction starts the WAL over. Should a reader keep
 * it from starting over, the next try waits for CHECKPOINT_RESTART_BYTES more. */
static void restart_now(struct checkpointer *c, int wal_pages)
{
    pthread_mutex_lock(&c->mu);
    unsigned long want = request(c);
    while (c->finished < want && !c->quit)
        pthread_cond_wait(&c->wake, &c->mu);
    atomic_store(&c->step, RESTART_NONE);
    pthread_mutex_unlock(&c->mu);
    c->restart_at = wal_pages + c->restart_pages;
}

/* The writer's commit hook: runs on the writing thread after the commit, with no lock
 * held. It raises a flag for the checkpoint thread, but for the short commit of a
 * restart, whose checkpoint it awaits. */
static int on_commit(void *arg, sqlite3 *db, const char *schema, int wal_pages)
{
    struct checkpointer *c = arg;
    (void)db;
    (void)schema;
    if (wal_pages < c->last_wal_pages) /* the WAL started over */
        c->restart_at = c->restart_pages;
    c->last_wal_pages = wal_pages;
    if (atomic_load(&c->step) == RESTART_READY) {
        restart_now(c, wal_pages);
        return SQLITE_OK;
    }
    if (wal_pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->mu);
        unsigned long number = request(c);
        if (wal_pages >= c->restart_at && atomic_load(&c->step) == RESTART_NONE) {
            c->due_number = number;
            atomic_store(&c->step, RESTART_DUE);
        }
        pthread_mutex_unlock(&c->mu);
        /* the checkpoints fall behind a writer that commits faster than they copy: wait
         * for them now rather than let the WAL grow further */
        if (wal_pages >= c->restart_at + c->restart_pages)
            restart_now(c, wal_pages);
    }
    return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
    struct checkpointer *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->pending && !c->quit)
            pthread_cond_wait(&c->wake, &c->mu);
        if (c->quit)
            break;
        c->pending = 0;
        unsigned long number = ++c->started;
        pthread_mutex_unlock(&c->mu);
        /* a failure here (SQLITE_BUSY from another process's checkpoint, an I/O error)
         * leaves the pages in the WAL, where the next checkpoint or the close finds them */
        int log = -1, copied = -1;
        int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &copied);
        pthread_mutex_lock(&c->mu);
        if (rc == SQLITE_OK && log >= 0 && copied == log)
            c->done++;
        c->finished = number;
        /* the checkpoint of the commit that made a restart due is done: the writer may
         * commit its short batch */
        if (number >= c->due_number && atomic_load(&c->step) == RESTART_DUE)
            atomic_store(&c->step, RESTART_READY);
        pthread_cond_broadcast(&c->wake);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void free_checkpointer(struct checkpointer *c)
{
    sqlite3_close(c->db);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* restart_pages from the database's page size. 0, or -1 when it cannot be read. */
static int set_restart_pages(struct checkpointer *c)
{
    sqlite3_stmt *q;
    int page_size = 0;
    if (sqlite3_prepare_v2(c->db, "PRAGMA page_size", -1, &q, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        page_size = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (page_size <= 0)
        return -1;
    c->restart_pages = CHECKPOINT_RESTART_BYTES / page_size;
    if (c->restart_pages < CHECKPOINT_PAGES)
        c->restart_pages = CHECKPOINT_PAGES;
    c->restart_at = c->restart_pages;
    return 0;
}

/* The writing connection's PRAGMA synchronous (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA), which
 * ours copies: its checkpoints sync the files exactly when the writer's would. NORMAL
 * when it cannot be read. */
static int synchronous_of(sqlite3 *writer_db)
{
    sqlite3_stmt *q;
    int level = 1;
    if (sqlite3_prepare_v2(writer_db, "PRAGMA synchronous", -1, &q, NULL) != SQLITE_OK)
        return level;
    if (sqlite3_step(q) == SQLITE_ROW)
        level = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return level >= 0 && level <= 3 ? level : 1;
}

struct checkpointer *checkpointer_start(sqlite3 *writer_db, const char *path)
{
    struct checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->wake, NULL);
    c->writer_db = writer_db;
    atomic_init(&c->step, RESTART_NONE);
    /* no symbolic link followed: the path is the one SQLite resolved for writer_db, and if
     * a link was planted there since, SQLite's own checkpoints do the work instead */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    /* no busy timeout: a PASSIVE checkpoint never waits for a lock */
    char sync_sql[48];
    snprintf(sync_sql, sizeof sync_sql, "PRAGMA synchronous=%d", synchronous_of(writer_db));
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, sync_sql, NULL, NULL, NULL) != SQLITE_OK ||
        set_restart_pages(c) != 0 ||
        pthread_create(&c->thread, NULL, checkpoint_main, c) != 0) {
        free_checkpointer(c);
        return NULL;
    }
    /* named here, not by the thread itself: the name is there before the caller goes on
     * to start the writer thread (top -H, ps -L, and test_privileges look for both) */
    pthread_setname_np(c->thread, "httpcap ckpt");
    sqlite3_wal_hook(writer_db, on_commit, c);
    return c;
}

int checkpointer_restart_ready(struct checkpointer *c)
{
    return c && atomic_load_explicit(&c->step, memory_order_relaxed) == RESTART_READY;
}

unsigned long checkpointer_done(struct checkpointer *c)
{
    pthread_mutex_lock(&c->mu);
    unsigned long n = c->done;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void checkpointer_stop(struct checkpointer *c)
{
    if (!c)
        return;
    /* back to SQLite's own checkpoints, inside the commits */
    sqlite3_wal_autocheckpoint(c->writer_db, CHECKPOINT_PAGES);
    pthread_mutex_lock(&c->mu);
    c->quit = 1;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    free_checkpointer(c);
}
