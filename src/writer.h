/*
 * writer.h - SQLite on its own thread: the pipeline hands finished transactions and
 * connections over in large batches, and a writer thread stores them through store.c.
 * Several producers (capture workers) each fill their own lane without a lock; only a
 * full batch is handed to the writer's queue under its mutex.
 * Owns: the writer thread, the lanes, the batches in flight (at most WRITER_BATCHES - 1
 *       plus one per lane, so memory stays bounded whatever the capture size), the first
 *       store error.
 * In:   txn, txn_violations and store_conn records, deep-copied during the call.
 * Out:  calls to store_put_txn, store_put_conn and store_commit on the writer thread.
 * Never: touches the store from the caller's thread while the writer may be using it;
 *        between writer_sync() returning and the next put, the caller may use the store.
 */
#ifndef HTTPCAP_WRITER_H
#define HTTPCAP_WRITER_H

#include <stdatomic.h>
#include <stdint.h>

#include "errbuf.h"
#include "store.h"
#include "txn.h"

/* Most lanes (producers) one writer takes. */
#define WRITER_MAX_LANES 64

struct writer;
struct writer_lane;            /* one producer's batch being filled */

/* Start the thread writing into st (which must outlive the writer), with n_lanes lanes
 * (1..WRITER_MAX_LANES). NULL + err on failure. */
struct writer *writer_start(struct store *st, int n_lanes, char err[HTTPCAP_ERRBUF]);

/* From now on a transaction put with id 0 gets the id after *last_id (an atomic increment
 * of it) when the writer stores it: ids then follow the order of the rows in the table
 * whatever the order the lanes hand them over. Call before the first put. Cannot fail. */
void writer_number_txns(struct writer *w, _Atomic uint64_t *last_id);

/* Lane i (0 <= i < n_lanes), owned by w. One thread at a time may use a lane; different
 * lanes may be used by different threads at once. Cannot fail. */
struct writer_lane *writer_lane(struct writer *w, int i);

/* Queue one transaction with its violations (and headers) on lane l. 0, or -1 + the first
 * store error once the writer has failed (the record is then dropped). Records of one
 * lane are stored in the order they were put. */
int writer_put_txn(struct writer_lane *l, int64_t capture_id, const struct txn *t,
                   const struct txn_violations *v, char err[HTTPCAP_ERRBUF]);

/* Queue one connection row on lane l. 0, or -1 + the first store error. */
int writer_put_conn(struct writer_lane *l, int64_t capture_id, const struct store_conn *c,
                    char err[HTTPCAP_ERRBUF]);

/* Hand over what lane l has queued and have it committed soon (without waiting).
 * 0 or -1 + err. */
int writer_commit(struct writer_lane *l, char err[HTTPCAP_ERRBUF]);

/* Hand over every lane and wait until everything is stored and committed. Only while no
 * producer is using a lane (e.g. after the workers ended). 0, or -1 + the first error. */
int writer_sync(struct writer *w, char err[HTTPCAP_ERRBUF]);

/* writer_sync, then end the thread and free w. NULL does nothing and returns 0. */
int writer_stop(struct writer *w, char err[HTTPCAP_ERRBUF]);

#endif
