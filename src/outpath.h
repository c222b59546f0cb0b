/*
 * outpath.h - whether an output path (the database, --write-pcap) is safe to open for
 * writing: a symbolic link in a world-writable directory such as /tmp is followed only
 * when the effective user owns it (the idea of Linux's fs.protected_symlinks, for systems
 * and file systems without it). Every component of the path is checked, so a linked
 * directory planted in /tmp is refused too.
 * Never: opens, creates or changes a file.
 */
#ifndef HTTPCAP_OUTPATH_H
#define HTTPCAP_OUTPATH_H

#include "errbuf.h"

/* What outpath_check found; the caller opens accordingly. */
enum outpath_kind {
    OUTPATH_REFUSED = -1, /* err says which link and why */
    OUTPATH_PLAIN = 0,    /* not a symbolic link, or not there yet: open without following */
    OUTPATH_LINK = 1      /* a symbolic link that may be followed */
};

/*
 * Check path (as given by the user) before opening it for writing. Returns OUTPATH_PLAIN
 * or OUTPATH_LINK, or OUTPATH_REFUSED with one line in err: "PATH: refusing to follow
 * the symbolic link LINK (owned by uid N, in the world-writable directory DIR): remove it
 * or write elsewhere". A component that cannot be examined (missing, no permission) ends
 * the check without an error: opening the file reports it.
 */
int outpath_check(const char *path, char err[HTTPCAP_ERRBUF]);

/*
 * outpath_check on a database path and on the files SQLite keeps beside it (PATH-wal,
 * PATH-shm, PATH-journal). Returns what outpath_check says of path itself, or
 * OUTPATH_REFUSED with err naming the file refused.
 */
int outpath_check_db(const char *path, char err[HTTPCAP_ERRBUF]);

#endif
