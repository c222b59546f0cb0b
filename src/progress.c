/*
 * progress.c - the progress line of `httpcap read` on a terminal's stderr:
 *   [#######         ]  45%  95/211 MB  52.3 MB/s  71234 transactions  0:02 left
 * or, without a total (stdin): 95 MB  52.3 MB/s  71234 transactions.
 * Owns: the redraw clock (one clock read per report, a redraw at most every 100 ms).
 * In:   reports from pipeline.c every 1024 packets and at the end of each file.
 * Out:  '\r' + the line, cut to the terminal's width so it never wraps; erased at the end.
 * Never: prints a newline, or anything when never called for 100 ms.
 */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_S 0.1
#define BAR_COLUMNS 16

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int terminal_width(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

void progress_start(struct progress *p, FILE *out, uint64_t total_bytes, int has_total)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->total_bytes = total_bytes;
    p->has_total = has_total && total_bytes > 0;
    p->width = terminal_width(out);
    p->start_s = now_s();
    p->last_s = p->start_s;
}

/* done (and total) in MB, or in GB from 10 GB on, so the line stays under 80 columns. */
static int format_size(uint64_t done, uint64_t total, int has_total, char *buf, size_t cap)
{
    int is_gb = (has_total ? total : done) >= 10000000000ULL;
    double unit = is_gb ? 1e9 : 1e6;
    const char *name = is_gb ? "GB" : "MB";
    int n;
    if (has_total)
        n = snprintf(buf, cap, "%.*f/%.*f %s  ", is_gb, (double)done / unit, is_gb,
                     (double)total / unit, name);
    else
        n = snprintf(buf, cap, "%.*f %s  ", is_gb, (double)done / unit, name);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* "[####    ]  45%  95/211 MB  " into buf; returns its length. */
static int format_total(const struct progress *p, uint64_t done, char *buf, size_t cap)
{
    double frac = done >= p->total_bytes ? 1.0 : (double)done / (double)p->total_bytes;
    char bar[BAR_COLUMNS + 1];
    int full = (int)(frac * BAR_COLUMNS);
    for (int i = 0; i < BAR_COLUMNS; i++)
        bar[i] = i < full ? '#' : ' ';
    bar[BAR_COLUMNS] = '\0';
    int n = snprintf(buf, cap, "[%s] %3d%%  ", bar, (int)(frac * 100));
    if (n < 0 || (size_t)n >= cap)
        return -1;
    int k = format_size(done, p->total_bytes, 1, buf + n, cap - (size_t)n);
    return k < 0 ? -1 : n + k;
}

/* "0:02 left" (h:mm:ss past an hour) into buf. */
static void format_left(double secs, char *buf, size_t cap)
{
    long s = secs > 359999 ? 359999 : (long)(secs + 0.5);
    if (s >= 3600)
        snprintf(buf, cap, "  %ld:%02ld:%02ld left", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "  %ld:%02ld left", s / 60, s % 60);
}

static void draw(struct progress *p, const struct pipeline_read_progress *r, double elapsed)
{
    char line[256];
    char left[32] = "";
    int n = 0;
    double rate = (double)r->file_bytes / elapsed;
    if (p->has_total) {
        n = format_total(p, r->file_bytes, line, sizeof line);
        if (rate > 0 && r->file_bytes < p->total_bytes)
            format_left((double)(p->total_bytes - r->file_bytes) / rate, left, sizeof left);
    } else {
        n = format_size(r->file_bytes, 0, 0, line, sizeof line);
    }
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    snprintf(line + n, sizeof line - (size_t)n, "%.1f MB/s  %llu transactions%s", rate / 1e6,
             (unsigned long long)r->transactions, left);
    int len = (int)strlen(line);
    if (len > p->width - 1)
        len = p->width - 1;
    /* pad with blanks over a longer previous line */
    int pad = p->drawn > len ? p->drawn - len : 0;
    fprintf(p->out, "\r%.*s%*s", len, line, pad, "");
    fflush(p->out);
    p->drawn = len + pad;
}

void progress_update(void *ctx, const struct pipeline_read_progress *r)
{
    struct progress *p = ctx;
    double t = now_s();
    if (t - p->last_s < REDRAW_S)
        return;
    p->last_s = t;
    draw(p, r, t - p->start_s);
}

void progress_end(struct progress *p)
{
    if (p->drawn == 0)
        return;
    fprintf(p->out, "\r%*s\r", p->drawn, "");
    fflush(p->out);
    p->drawn = 0;
}
