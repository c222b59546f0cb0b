/*
 * checkpoint.c - WAL checkpoints on their own thread, so that the thread writing rows never
 *                waits for the disk.
 * Owns: a second SQLite connection to the database and the thread that checkpoints with it.
 * In:   the commits of the writing connection (its WAL hook gives the WAL's size in pages).
 * Out:  a PASSIVE checkpoint each time the WAL has grown past CHECKPOINT_PAGES: WAL pages
 *       copied into the database file, each file made durable first (synchronous=NORMAL,
 *       as on the writing connection, so a power loss can lose the last commits but never
 *       corrupt the file).
 * Never: writes rows, blocks a commit (a PASSIVE checkpoint takes no lock the writer
 *        needs), or runs the final checkpoint (closing the last connection does that).
 *
 * Without it SQLite checkpoints inside the commit that crosses 1,000 pages: the writer
 * then sits in two fdatasync calls while the readers fill its queue (1.2 s of 7.4 s on
 * the 1 GB heavy bench capture).
 */
#include "checkpoint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* SQLite's own auto-checkpoint threshold (pages; 16 MiB in the 16 KiB pages of the
 * databases httpcap creates). A PASSIVE checkpoint copies only what was committed when it
 * began, and SQLite restarts the WAL from its start only when a write transaction begins
 * after a checkpoint that copied everything: while the writer never pauses (reading a
 * large file) that does not happen, and the WAL file grows to about the size of the data
 * written (196 MB for the 1 GB heavy capture) until the close removes it. */
#define CHECKPOINT_PAGES 1000

struct checkpointer {
    sqlite3 *writer_db; /* the connection whose WAL hook this is */
    sqlite3 *db;        /* ours, used only on our thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int pending; /* the WAL grew past CHECKPOINT_PAGES since the last checkpoint */
    int quit;
    unsigned long done; /* checkpoints that copied every WAL page (under mu) */
};

/* The writer's commit hook: runs on the writing thread, so it only raises a flag. */
static int on_commit(void *arg, sqlite3 *db, const char *schema, int wal_pages)
{
    struct checkpointer *c = arg;
    (void)db;
    (void)schema;
    if (wal_pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->mu);
        c->pending = 1;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->mu);
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
        pthread_mutex_unlock(&c->mu);
        /* a failure here (SQLITE_BUSY from another process's checkpoint, an I/O error)
         * leaves the pages in the WAL, where the next checkpoint or the close finds them */
        int log = -1, copied = -1;
        int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &copied);
        pthread_mutex_lock(&c->mu);
        if (rc == SQLITE_OK && log >= 0 && copied == log)
            c->done++;
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

struct checkpointer *checkpointer_start(sqlite3 *writer_db, const char *path)
{
    struct checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->wake, NULL);
    c->writer_db = writer_db;
    /* no symbolic link followed: the path is the one SQLite resolved for writer_db, and if
     * a link was planted there since, SQLite's own checkpoints do the work instead */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    /* no busy timeout: a PASSIVE checkpoint never waits for a lock */
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
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
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    free_checkpointer(c);
}
