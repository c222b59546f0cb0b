/*
 * pg_cli.c - `-o postgresql://` for read and capture, `httpcap push`, `report
 * postgresql://` (see pg_cli.h).
 * Owns: the pusher thread of a live capture (it wakes every second, and backs off up to
 *       30 s while the server is down), the messages about PostgreSQL.
 * In:   options. Out: pg_push.c and pg_report.c calls; one-line messages on stderr.
 * Never: prints a password (messages use pg_url_public), calls exit().
 */
#include "pg_cli.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_push.h"
#include "pg_report.h"

#define LIVE_PERIOD_S 1    /* a push every second while the server answers */
#define LIVE_BACKOFF_MAX_S 30
#define LIVE_BATCHES 20    /* batches per wake-up, so that a stop is seen soon */

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

const char pg_cli_push_usage[] =
    "usage: httpcap push SPOOL URL [-q]\n"
    "  SPOOL               the spool `read` or `capture` left, writing to a URL\n"
    "  URL                 postgresql://[user@]host[:port]/database (the password from\n"
    "                      PGPASSWORD, ~/.pgpass or a service file, as libpq finds it)\n"
    "  -q, --quiet         no summary line\n"
    "  -h, --help          this help\n";

int pg_cli_target(struct pipeline_options *o, const char *spool, struct pg_target *t,
                  char err[HTTPCAP_ERRBUF])
{
    if (!o->db_path || !pg_is_url(o->db_path))
        return 0;
    memset(t, 0, sizeof t[0]);
    if (strlen(o->db_path) >= sizeof t->url) {
        snprintf(err, HTTPCAP_ERRBUF, "the PostgreSQL URL is too long");
        return -1;
    }
    snprintf(t->url, sizeof t->url, "%s", o->db_path);
    pg_url_public(t->url, t->shown);
    pg_url_hide_password((char *)(uintptr_t)o->db_path); /* argv: ps shows no password */
    t->spool = spool ? spool : PG_SPOOL_DEFAULT;
    t->quiet = o->quiet;
    if (pg_spool_prepare(t->spool, err) != 0)
        return -1;
    o->db_path = t->spool;
    return 1;
}

/* err = why, plus where the rows are and how to load them. */
static void kept_message(const struct pg_target *t, const char *why, char err[HTTPCAP_ERRBUF])
{
    char copy[HTTPCAP_ERRBUF];
    snprintf(copy, sizeof copy, "%s", why);
    snprintf(err, HTTPCAP_ERRBUF, "%.150s; the rows are kept in %.80s: run `httpcap push %.80s "
             "%.120s` when the server is reachable", copy, t->spool, t->spool, t->shown);
}

static void pushed_line(const struct pg_target *t, const struct pg_push_stats *s)
{
    if (t->quiet)
        return;
    char again[120] = "";
    if (s->resent_batches)
        snprintf(again, sizeof again, " (%llu batches held rows already in PostgreSQL: those are"
                 " stored once)", (unsigned long long)s->resent_batches);
    fprintf(stderr, "httpcap: %s: pushed %llu connections, %llu transactions, %llu violations"
            " from %s%s\n", t->shown, (unsigned long long)s->connections,
            (unsigned long long)s->transactions, (unsigned long long)s->violations, t->spool,
            again);
}

/* Push until the spool is empty (a busy spool is tried a few times). 0 or -1 + err. */
static int push_all(struct pg_push *p, struct pg_push_stats *s, char err[HTTPCAP_ERRBUF])
{
    for (int tries = 0; tries < 5; tries++) {
        int rc = pg_push_run(p, s, err);
        if (rc <= 0)
            return rc;
    }
    snprintf(err, HTTPCAP_ERRBUF, "the spool stayed busy (another process writes it?)");
    return -1;
}

int pg_cli_push_after_read(const struct pg_target *t, char err[HTTPCAP_ERRBUF])
{
    struct pg_push_stats s = {0};
    char why[HTTPCAP_ERRBUF];
    struct pg_push *p = pg_push_new(t->spool, t->url, why);
    int rc = p ? push_all(p, &s, why) : -1;
    pg_push_free(p);
    if (rc != 0) {
        kept_message(t, why, err);
        return -1;
    }
    pushed_line(t, &s);
    return 0;
}

/* ---- the live pusher ---- */

struct pg_live {
    const struct pg_target *t;
    struct pg_push *p;
    struct pg_push_stats stats;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int stop;
};

/* Wait s seconds or until told to stop; 1 when told to stop. */
static int nap(struct pg_live *l, int s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s;
    pthread_mutex_lock(&l->mu);
    while (!l->stop && pthread_cond_timedwait(&l->wake, &l->mu, &until) != ETIMEDOUT)
        ;
    int stop = l->stop;
    pthread_mutex_unlock(&l->mu);
    return stop;
}

static void *live_main(void *arg)
{
    struct pg_live *l = arg;
    int wait_s = LIVE_PERIOD_S, failing = 0;
    char err[HTTPCAP_ERRBUF];
    while (!nap(l, wait_s)) {
        int rc = pg_push_run(l->p, &l->stats, err);
        if (rc < 0 && !failing)
            fprintf(stderr, "\nhttpcap: %s; capturing on into %s, retrying\n", err, l->t->spool);
        if (rc >= 0 && failing && !l->t->quiet)
            fprintf(stderr, "\nhttpcap: %s: reachable again, pushing %s\n", l->t->shown,
                    l->t->spool);
        failing = rc < 0;
        wait_s = failing ? (wait_s * 2 > LIVE_BACKOFF_MAX_S ? LIVE_BACKOFF_MAX_S : wait_s * 2)
                         : LIVE_PERIOD_S;
    }
    return NULL;
}

struct pg_live *pg_cli_live_start(const struct pg_target *t, char err[HTTPCAP_ERRBUF])
{
    struct pg_live *l = calloc(1, sizeof *l);
    if (!l || !(l->p = pg_push_new(t->spool, t->url, err))) {
        free(l);
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return NULL;
    }
    l->t = t;
    pg_push_limit(l->p, LIVE_BATCHES);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->thread, NULL, live_main, l) != 0) {
        snprintf(err, HTTPCAP_ERRBUF, "cannot start the PostgreSQL pusher thread");
        pg_push_free(l->p);
        free(l);
        return NULL;
    }
    return l;
}

int pg_cli_live_stop(struct pg_live *l, char err[HTTPCAP_ERRBUF])
{
    if (!l)
        return 0;
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    char why[HTTPCAP_ERRBUF];
    pg_push_limit(l->p, 0);
    int rc = push_all(l->p, &l->stats, why);
    if (rc != 0)
        kept_message(l->t, why, err);
    else
        pushed_line(l->t, &l->stats);
    pg_push_free(l->p);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->mu);
    free(l);
    return rc;
}

/* ---- httpcap push ---- */

int pg_cli_push_command(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, quiet = 0;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(pg_cli_push_usage, stdout);
            return EXIT_OK;
        }
        if (c != 'q') {
            fprintf(stderr, "httpcap: push: bad option or missing value\n%s", pg_cli_push_usage);
            return EXIT_USAGE;
        }
        quiet = 1;
    }
    if (argc - optind != 2 || !pg_is_url(argv[optind + 1])) {
        fprintf(stderr, "httpcap: push: give a spool and a postgresql:// URL\n%s",
                pg_cli_push_usage);
        return EXIT_USAGE;
    }
    struct pg_target t = {.spool = argv[optind], .quiet = quiet};
    snprintf(t.url, sizeof t.url, "%s", argv[optind + 1]);
    pg_url_public(t.url, t.shown);
    pg_url_hide_password(argv[optind + 1]);
    struct pg_push_stats s = {0};
    char err[HTTPCAP_ERRBUF];
    struct pg_push *p = pg_push_new(t.spool, t.url, err);
    int rc = p ? push_all(p, &s, err) : -1;
    pg_push_free(p);
    if (rc != 0) {
        fprintf(stderr, "httpcap: %s\n", err);
        return EXIT_RUNTIME;
    }
    pushed_line(&t, &s);
    return EXIT_OK;
}

/* ---- report ---- */

int pg_cli_report_fetch(struct report_options *o, char ***owned, char err[HTTPCAP_ERRBUF])
{
    /* paths[npaths + k] is set too when paths[k] is a temporary copy */
    char **paths = calloc(2 * (size_t)o->npaths + 1, sizeof *paths);
    *owned = paths;
    if (!paths) {
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return -1;
    }
    const char *const *given = o->paths;
    o->paths = (const char *const *)paths;
    for (int k = 0; k < o->npaths; k++) {
        if (!pg_is_url(given[k])) {
            paths[k] = strdup(given[k]);
        } else if ((paths[k] = malloc(PG_REPORT_PATH_MAX)) != NULL) {
            char url[PG_URL_MAX];
            snprintf(url, sizeof url, "%s", given[k]);
            pg_url_hide_password((char *)(uintptr_t)given[k]);
            if (pg_report_fetch(url, o, paths[k], err) != 0) {
                free(paths[k]);
                paths[k] = NULL;
                return -1;
            }
            paths[o->npaths + k] = paths[k];
            continue;
        }
        if (!paths[k]) {
            snprintf(err, HTTPCAP_ERRBUF, "out of memory");
            return -1;
        }
    }
    return 0;
}

void pg_cli_report_done(const struct report_options *o, char **owned)
{
    if (!owned)
        return;
    for (int k = 0; k < o->npaths; k++) {
        if (owned[o->npaths + k])
            pg_report_done(owned[k]);
        free(owned[k]);
    }
    free(owned);
}
