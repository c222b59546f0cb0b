/*
 * privdrop.c - `-Z USER`: leave root for USER once the capture and the database are open.
 * Owns: nothing past the call.
 * In:   a user name and the files the unprivileged process must keep writing.
 * Out:  the process runs as USER (groups, gid, uid), or an error line.
 * Never: keeps any privilege, or goes on quietly when a step fails.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int fail(const char *user, const char *what, int errnum, char err[HTTPCAP_ERRBUF])
{
    snprintf(err, HTTPCAP_ERRBUF, "%.100s: cannot switch user: %.300s: %s", user, what,
             strerror(errnum));
    return -1;
}

int privdrop_to(const char *user, const char *const *paths, char err[HTTPCAP_ERRBUF])
{
    const struct passwd *pw;
    uid_t uid;
    gid_t gid;
    char what[400];

    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        snprintf(err, HTTPCAP_ERRBUF, "%.100s: no such user", user);
        return -1;
    }
    /* Later library calls may reuse getpwnam's static buffer. */
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (uid == 0) {
        snprintf(err, HTTPCAP_ERRBUF, "%.100s: cannot switch user: it is root (uid 0)", user);
        return -1;
    }

    for (size_t i = 0; paths && paths[i]; i++) {
        if (chown(paths[i], uid, gid) != 0 && errno != ENOENT) {
            int e = errno;

            snprintf(what, sizeof what, "chown %.300s", paths[i]);
            return fail(user, what, e, err);
        }
    }

    /* Groups first: once the uid is gone, the process may no longer change them. */
    if (initgroups(user, gid) != 0)
        return fail(user, "initgroups", errno, err);
    if (setgid(gid) != 0)
        return fail(user, "setgid", errno, err);
    if (setuid(uid) != 0)
        return fail(user, "setuid", errno, err);

    if (setuid(0) == 0 || getuid() != uid || geteuid() != uid || getgid() != gid ||
        getegid() != gid) {
        snprintf(err, HTTPCAP_ERRBUF, "%.100s: cannot switch user: root could be regained",
                 user);
        return -1;
    }
    return 0;
}
