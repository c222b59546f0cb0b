/*
 * casegen.c - the command line shared by the crafted-capture generators: parse
 * OUTDIR [CASE...] / --list, create OUTDIR, open, write and close each case's file.
 */
#include "casegen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int wanted(const struct casegen_case *c, int argc, char **argv)
{
    if (argc <= 2)
        return 1;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], c->name) == 0)
            return 1;
    }
    return 0;
}

/* 0 when every name on the command line is a case, else 2 (after saying which). */
static int check_names(const char *prog, const struct casegen_case *cases, size_t n, int argc,
                       char **argv)
{
    int status = 0;
    for (int i = 2; i < argc; i++) {
        size_t k = 0;
        while (k < n && strcmp(argv[i], cases[k].name) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "%s: %s: no such case\n", prog, argv[i]);
            status = 2;
        }
    }
    return status;
}

static int write_case(const char *prog, const char *dir, const struct casegen_case *c)
{
    char path[4096];
    char err[PW_ERRBUF];
    int is_ng = c->fmt == PW_PCAPNG_US || c->fmt == PW_PCAPNG_NS;
    snprintf(path, sizeof path, "%s/%s.%s", dir, c->name, is_ng ? "pcapng" : "pcap");
    struct pw_file *f = pw_open(path, c->fmt, c->linktype, 0, err);
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    c->write(f);
    if (pw_close(f, err) < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err);
        return 1;
    }
    return 0;
}

int casegen_main(const char *prog, const struct casegen_case *cases, size_t n,
                 void (*before)(void), int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR [CASE...] | %s --list\n", prog, prog);
        return 2;
    }
    if (mkdir(argv[1], 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
        return 1;
    }
    int status = check_names(prog, cases, n, argc, argv);
    for (size_t i = 0; i < n; i++) {
        if (!wanted(&cases[i], argc, argv))
            continue;
        if (before)
            before();
        if (write_case(prog, argv[1], &cases[i]) != 0)
            return 1;
    }
    return status;
}
