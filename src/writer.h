/*
 * writer.h - SQLite on its own thread: the pipeline hands finished transactions and
 * connections over in large batches, and a writer thread stores them through store.c.
 * Owns: the writer thread, the batches in flight (at most WRITER_BATCHES, so memory stays
 *       bounded whatever the capture size), the first store error.
 * In:   txn, txn_violations and store_conn records, deep-copied during the call.
 * Out:  calls to store_put_txn, store_put_conn and store_commit on the writer thread.
 * Never: touches the store from the caller's thread while the writer may be using it;
 *        between writer_sync() returning and the next put, the caller may use the store.
 */
#ifndef HTTPCAP_WRITER_H
#define HTTPCAP_WRITER_H

#include <stdint.h>

#include "errbuf.h"
#include "store.h"
#include "txn.h"

struct writer;

/* Start the thread writing into st (which must outlive the writer). NULL + err on failure. */
struct writer *writer_start(struct store *st, char err[HTTPCAP_ERRBUF]);

/* Queue one transaction with its violations (and headers). 0, or -1 + the first store
 * error once the writer has failed (the record is then dropped). */
int writer_put_txn(struct writer *w, int64_t capture_id, const struct txn *t,
                   const struct txn_violations *v, char err[HTTPCAP_ERRBUF]);

/* Queue one connection row. 0, or -1 + the first store error. */
int writer_put_conn(struct writer *w, int64_t capture_id, const struct store_conn *c,
                    char err[HTTPCAP_ERRBUF]);

/* Hand over what is queued and have it committed soon (without waiting). 0 or -1 + err. */
int writer_commit(struct writer *w, char err[HTTPCAP_ERRBUF]);

/* Wait until everything queued is stored and committed. 0, or -1 + the first error. */
int writer_sync(struct writer *w, char err[HTTPCAP_ERRBUF]);

/* writer_sync, then end the thread and free w. NULL does nothing and returns 0. */
int writer_stop(struct writer *w, char err[HTTPCAP_ERRBUF]);

#endif
