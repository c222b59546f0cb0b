/*
 * cmd_capture.c - `httpcap capture`: options, signals and the status line of a live
 * capture (with each worker's share when there are several); the work is
 * pipeline_capture()'s.
 * Owns: the stop flag the signal handlers set, the one-line status on a terminal.
 * In:   argv. Out: calls pipeline_capture(); one-line messages "httpcap: ...".
 * Never: touches packets or the database itself.
 */
#include "cmd_capture.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits_table.h"
#include "live.h"
#include "pg_cli.h"
#include "pipeline.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

const char cmd_capture_usage[] =
    "usage: httpcap capture -i IFACE [-o DB|URL | --no-db] [--jsonl FILE] [-f FILTER]\n"
    "                       [--duration S] [--count N] [--workers N]\n"
    "                       [--sensor NAME] [--spool FILE]\n"
    "                       [--snaplen B] [--buffer MiB] [--no-promisc]\n"
    "                       [--commit-interval MS] [-Z USER] [--write-pcap FILE]\n"
    "                       [--store-headers] [-q] [LIMITS]\n"
    "       httpcap capture --list-interfaces\n"
    "  -i, --interface IFACE  capture on IFACE ('any' for all; needs root or CAP_NET_RAW)\n"
    "  -o, --output DB        SQLite database to create or append to (default httpcap.db),\n"
    "                         or postgresql://[user@]host[:port]/database: rows go to the\n"
    "                         spool and are pushed every second (password: PGPASSWORD,\n"
    "                         ~/.pgpass); kept in the spool while the server is down\n"
    "      --sensor NAME      captures.sensor (default: the host name)\n"
    "      --spool FILE       the spool of -o postgresql:// (default httpcap-spool.db)\n"
    "      --jsonl FILE       also write each transaction as a JSON line as it ends (the\n"
    "                         columns of v_transactions, plus violation_list); '-' stdout\n"
    "      --no-db            write no database, only the --jsonl stream\n"
    "  -f, --filter EXPR      BPF filter (tcpdump syntax)\n"
    "      --duration S       stop after S seconds\n"
    "      --count N          stop after N packets (all workers together)\n"
    "      --workers N        N threads (1 to 64, default 1), each with its own handle on\n"
    "                         the interface and its own connections, sharing the traffic\n"
    "                         by connection (Linux PACKET_FANOUT); more than 1: no\n"
    "                         --jsonl, no --write-pcap\n"
    "      --snaplen B        bytes kept per packet (default 262144)\n"
    "      --buffer MiB       kernel capture buffer, per worker (default 64)\n"
    "      --no-promisc       do not put the interface in promiscuous mode\n"
    "      --commit-interval MS  make rows visible to readers at least this often\n"
    "                         (default 1000)\n"
    "  -Z, --user USER        run as USER once the interface and database are open\n"
    "      --write-pcap FILE  also write the raw packets to FILE (for httpcap read later)\n"
    "      --store-headers    keep every header line in table `headers`\n"
    "  -q, --quiet            no status line, no summary\n"
    "      --list-interfaces  list the interfaces to capture on\n"
    "  -h, --help             this help\n"
    "  SIGINT or SIGTERM ends the capture cleanly (open exchanges are stored); a second\n"
    "  SIGINT ends it at once after the commit in progress.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = stop_flag ? 2 : 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The status line, rewritten in place once a second; with several workers, each one's
 * packets/transactions/drops follow. */
static void show_progress(void *ctx, const struct pipeline_progress *p)
{
    (void)ctx;
    fprintf(stderr,
            "\r%8.0f s  %llu packets  %llu transactions  %llu open  %llu dropped  %.0f pkt/s ",
            p->elapsed_s, (unsigned long long)p->packets, (unsigned long long)p->transactions,
            (unsigned long long)p->open_connections, (unsigned long long)p->kernel_drops,
            p->packets_per_s);
    for (int i = 0; p->n_workers > 1 && i < p->n_workers; i++)
        fprintf(stderr, " w%d %llu/%llu/%llu", i, (unsigned long long)p->workers[i].packets,
                (unsigned long long)p->workers[i].transactions,
                (unsigned long long)p->workers[i].kernel_drops);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "httpcap: capture: %s\n%s", msg, cmd_capture_usage);
    return EXIT_USAGE;
}

/* A number in [lo, hi] from s, or -1 (all our limits are positive). */
static double number(const char *s, double lo, double hi)
{
    char *end = NULL;
    double v = strtod(s, &end);
    return end == s || *end || v < lo || v > hi ? -1 : v;
}

/* A whole number in [lo, hi] from s, or -1. */
static long whole_number(const char *s, long lo, long hi)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < lo || v > hi ? -1 : v;
}

enum { OPT_DURATION = 256, OPT_COUNT, OPT_SNAPLEN, OPT_BUFFER, OPT_NO_PROMISC, OPT_COMMIT,
       OPT_WRITE_PCAP, OPT_STORE_HEADERS, OPT_LIST, OPT_JSONL, OPT_NO_DB, OPT_SENSOR,
       OPT_SPOOL, OPT_WORKERS };

/* What getopt rejected (main set opterr 0): an unknown option or one missing its value. */
static int bad_option(char **argv)
{
    char msg[160];
    if (optopt > 0 && optopt < 128)
        snprintf(msg, sizeof msg, "bad option or missing value: '-%c'", optopt);
    else
        snprintf(msg, sizeof msg, "bad option or missing value: '%.100s'",
                 optind > 0 ? argv[optind - 1] : "");
    return usage_error(msg);
}

/* One option into o / l; returns 0, or an exit status for a usage error or --help. */
static int take_option(int c, struct pipeline_options *o, struct pipeline_live *l)
{
    double v;
    char err[HTTPCAP_ERRBUF];
    if (c >= LIMITS_OPT_BASE && c < LIMITS_OPT_BASE + LIMIT_COUNT)
        return limits_set(&o->limits, c - LIMITS_OPT_BASE, optarg, err) == 0 ? 0
                                                                              : usage_error(err);
    switch (c) {
    case 'i': l->live.iface = optarg; return 0;
    case 'o': o->db_path = optarg; return 0;
    case OPT_JSONL: o->jsonl_path = optarg; return 0;
    case 'f': o->filter = l->live.filter = optarg; return 0;
    case 'Z': l->user = optarg; return 0;
    case 'q': o->quiet = 1; return 0;
    case OPT_NO_PROMISC: l->live.promisc = 0; return 0;
    case OPT_WRITE_PCAP: l->live.write_pcap = optarg; return 0;
    case OPT_STORE_HEADERS: o->store_headers = 1; return 0;
    case OPT_SENSOR: o->sensor = optarg; return 0;
    case OPT_DURATION:
        if ((v = number(optarg, 0.001, 1e9)) < 0)
            return usage_error("--duration takes seconds (> 0)");
        l->duration_s = v;
        return 0;
    case OPT_COUNT:
        if ((v = number(optarg, 1, 1e18)) < 0)
            return usage_error("--count takes a number of packets (> 0)");
        l->count = (uint64_t)v;
        return 0;
    case OPT_WORKERS:
        if ((l->workers = (int)whole_number(optarg, 1, PIPELINE_MAX_WORKERS)) < 0)
            return usage_error("--workers takes 1 to 64 (threads sharing the interface)");
        return 0;
    case OPT_SNAPLEN:
        if ((v = number(optarg, 64, 262144)) < 0)
            return usage_error("--snaplen takes 64 to 262144 bytes");
        l->live.snaplen = (int)v;
        return 0;
    case OPT_BUFFER:
        if ((v = number(optarg, 1, 4096)) < 0)
            return usage_error("--buffer takes 1 to 4096 MiB");
        l->live.buffer_mib = (int)v;
        return 0;
    case OPT_COMMIT:
        if ((v = number(optarg, 10, 3600000)) < 0)
            return usage_error("--commit-interval takes 10 to 3600000 ms");
        l->commit_interval_ms = (int)v;
        return 0;
    case 'h':
        fputs(cmd_capture_usage, stdout);
        limits_usage(stdout);
        return -1;
    default:
        return usage_error("bad option");
    }
}

static void print_summary(const struct pipeline_options *o, const struct pipeline_live *l,
                          const struct pipeline_summary *s)
{
    char workers[32] = "";
    if (l->workers > 1)
        snprintf(workers, sizeof workers, " (%d workers)", l->workers);
    fprintf(stderr,
            "httpcap: %s: capture %lld: %llu packets, %llu connections, %llu transactions in "
            "%.2f s; %lld dropped by the kernel, %lld by the interface%s\n",
            o->db_path ? o->db_path : "no database", (long long)s->capture_id, (unsigned long long)s->packets,
            (unsigned long long)s->connections, (unsigned long long)s->transactions,
            s->seconds, (long long)s->kernel_drops, (long long)s->interface_drops, workers);
}

/* What --workers excludes (a usage error), or NULL. */
static const char *workers_conflict(const struct pipeline_options *o,
                                    const struct pipeline_live *l)
{
    if (l->workers == 1)
        return NULL;
    if (o->jsonl_path)
        return "--jsonl needs --workers 1 (one ordered stream from one thread)";
    if (l->live.write_pcap)
        return "--write-pcap needs --workers 1 (one file from one thread)";
    return NULL;
}

int cmd_capture(int argc, char **argv)
{
    static const struct option base[] = {
        {"interface", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"filter", required_argument, NULL, 'f'},
        {"user", required_argument, NULL, 'Z'},
        {"quiet", no_argument, NULL, 'q'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"count", required_argument, NULL, OPT_COUNT},
        {"snaplen", required_argument, NULL, OPT_SNAPLEN},
        {"buffer", required_argument, NULL, OPT_BUFFER},
        {"no-promisc", no_argument, NULL, OPT_NO_PROMISC},
        {"commit-interval", required_argument, NULL, OPT_COMMIT},
        {"write-pcap", required_argument, NULL, OPT_WRITE_PCAP},
        {"store-headers", no_argument, NULL, OPT_STORE_HEADERS},
        {"list-interfaces", no_argument, NULL, OPT_LIST},
        {"jsonl", required_argument, NULL, OPT_JSONL},
        {"no-db", no_argument, NULL, OPT_NO_DB},
        {"sensor", required_argument, NULL, OPT_SENSOR},
        {"spool", required_argument, NULL, OPT_SPOOL},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"help", no_argument, NULL, 'h'},
    };
    enum { N_BASE = sizeof base / sizeof base[0] };
    struct option longopts[N_BASE + LIMIT_COUNT + 1];
    limits_longopts(base, N_BASE, longopts);
    struct pipeline_options o;
    struct pipeline_live l;
    pipeline_defaults(&o);
    pipeline_live_defaults(&l);
    int list = 0, has_output = 0, no_db = 0;
    const char *spool = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "i:o:f:Z:qh", longopts, NULL)) != -1) {
        if (c == OPT_LIST || c == OPT_NO_DB) {
            *(c == OPT_LIST ? &list : &no_db) = 1;
            continue;
        }
        if (c == '?')
            return bad_option(argv);
        if (c == OPT_SPOOL) {
            spool = optarg;
            continue;
        }
        has_output |= c == 'o';
        int rc = take_option(c, &o, &l);
        if (rc != 0)
            return rc < 0 ? EXIT_OK : rc;
    }
    char err[HTTPCAP_ERRBUF];
    if (list) {
        if (live_list_interfaces(stdout, err) == 0)
            return EXIT_OK;
        fprintf(stderr, "httpcap: %s\n", err);
        return EXIT_RUNTIME;
    }
    if (optind < argc)
        return usage_error("unexpected argument (a filter goes after -f)");
    if (!l.live.iface)
        return usage_error("no interface given (-i IFACE; --list-interfaces lists them)");
    if (pipeline_no_db(&o, has_output, no_db, err) != 0)
        return usage_error(err);
    if (workers_conflict(&o, &l))
        return usage_error(workers_conflict(&o, &l));
    struct pg_target pg;
    struct pg_live *pusher = NULL;
    int to_pg = pg_cli_target(&o, spool, &pg, err);
    if (to_pg > 0)
        pusher = pg_cli_live_start(&pg, err);
    if (to_pg < 0 || (to_pg > 0 && !pusher)) {
        fprintf(stderr, "httpcap: %s\n", err);
        return EXIT_RUNTIME;
    }
    catch_signals();
    l.stop = &stop_flag;
    if (!o.quiet && isatty(fileno(stderr)))
        l.progress = show_progress;
    struct pipeline_summary sum;
    memset(&sum, 0, sizeof sum);
    int rc = pipeline_capture(&o, &l, &sum, err);
    if (l.progress)
        fputc('\n', stderr);
    if (rc != 0)
        fprintf(stderr, "httpcap: %s\n", err);
    if (!o.quiet && sum.capture_id > 0 && !sum.store_failed)
        print_summary(&o, &l, &sum);
    if (pg_cli_live_stop(pusher, err) != 0) {
        fprintf(stderr, "httpcap: %s\n", err);
        rc = -1;
    }
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}
