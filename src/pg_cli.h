/*
 * pg_cli.h - the command-line side of PostgreSQL: `-o postgresql://URL` for `read` and
 * `capture` (rows go to a local spool first, then a pusher moves them), `httpcap push`,
 * and `report postgresql://URL`.
 * Owns: the live pusher thread, the public (password-free) URL in messages, the report's
 *       temporary databases.
 * In:   options from main.c and cmd_capture.c. Out: pushes; one-line messages.
 * Never: prints a password; calls exit().
 */
#ifndef HTTPCAP_PG_CLI_H
#define HTTPCAP_PG_CLI_H

#include "errbuf.h"
#include "pg.h"
#include "pipeline.h"
#include "report.h"

/* The destination of a run: where rows go first (the spool) and the URL they go to. */
struct pg_target {
    char url[PG_URL_MAX];      /* with its password, if the URL had one; never printed */
    char shown[PG_URL_MAX];    /* without it: for messages */
    const char *spool;         /* --spool, or PG_SPOOL_DEFAULT */
    int quiet;
};

/*
 * When o->db_path is a PostgreSQL URL: copy it into t (and blank its password in argv,
 * which ps shows), make the spool ready and point o->db_path at it; returns 1. Returns 0
 * when o->db_path is no URL (nothing done), -1 + err when the spool cannot be made.
 */
int pg_cli_target(struct pipeline_options *o, const char *spool, struct pg_target *t,
                  char err[HTTPCAP_ERRBUF]);

/* After `read`: push the spool. 0, or -1 + err saying where the rows are kept and the
 * `httpcap push` command that loads them later. */
int pg_cli_push_after_read(const struct pg_target *t, char err[HTTPCAP_ERRBUF]);

/* `capture`: a thread that pushes the spool every second while the capture runs, backing
 * off while the server is unreachable (one message when it goes, one when it is back). */
struct pg_live;

/* Start the pusher (NULL + err on failure). t must outlive it. */
struct pg_live *pg_cli_live_start(const struct pg_target *t, char err[HTTPCAP_ERRBUF]);

/* Stop it and push what is left. 0, or -1 + err as for pg_cli_push_after_read. NULL: 0. */
int pg_cli_live_stop(struct pg_live *l, char err[HTTPCAP_ERRBUF]);

/* `httpcap push SPOOL URL`; argv[0] is "push". Returns the exit status. */
int pg_cli_push_command(int argc, char **argv);

/* Its usage text. */
extern const char pg_cli_push_usage[];

/*
 * `report`: each PostgreSQL URL of o->paths replaced by a temporary SQLite copy of what
 * the report reads (o->paths then points into the array *owned, which the caller frees
 * with pg_cli_report_done). 0, or -1 + err naming the URL without its password.
 */
int pg_cli_report_fetch(struct report_options *o, char ***owned, char err[HTTPCAP_ERRBUF]);

/* Remove the temporary copies and free *owned. */
void pg_cli_report_done(const struct report_options *o, char **owned);

#endif
