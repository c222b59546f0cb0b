/*
 * inputs.h - the FILE... arguments of `httpcap read` turned into the files to read, in
 * order: a directory stands for its capture files in natural name order.
 * Owns: the list of paths and their total size, the natural order, the checks on a
 *       directory's entries.
 * In:   the arguments as given, the output database's path (never read as an input).
 * Out:  struct inputs for pipeline_read().
 * Never: reads packets, or looks inside a file given by name (pipeline.c opens those).
 */
#ifndef HTTPCAP_INPUTS_H
#define HTTPCAP_INPUTS_H

#include <stdint.h>

#include "errbuf.h"

/* At most this many files in one directory: a cap on the list, not a limit in practice. */
#define INPUTS_MAX_DIR_FILES 100000

struct inputs {
    char **paths;          /* n paths in reading order; each string and the array belong to
                              the struct until inputs_free() */
    int n;
    uint64_t total_bytes;  /* sum of the inputs' sizes in bytes, valid when has_total */
    int has_total;         /* 1 when every input is a regular file; 0 with "-" or a pipe */
};

/*
 * Expand args[0..n_args) into in: "-" and anything that is not a directory stay as they
 * are; a directory becomes its regular files (symbolic links followed, not recursing into
 * subdirectories), except dotfiles and the database db_path (with its -wal, -shm and
 * -journal files), sorted by inputs_natural_cmp(). Each file of a directory is opened
 * once to check that it is a capture httpcap can read. Returns 0, or -1 with err and in
 * empty: "DIR: no capture files", "DIR/notes.txt: not a pcap or pcapng capture (bad
 * magic)", "DIR: Permission denied", "out of memory".
 */
int inputs_expand(const char *const *args, int n_args, const char *db_path, struct inputs *in,
                  char err[HTTPCAP_ERRBUF]);

/* Free the paths; in becomes empty. An empty or freed struct is fine. */
void inputs_free(struct inputs *in);

/*
 * Natural ("version") order of two names, like `ls -v`: runs of digits compare by their
 * value, so cap.pcap < cap.pcap1 < cap.pcap2 < cap.pcap10; everything else compares byte
 * by byte; equal values with more leading zeros come first, and a final tie goes to
 * strcmp(). Returns <0, 0 or >0. Cannot fail.
 */
int inputs_natural_cmp(const char *a, const char *b);

#endif
