/*
 * checkpoint.h - WAL checkpoints on their own thread (see checkpoint.c).
 */
#ifndef HTTPCAP_CHECKPOINT_H
#define HTTPCAP_CHECKPOINT_H

#include <sqlite3.h>

struct checkpointer;

/* Open a second connection to path (a WAL database that writer_db has open), start its
 * thread and take over writer_db's WAL hook, which replaces SQLite's checkpoints inside the
 * commits. NULL when any of that fails: the caller goes on with SQLite's own. */
struct checkpointer *checkpointer_start(sqlite3 *writer_db, const char *path);

/* 1 when the writer should commit now, even with a short batch: the WAL is large, all
 * of it but the rows since the last commit is in the database file, and after this
 * commit (whose hook waits for their checkpoint) the WAL starts over. 0 for NULL. Cheap
 * enough to ask after every row; only the writer thread asks. */
int checkpointer_restart_ready(struct checkpointer *c);

/* How many checkpoints so far copied the whole WAL into the database file. */
unsigned long checkpointer_done(struct checkpointer *c);

/* Give writer_db its automatic checkpoints back, join the thread, close the connection.
 * NULL is a no-op. The WAL may still hold pages: the close of the last connection
 * checkpoints them. */
void checkpointer_stop(struct checkpointer *c);

#endif
