/*
 * privdrop.c - `-Z USER`: leave root for USER once the capture and the database are open.
 * Owns: nothing past the call.
 * In:   a user name and the files the unprivileged process must keep writing.
 * Out:  the process runs as USER (uid, gid, no supplementary group, no capability, no new
 *       privileges on exec), checked afterwards, or an error line.
 * Never: keeps any privilege, or goes on quietly when a step fails.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "outpath.h"

static int fail(const char *user, const char *what, int errnum, char err[HTTPCAP_ERRBUF])
{
    snprintf(err, HTTPCAP_ERRBUF, "%.100s: cannot switch user: %.300s: %s", user, what,
             strerror(errnum));
    return -1;
}

/* Give the files to USER; symbolic links are judged as when the files were opened. */
static int give_files(const char *user, const char *const *paths, uid_t uid, gid_t gid,
                      char err[HTTPCAP_ERRBUF])
{
    char what[400];
    for (size_t i = 0; paths && paths[i]; i++) {
        if (outpath_check(paths[i], err) == OUTPATH_REFUSED)
            return -1;
        if (chown(paths[i], uid, gid) != 0 && errno != ENOENT) {
            int e = errno;

            snprintf(what, sizeof what, "chown %.300s", paths[i]);
            return fail(user, what, e, err);
        }
    }
    return 0;
}

/* Whether the process still holds any capability (effective or permitted). Fails
 * closed: 1 when the kernel cannot say. */
static int holds_capabilities(void)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &head, data) != 0)
        return 1;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        if (data[i].effective || data[i].permitted)
            return 1;
    }
    return 0;
}

/* After the switch: every uid and gid is USER's, no supplementary group, no capability,
 * and neither root's uid nor its gid can be taken back. */
static int dropped_for_good(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
        return 0;
    if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
        return 0;
    if (getgroups(0, NULL) != 0 || holds_capabilities())
        return 0;
    return setuid(0) != 0 && seteuid(0) != 0 && setgid(0) != 0 && setegid(0) != 0;
}

int privdrop_to(const char *user, const char *const *paths, char err[HTTPCAP_ERRBUF])
{
    const struct passwd *pw;
    uid_t uid;
    gid_t gid;

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
    if (give_files(user, paths, uid, gid, err) != 0)
        return -1;

    /* Groups first: once the uid is gone, the process may no longer change them. No
     * supplementary group at all (not even USER's): the files are open already. */
    if (setgroups(0, NULL) != 0)
        return fail(user, "setgroups", errno, err);
    if (setgid(gid) != 0)
        return fail(user, "setgid", errno, err);
    /* setuid() from root clears the capabilities unless "keep capabilities" is set. */
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
        return fail(user, "prctl(PR_SET_KEEPCAPS)", errno, err);
    if (setuid(uid) != 0)
        return fail(user, "setuid", errno, err);
    /* No exec'd program may gain privileges back (set-user-ID bits, file capabilities). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(user, "prctl(PR_SET_NO_NEW_PRIVS)", errno, err);

    if (!dropped_for_good(uid, gid)) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "%.100s: cannot switch user: root's ids, groups or capabilities remain", user);
        return -1;
    }
    return 0;
}
