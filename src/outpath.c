/*
 * outpath.c - whether an output path is safe to open for writing.
 * Owns: the rule (a symbolic link in a world-writable directory is followed only when the
 *       effective user owns it) and the walk over the path's components.
 * In:   a path as the user gave it.
 * Out:  enum outpath_kind, or one line saying which link was refused and why.
 * Never: opens, creates or changes a file; follows the link it is judging (lstat on the
 *        link, stat on its directory).
 */
#include "outpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Walking on past the last component that exists. */
#define OUTPATH_STOP 2

/* The directory holding the component that starts at offset start of p: "/" or "." when
 * the component is the first one. */
static void parent_of(const char *p, size_t start, char dir[PATH_MAX])
{
    size_t n = start;
    while (n > 1 && p[n - 1] == '/')
        n--;
    if (n == 0)
        snprintf(dir, PATH_MAX, ".");
    else
        snprintf(dir, PATH_MAX, "%.*s", (int)n, p);
}

/*
 * The symbolic link link, owned by link_uid, sits in dir: refuse it when anyone may write
 * to dir (anyone could have planted it) and the effective user does not own it. Fails
 * closed when dir cannot be examined.
 */
static int judge_link(const char *path, const char *link, uid_t link_uid, const char *dir,
                      char err[HTTPCAP_ERRBUF])
{
    struct stat ds;
    if (link_uid == geteuid())
        return OUTPATH_LINK;
    if (stat(dir, &ds) != 0) {
        snprintf(err, HTTPCAP_ERRBUF,
                 "%.150s: cannot examine %.100s, the directory of the symbolic link %.100s: %s",
                 path, dir, link, strerror(errno));
        return OUTPATH_REFUSED;
    }
    if (!(ds.st_mode & S_IWOTH))
        return OUTPATH_LINK;
    if (strcmp(link, path) == 0)
        snprintf(err, HTTPCAP_ERRBUF,
                 "%.200s: refusing to follow this symbolic link (owned by uid %u, in the "
                 "world-writable directory %.100s): remove it or write elsewhere",
                 path, (unsigned)link_uid, dir);
    else
        snprintf(err, HTTPCAP_ERRBUF,
                 "%.150s: refusing to follow the symbolic link %.100s (owned by uid %u, in "
                 "the world-writable directory %.100s): remove it or write elsewhere",
                 path, link, (unsigned)link_uid, dir);
    return OUTPATH_REFUSED;
}

/* The component p[start, end): OUTPATH_PLAIN, OUTPATH_LINK, OUTPATH_REFUSED, or
 * OUTPATH_STOP when it cannot be examined (missing: the open creates or reports it). */
static int check_component(char *p, size_t start, size_t end, const char *path,
                           char err[HTTPCAP_ERRBUF])
{
    struct stat ls;
    char saved = p[end];
    p[end] = '\0';
    int rc = lstat(p, &ls) == 0 ? OUTPATH_PLAIN : OUTPATH_STOP;
    if (rc == OUTPATH_PLAIN && S_ISLNK(ls.st_mode)) {
        char dir[PATH_MAX];
        parent_of(p, start, dir);
        rc = judge_link(path, p, ls.st_uid, dir, err);
    }
    p[end] = saved;
    return rc;
}

int outpath_check(const char *path, char err[HTTPCAP_ERRBUF])
{
    char p[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof p)
        return OUTPATH_PLAIN; /* the open says what is wrong with it */
    memcpy(p, path, n + 1);
    int kind = OUTPATH_PLAIN;
    size_t end = 0;
    while (end < n) {
        while (end < n && p[end] == '/')
            end++;
        size_t start = end;
        while (end < n && p[end] != '/')
            end++;
        if (start == end)
            break;
        int rc = check_component(p, start, end, path, err);
        if (rc == OUTPATH_REFUSED)
            return OUTPATH_REFUSED;
        if (rc == OUTPATH_STOP)
            break;
        if (rc == OUTPATH_LINK)
            kind = OUTPATH_LINK;
    }
    return kind;
}

/* SQLite opens its side files with O_NOFOLLOW (they sit beside the resolved path), so a
 * planted one only makes it fail; checking them here says why. */
int outpath_check_db(const char *path, char err[HTTPCAP_ERRBUF])
{
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    int kind = outpath_check(path, err);
    for (size_t i = 0; i < sizeof sides / sizeof sides[0] && kind != OUTPATH_REFUSED; i++) {
        char side[PATH_MAX];
        if (snprintf(side, sizeof side, "%s%s", path, sides[i]) >= (int)sizeof side)
            break;
        if (outpath_check(side, err) == OUTPATH_REFUSED)
            kind = OUTPATH_REFUSED;
    }
    return kind;
}
