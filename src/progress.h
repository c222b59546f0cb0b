/*
 * progress.h - the progress line `httpcap read` draws on a terminal: bytes done of the
 * total, MB/s, transactions so far, time left.
 * Owns: when to redraw (at most every 100 ms), the line's text, erasing it at the end.
 * In:   pipeline_read_progress reports through pipeline_options.read_progress.
 * Out:  one line on a FILE, redrawn in place with '\r'.
 * Never: decides whether to show itself (main.c: stderr is a terminal and no -q).
 */
#ifndef HTTPCAP_PROGRESS_H
#define HTTPCAP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"

struct progress {
    FILE *out;                    /* a terminal; not owned */
    uint64_t total_bytes;         /* sum of the inputs' sizes, valid when has_total */
    int has_total;                /* 0 for stdin or a pipe: bytes and rate only */
    int width;                    /* the terminal's columns; the line stays shorter */
    double start_s, last_s;       /* monotonic seconds: start, last redraw */
    int drawn;                    /* columns drawn on the current line, 0 when none */
};

/* Start timing now; nothing is drawn for the first 100 ms. out's width is asked once
 * (80 when unknown). Cannot fail. */
void progress_start(struct progress *p, FILE *out, uint64_t total_bytes, int has_total);

/* A pipeline_options.read_progress callback (ctx: a struct progress): redraws the line
 * when 100 ms have passed since the last time. Cannot fail (write errors are ignored). */
void progress_update(void *ctx, const struct pipeline_read_progress *r);

/* Erase the line if one was drawn, so the next message starts a clean line. */
void progress_end(struct progress *p);

#endif
