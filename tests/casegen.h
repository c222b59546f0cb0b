/*
 * casegen.h - the driver shared by the crafted-capture generators (tests/tools/gen*.c):
 * "PROG OUTDIR [CASE...]" writes OUTDIR/<case>.pcap or .pcapng for each case (all when
 * none is named), "PROG --list" lists them.
 */
#ifndef HTTPCAP_CASEGEN_H
#define HTTPCAP_CASEGEN_H

#include <stddef.h>

#include "pcapw.h"

struct casegen_case {
    const char *name;               /* file name without extension */
    enum pw_format fmt;             /* pcap or pcapng, µs or ns */
    int linktype;                   /* PW_LINK_* */
    void (*write)(struct pw_file *f);
};

/*
 * main() of a generator. before(), when not NULL, runs before each case is written.
 * Returns the exit status: 0, 1 when a file could not be written, 2 for a usage error
 * or an unknown case name.
 */
int casegen_main(const char *prog, const struct casegen_case *cases, size_t n,
                 void (*before)(void), int argc, char **argv);

#endif
