/*
 * privdrop.h - `-Z USER`: run as USER once the interface and the database are open,
 * like tcpdump -Z.
 */
#ifndef HTTPCAP_PRIVDROP_H
#define HTTPCAP_PRIVDROP_H

#include "errbuf.h"

/*
 * Give the files in paths (NULL-terminated list; missing files are skipped; a symbolic
 * link outpath_check refuses fails) to USER, then drop every supplementary group, set the
 * gid and uid to USER's (in that order), set no_new_privs, and check that every real,
 * effective and saved id is USER's, no capability is left and root cannot be regained.
 * Returns 0, or -1 with err: "USER: no such user", "USER: cannot switch user: reason", or
 * outpath_check's refusal. Call only when running as root.
 */
int privdrop_to(const char *user, const char *const *paths, char err[HTTPCAP_ERRBUF]);

#endif
