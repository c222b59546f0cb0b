/*
 * inputs.c - the FILE... arguments of `httpcap read` turned into the files to read: a
 * directory (tcpdump -C / -G rotation output) becomes its capture files, naturally sorted.
 * Owns: the growing path list (capped), the natural order, skipping dotfiles, non-regular
 *       entries and the output database, the up-front check of a directory's files.
 * In:   argv's file arguments and the database path, from main.c.
 * Out:  struct inputs (paths, total size) for pipeline_read().
 * Never: reads packets; opens a file given by name (it may be a pipe: reading is
 *        pipeline.c's).
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"

/* Files never taken from a directory: the database and its SQLite side files. */
struct skip_set {
    dev_t dev[4];
    ino_t ino[4];
    int n;
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Compare the digit runs at *pa and *pb by value and move both past them; the first
 * difference in leading zeros goes to *zeros (more zeros first). */
static int cmp_number(const char **pa, const char **pb, int *zeros)
{
    const char *a = *pa;
    const char *b = *pb;
    while (*a == '0')
        a++;
    while (*b == '0')
        b++;
    size_t za = (size_t)(a - *pa);
    size_t zb = (size_t)(b - *pb);
    size_t la = 0;
    size_t lb = 0;
    while (is_digit(a[la]))
        la++;
    while (is_digit(b[lb]))
        lb++;
    int c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
    if (c == 0 && *zeros == 0 && za != zb)
        *zeros = za > zb ? -1 : 1;
    *pa = a + la;
    *pb = b + lb;
    return c;
}

int inputs_natural_cmp(const char *a, const char *b)
{
    const char *p = a;
    const char *q = b;
    int zeros = 0;
    while (*p && *q) {
        if (is_digit(*p) && is_digit(*q)) {
            int c = cmp_number(&p, &q, &zeros);
            if (c != 0)
                return c;
            continue;
        }
        if (*p != *q)
            return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
        p++;
        q++;
    }
    if (*p || *q)
        return *p ? 1 : -1;
    return zeros ? zeros : strcmp(a, b);
}

static int cmp_paths(const void *a, const void *b)
{
    return inputs_natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

void inputs_free(struct inputs *in)
{
    for (int i = 0; i < in->n; i++)
        free(in->paths[i]);
    free(in->paths);
    memset(in, 0, sizeof *in);
}

/* Append a copy of path (the list takes it over); -1 with err when out of memory. */
static int add_path(struct inputs *in, int *cap, const char *path, char err[HTTPCAP_ERRBUF])
{
    char *copy = strdup(path);
    if (!copy)
        goto oom;
    if (in->n == *cap) {
        int grown = *cap ? *cap * 2 : 16;
        char **p = realloc(in->paths, (size_t)grown * sizeof *p);
        if (!p) {
            free(copy);
            goto oom;
        }
        in->paths = p;
        *cap = grown;
    }
    in->paths[in->n++] = copy;
    return 0;
oom:
    snprintf(err, HTTPCAP_ERRBUF, "out of memory");
    return -1;
}

static void skip_set_init(struct skip_set *s, const char *db_path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[4096];
    struct stat st;
    s->n = 0;
    for (int i = 0; i < 4 && db_path; i++) {
        int len = snprintf(path, sizeof path, "%s%s", db_path, suffix[i]);
        if (len < 0 || (size_t)len >= sizeof path || stat(path, &st) != 0)
            continue;
        s->dev[s->n] = st.st_dev;
        s->ino[s->n] = st.st_ino;
        s->n++;
    }
}

static int is_skipped(const struct skip_set *s, const struct stat *st)
{
    for (int i = 0; i < s->n; i++)
        if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
            return 1;
    return 0;
}

/* The regular files of dir as "dir/name" into in (from index in->n on), unsorted. */
static int list_dir(const char *dir, const struct skip_set *skip, struct inputs *in, int *cap,
                    char err[HTTPCAP_ERRBUF])
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: %s", dir, strerror(errno));
        return -1;
    }
    size_t dlen = strlen(dir);
    const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";
    int first = in->n;
    int rc = 0;
    struct dirent *e;
    char path[4096];
    struct stat st;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int len = snprintf(path, sizeof path, "%s%s%s", dir, sep, e->d_name);
        if (len < 0 || (size_t)len >= sizeof path) {
            snprintf(err, HTTPCAP_ERRBUF, "%.200s/%.200s: path too long", dir, e->d_name);
            rc = -1;
        } else if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || is_skipped(skip, &st)) {
            continue;
        } else if (in->n - first >= INPUTS_MAX_DIR_FILES) {
            snprintf(err, HTTPCAP_ERRBUF, "%s: more than %d files", dir, INPUTS_MAX_DIR_FILES);
            rc = -1;
        } else {
            rc = add_path(in, cap, path, err);
            in->total_bytes += (uint64_t)st.st_size;
        }
    }
    closedir(d);
    return rc;
}

/* Open each file once, as pipeline_read() will: the same error for a stray file, but
 * before anything is read rather than after the files sorted before it. */
static int check_captures(const struct inputs *in, int first, char err[HTTPCAP_ERRBUF])
{
    for (int i = first; i < in->n; i++) {
        struct source *s = source_open_file(in->paths[i], NULL, err);
        if (!s)
            return -1;
        source_close(s);
    }
    return 0;
}

static int expand_dir(const char *dir, const struct skip_set *skip, struct inputs *in,
                      int *cap, char err[HTTPCAP_ERRBUF])
{
    int first = in->n;
    if (list_dir(dir, skip, in, cap, err) != 0)
        return -1;
    if (in->n == first) {
        snprintf(err, HTTPCAP_ERRBUF, "%s: no capture files", dir);
        return -1;
    }
    qsort(in->paths + first, (size_t)(in->n - first), sizeof *in->paths, cmp_paths);
    return check_captures(in, first, err);
}

/* One argument: a directory is expanded; anything else is kept for pipeline_read(). */
static int expand_arg(const char *arg, const struct skip_set *skip, struct inputs *in,
                      int *cap, char err[HTTPCAP_ERRBUF])
{
    struct stat st;
    int is_known = strcmp(arg, "-") != 0 && stat(arg, &st) == 0;
    if (is_known && S_ISDIR(st.st_mode))
        return expand_dir(arg, skip, in, cap, err);
    if (is_known && S_ISREG(st.st_mode))
        in->total_bytes += (uint64_t)st.st_size;
    else
        in->has_total = 0; /* stdin, a pipe, or missing (pipeline_read() says so) */
    return add_path(in, cap, arg, err);
}

int inputs_expand(const char *const *args, int n_args, const char *db_path, struct inputs *in,
                  char err[HTTPCAP_ERRBUF])
{
    struct skip_set skip;
    int cap = 0;
    memset(in, 0, sizeof *in);
    in->has_total = 1;
    skip_set_init(&skip, db_path);
    for (int i = 0; i < n_args; i++) {
        if (expand_arg(args[i], &skip, in, &cap, err) != 0) {
            inputs_free(in);
            return -1;
        }
    }
    return 0;
}
