/*
 * main.c - the command line: `httpcap read`, `httpcap report`, `httpcap rules`, --help,
 *          --version; `httpcap capture` has its own file (cmd_capture.c), `httpcap push`
 *          and the PostgreSQL side of -o and report pg_cli.c.
 * Owns: option parsing, messages to the user, exit statuses (0 ok, 1 input or
 *       runtime error, 2 usage error).
 * In:   argv.
 * Out:  calls into pipeline.c / report.c / rules.c; one-line messages "httpcap: ...".
 * Never: does the work itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <llhttp.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_capture.h"
#include "inputs.h"
#include "limits_table.h"
#include "outpath.h"
#include "pg_cli.h"
#include "pipeline.h"
#include "progress.h"
#include "render_html.h"
#include "render_json.h"
#include "render_md.h"
#include "render_text.h"
#include "report.h"
#include "rules.h"

#ifndef HTTPCAP_VERSION
#define HTTPCAP_VERSION "0.1.0"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
    "usage: httpcap COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  read FILE|DIR... [-o DB|URL | --no-db] [--jsonl FILE] [-f FILTER] [-q] [LIMITS]...\n"
    "                       analyze pcap/pcapng files ('-' for stdin) into SQLite or\n"
    "                       PostgreSQL\n"
    "  capture -i IFACE [-o DB] [-f FILTER] [--duration S] [-Z USER] [--write-pcap F]...\n"
    "                       capture live from an interface into SQLite until Ctrl-C\n"
    "  push SPOOL URL       load a spool (of read/capture to a postgresql:// URL) into\n"
    "                       PostgreSQL\n"
    "  report DB|URL... [--format text|json|html|md] [--since T] [--until T] [--host H]\n"
    "         [--top N] [-o FILE]\n"
    "                       report on databases: capture, statuses, latency, violations,\n"
    "                       anomalies, time series\n"
    "  rules [--format text|json|md] [ID]\n"
    "                       list the HTTP rules httpcap checks, or explain one\n"
    "\n"
    "  httpcap --version    versions of httpcap, libpcap, llhttp and SQLite\n"
    "  httpcap COMMAND --help\n";

static const char usage_read[] =
    "usage: httpcap read FILE|DIR... [-o DB|URL | --no-db] [--jsonl FILE] [-f FILTER]\n"
    "                    [--sensor NAME] [--spool FILE] [--threads N] [--store-headers]\n"
    "                    [-q] [LIMITS]\n"
    "  FILE|DIR            pcap/pcapng files ('-' for stdin), read as one capture; a\n"
    "                      DIR: its capture files in natural name order (rotated files)\n"
    "  -o, --output DB     SQLite database to create or append to (default httpcap.db),\n"
    "                      or postgresql://[user@]host[:port]/database: rows go to the\n"
    "                      spool, then to PostgreSQL (password: PGPASSWORD, ~/.pgpass)\n"
    "      --sensor NAME   captures.sensor (default: the host name)\n"
    "      --spool FILE    the spool of -o postgresql:// (default httpcap-spool.db)\n"
    "      --jsonl FILE    also write each transaction as a JSON line (the columns of\n"
    "                      v_transactions, plus violation_list) to FILE ('-' stdout)\n"
    "      --no-db         write no database, only the --jsonl stream\n"
    "  -f, --filter EXPR   BPF filter applied while reading (tcpdump syntax)\n"
    "      --threads N     N threads (1 to 64), each keeping a share of the connections;\n"
    "                      default: 1 below 64 MiB of input, else the CPUs (at most 4);\n"
    "                      ids then depend on timing (--threads 1: the same every run)\n"
    "      --store-headers keep every request and response header in table `headers`\n"
    "  -q, --quiet         no progress line (on a terminal) and no summary on stderr\n"
    "  -h, --help          this help\n";

static const char usage_report[] =
    "usage: httpcap report DB|URL... [--format text|json|html|md] [--since T]\n"
    "                      [--until T] [--host H] [--top N] [-o FILE]\n"
    "  DB|URL...           one or more databases, reported together: SQLite files or\n"
    "                      postgresql:// URLs (their rows are copied to a temporary file)\n"
    "  --format FMT        text (default, 80 columns, colour on a terminal), json, html\n"
    "                      (one self-contained file) or md (Markdown)\n"
    "  --since T           only transactions that started at or after T\n"
    "  --until T           only transactions that started before T\n"
    "                      T: ISO-8601 UTC (2026-11-28T10:00:00Z, 2026-11-28 10:00,\n"
    "                      2026-11-28) or seconds since the epoch\n"
    "  --host H            only transactions whose Host is H (any port)\n"
    "  --top N             rows in the top lists: slowest, hosts, endpoints (default 10)\n"
    "  -o, --output FILE   write the report to FILE instead of standard output\n"
    "  -h, --help          this help\n";

static const char usage_rules[] =
    "usage: httpcap rules [--format text|json|md] [ID]\n"
    "  --format FMT        text (default), json, or md (a Markdown table)\n"
    "  ID                  explain one rule, e.g. parse-error\n"
    "  -h, --help          this help\n";

static int usage_error(const char *msg, const char *usage)
{
    fprintf(stderr, "httpcap: %s\n%s", msg, usage);
    return EXIT_USAGE;
}

/* What getopt rejected (opterr is 0: getopt prints nothing): an unknown option or one
 * missing its value, named as given. */
static int bad_option(const char *cmd, char **argv, const char *usage)
{
    char msg[200];
    if (optopt > 0 && optopt < 128)
        snprintf(msg, sizeof msg, "%s: bad option or missing value: '-%c'", cmd, optopt);
    else
        snprintf(msg, sizeof msg, "%s: bad option or missing value: '%.120s'", cmd,
                 optind > 0 ? argv[optind - 1] : "");
    return usage_error(msg, usage);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* pipeline_read() on the files args stand for (a directory: its capture files), with a
 * progress line when stderr is a terminal and -q is not given. */
static int read_inputs(struct pipeline_options *o, const char *const *args, int n,
                       struct pipeline_summary *sum, char err[HTTPCAP_ERRBUF])
{
    struct inputs in;
    if (inputs_expand(args, n, o->db_path, &in, err) != 0)
        return -1;
    struct progress bar;
    int has_bar = !o->quiet && isatty(STDERR_FILENO);
    if (has_bar) {
        progress_start(&bar, stderr, in.total_bytes, in.has_total);
        o->read_progress = progress_update;
        o->read_progress_ctx = &bar;
    }
    o->inputs_rereadable = in.has_total;
    int rc = pipeline_read(o, (const char *const *)in.paths, in.n, sum, err);
    if (has_bar)
        progress_end(&bar);
    o->read_progress = NULL;
    inputs_free(&in);
    return rc;
}

/* --threads: 1..PIPELINE_MAX_WORKERS, or -1. */
static int read_threads(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < 1 || v > PIPELINE_MAX_WORKERS ? -1 : (int)v;
}

static int cmd_read(int argc, char **argv)
{
    static const struct option base[] = {
        {"output", required_argument, NULL, 'o'},
        {"filter", required_argument, NULL, 'f'},
        {"store-headers", no_argument, NULL, 'H'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"jsonl", required_argument, NULL, 'J'},
        {"no-db", no_argument, NULL, 'N'},
        {"sensor", required_argument, NULL, 'S'},
        {"spool", required_argument, NULL, 'P'},
        {"threads", required_argument, NULL, 'T'},
    };
    enum { N_BASE = sizeof base / sizeof base[0] };
    struct option longopts[N_BASE + LIMIT_COUNT + 1];
    limits_longopts(base, N_BASE, longopts);
    struct pipeline_options o;
    pipeline_defaults(&o);
    int c, has_output = 0, no_db = 0;
    const char *spool = NULL;
    char err[HTTPCAP_ERRBUF];
    while ((c = getopt_long(argc, argv, "o:f:qh", longopts, NULL)) != -1) {
        if (c >= LIMITS_OPT_BASE && c < LIMITS_OPT_BASE + LIMIT_COUNT) {
            if (limits_set(&o.limits, c - LIMITS_OPT_BASE, optarg, err) != 0)
                return usage_error(err, usage_read);
            continue;
        }
        switch (c) {
        case 'o':
            o.db_path = optarg;
            has_output = 1;
            break;
        case 'J':
            o.jsonl_path = optarg;
            break;
        case 'N':
            no_db = 1;
            break;
        case 'S':
            o.sensor = optarg;
            break;
        case 'P':
            spool = optarg;
            break;
        case 'T':
            if ((o.threads = read_threads(optarg)) < 0)
                return usage_error("read: --threads takes 1 to 64", usage_read);
            break;
        case 'f':
            o.filter = optarg;
            break;
        case 'H':
            o.store_headers = 1;
            break;
        case 'q':
            o.quiet = 1;
            break;
        case 'h':
            fputs(usage_read, stdout);
            limits_usage(stdout);
            return EXIT_OK;
        default:
            return bad_option("read", argv, usage_read);
        }
    }
    if (optind >= argc)
        return usage_error("read: no capture file given", usage_read);
    if (pipeline_no_db(&o, has_output, no_db, err) != 0)
        return usage_error(err, usage_read);
    if (o.threads > 1 && o.jsonl_path)
        return usage_error("read: --jsonl needs --threads 1 (one ordered stream from one "
                           "thread)", usage_read);
    struct pg_target pg;
    int to_pg = pg_cli_target(&o, spool, &pg, err);
    if (to_pg < 0) {
        fprintf(stderr, "httpcap: %s\n", err);
        return EXIT_RUNTIME;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pipeline_summary sum;
    memset(&sum, 0, sizeof sum);
    int rc = read_inputs(&o, (const char *const *)argv + optind, argc - optind, &sum, err);
    if (rc != 0)
        fprintf(stderr, "httpcap: %s\n", err);
    if (!o.quiet && sum.capture_id > 0 && !sum.store_failed) {
        double s = seconds_since(&t0);
        fprintf(stderr,
                "httpcap: %s: capture %lld: %llu packets, %llu connections, %llu transactions "
                "in %.2f s%s\n",
                o.db_path ? o.db_path : "no database", (long long)sum.capture_id, (unsigned long long)sum.packets,
                (unsigned long long)sum.connections, (unsigned long long)sum.transactions, s,
                sum.truncated ? " (input truncated)" : "");
    }
    if (to_pg > 0 && sum.capture_id > 0 && pg_cli_push_after_read(&pg, err) != 0) {
        fprintf(stderr, "httpcap: %s\n", err);
        rc = -1;
    }
    return rc == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static void print_rule_json(const struct rule_info *ri, int last)
{
    printf("  {\"id\": ");
    render_json_string(stdout, ri->id);
    printf(", \"severity\": ");
    render_json_string(stdout, rules_severity_name(ri->severity));
    printf(", \"reference\": ");
    render_json_string(stdout, ri->reference);
    printf(", \"reference_old\": ");
    render_json_string(stdout, ri->reference_old);
    printf(", \"summary\": ");
    render_json_string(stdout, ri->summary);
    printf(", \"hint\": ");
    render_json_string(stdout, ri->hint);
    printf("}%s\n", last ? "" : ",");
}

static void print_rule_long(const struct rule_info *ri)
{
    printf("%s (%s)\n  %s\n  reference: %s (formerly %s)\n  hint: %s\n", ri->id,
           rules_severity_name(ri->severity), ri->summary, ri->reference, ri->reference_old,
           ri->hint ? ri->hint : "");
}

/* Markdown text: a '|' would end the table cell. */
static void md_cell(const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            putchar('\\');
        putchar(*s);
    }
}

static void print_rule_md(const struct rule_info *ri)
{
    printf("| `%s` | %s | ", ri->id, rules_severity_name(ri->severity));
    md_cell(ri->reference);
    printf(" | ");
    md_cell(ri->reference_old);
    printf(" | ");
    md_cell(ri->summary);
    printf(" |\n");
}

enum rules_format { RULES_TEXT, RULES_JSON, RULES_MD };

static void print_rule(const struct rule_info *ri, enum rules_format fmt, int one, int last)
{
    if (fmt == RULES_JSON)
        print_rule_json(ri, last);
    else if (fmt == RULES_MD)
        print_rule_md(ri);
    else if (one)
        print_rule_long(ri);
    else
        printf("%-38s %-8s %s\n", ri->id, rules_severity_name(ri->severity), ri->reference);
}

static int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum rules_format fmt = RULES_TEXT;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_rules, stdout);
            return EXIT_OK;
        }
        if (c != 'F')
            return bad_option("rules", argv, usage_rules);
        if (strcmp(optarg, "json") == 0)
            fmt = RULES_JSON;
        else if (strcmp(optarg, "md") == 0)
            fmt = RULES_MD;
        else if (strcmp(optarg, "text") != 0)
            return usage_error("rules: --format takes text, json or md", usage_rules);
    }
    if (argc - optind > 1)
        return usage_error("rules: one rule ID at most", usage_rules);
    const char *want = optind < argc ? argv[optind] : NULL;
    int found = 0;
    if (fmt == RULES_JSON)
        printf("[\n");
    if (fmt == RULES_MD)
        printf("| id | severity | reference | formerly | summary |\n|---|---|---|---|---|\n");
    for (int r = 0; r < RULE_COUNT; r++) {
        const struct rule_info *ri = rules_get((enum rule_id)r);
        if (want && strcmp(want, ri->id) != 0)
            continue;
        found++;
        print_rule(ri, fmt, want != NULL, want ? 1 : r == RULE_COUNT - 1);
    }
    if (fmt == RULES_JSON)
        printf("]\n");
    if (want && !found) {
        fprintf(stderr, "httpcap: rules: no rule '%s' (see 'httpcap rules')\n", want);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

/* Parse a --since/--until time: ISO-8601 UTC ("2026-11-28T10:00:00Z", a space instead of
 * 'T', seconds and fraction optional, "2026-11-28" alone) or seconds since the epoch
 * (fraction allowed). Returns 0 and *ns, or -1. */
static int parse_time(const char *s, int64_t *ns)
{
    char *end = NULL;
    if (s[0] >= '0' && s[0] <= '9' && strlen(s) <= 20 && !strchr(s, '-')) {
        errno = 0;
        double secs = strtod(s, &end);
        if (errno || *end || secs > 9.2e9)
            return -1;
        *ns = (int64_t)(secs * 1e9 + 0.5);
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (!p)
        return -1;
    double frac = 0;
    if (*p == 'T' || *p == ' ') {
        const char *q = strptime(p + 1, "%H:%M", &tm);
        if (!q)
            return -1;
        p = q;
        if (*p == ':') {
            if (!(q = strptime(p + 1, "%S", &tm)))
                return -1;
            p = q;
            if (*p == '.') {
                frac = strtod(p, &end);
                p = end;
            }
        }
    }
    if (*p == 'Z')
        p++;
    if (*p)
        return -1;
    *ns = (int64_t)timegm(&tm) * 1000000000 + (int64_t)(frac * 1e9 + 0.5);
    return 0;
}

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML, FORMAT_MD };

static int parse_format(const char *s, enum report_format *f)
{
    static const char *const names[] = {"text", "json", "html", "md"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *f = (enum report_format)i;
            return 0;
        }
    }
    return -1;
}

/* Colour only for a terminal that wants it (https://no-color.org). */
static int wants_colour(FILE *out)
{
    const char *term = getenv("TERM");
    return out == stdout && isatty(fileno(stdout)) && !getenv("NO_COLOR") && term &&
           strcmp(term, "dumb") != 0;
}

/* The report file, opened for writing without following a link planted in a
 * world-writable directory (outpath.h); NULL with errno set, or errno 0 when refused. */
static FILE *open_report_file(const char *path)
{
    char why[HTTPCAP_ERRBUF];
    int kind = outpath_check(path, why);
    if (kind == OUTPATH_REFUSED) {
        fprintf(stderr, "httpcap: %s\n", why);
        errno = 0;
        return NULL;
    }
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (kind == OUTPATH_PLAIN ? O_NOFOLLOW : 0);
    int fd = open(path, flags, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

static int write_report(const struct report_sections *r, enum report_format fmt,
                        const char *out_path)
{
    FILE *out = out_path ? open_report_file(out_path) : stdout;
    if (!out) {
        if (errno == 0)
            return EXIT_RUNTIME; /* refused: said already */
        fprintf(stderr, "httpcap: %s: cannot write: %s\n", out_path, strerror(errno));
        return EXIT_RUNTIME;
    }
    switch (fmt) {
    case FORMAT_JSON:
        render_json(r, out);
        break;
    case FORMAT_HTML:
        render_html(r, out);
        break;
    case FORMAT_MD:
        render_md(r, out);
        break;
    default:
        render_text(r, out, wants_colour(out));
        break;
    }
    int bad = ferror(out) != 0;
    if (out != stdout)
        bad |= fclose(out) != 0;
    else
        bad |= fflush(out) != 0;
    if (bad) {
        fprintf(stderr, "httpcap: %s: write failed\n", out_path ? out_path : "stdout");
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

static int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'F'}, {"top", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'}, {"since", required_argument, NULL, 'S'},
        {"until", required_argument, NULL, 'U'},  {"host", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    enum report_format fmt = FORMAT_TEXT;
    struct report_options o = {.top = 10};
    const char *out_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        char *end = NULL;
        long top;
        switch (c) {
        case 'F':
            if (parse_format(optarg, &fmt) != 0)
                return usage_error("report: --format takes text, json, html or md",
                                   usage_report);
            break;
        case 'n':
            top = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || top < 0 || top > 1000000)
                return usage_error("report: --top takes a number from 0 to 1000000",
                                   usage_report);
            o.top = (int)top;
            break;
        case 'S':
        case 'U':
            if (parse_time(optarg, c == 'S' ? &o.since_ns : &o.until_ns) != 0)
                return usage_error(c == 'S' ? "report: --since: not a time (see T below)"
                                            : "report: --until: not a time (see T below)",
                                   usage_report);
            *(c == 'S' ? &o.has_since : &o.has_until) = 1;
            break;
        case 'H':
            o.host = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'h':
            fputs(usage_report, stdout);
            return EXIT_OK;
        default:
            return bad_option("report", argv, usage_report);
        }
    }
    if (optind >= argc)
        return usage_error("report: no database given", usage_report);
    o.paths = (const char *const *)(argv + optind);
    o.npaths = argc - optind;
    struct report_sections r;
    char err[HTTPCAP_ERRBUF];
    char **copies = NULL;
    int rc = pg_cli_report_fetch(&o, &copies, err);
    if (rc == 0)
        rc = report_load(&o, &r, err);
    else
        memset(&r, 0, sizeof r);
    pg_cli_report_done(&o, copies);
    if (rc != 0) {
        fprintf(stderr, "httpcap: %s\n", err);
        report_free(&r);
        return EXIT_RUNTIME;
    }
    rc = write_report(&r, fmt, out_path);
    report_free(&r);
    return rc;
}

static void print_version(void)
{
    printf("httpcap %s\n%s\nllhttp %d.%d.%d\nSQLite %s\n", HTTPCAP_VERSION, pcap_lib_version(),
           LLHTTP_VERSION_MAJOR, LLHTTP_VERSION_MINOR, LLHTTP_VERSION_PATCH, sqlite3_libversion());
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("no command given", usage_main);
    opterr = 0; /* our own "httpcap: ..." line instead of getopt's */
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        print_version();
        return EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "read") == 0)
        return cmd_read(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "capture") == 0)
        return cmd_capture(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "push") == 0)
        return pg_cli_push_command(argc - 1, argv + 1);
    fprintf(stderr, "httpcap: unknown command '%s'\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
