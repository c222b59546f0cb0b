/*
 * replay.c - runs a fuzz target without libFuzzer (linked with one fuzz_<stage>.c):
 * "replay_<stage> PATH..." runs LLVMFuzzerTestOneInput over each file given and over
 * every file of each directory given (sorted by name, not recursing; README* skipped).
 * Owns: reading inputs, one child process per input (a crash, a sanitizer report or a
 *       hang of one input fails that input and the rest still run).
 * Out:  "FAILED: PATH: why" per failing input, then "N passed, N failed" (tests/run.sh).
 * Never: mutates inputs or writes files.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define TIMEOUT_S 60 /* an input taking longer has hung (ASan builds are slow) */

struct tally {
    int passed, failed;
};

/* The whole file in a buffer of exactly its size (so ASan sees over-reads). */
static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc(len > 0 ? (size_t)len : 1);
            if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
                free(buf);
                buf = NULL;
            }
            *n = (size_t)len;
        }
    }
    fclose(f);
    return buf;
}

/* Child: run the input and exit 0; exit() (not _exit) lets LeakSanitizer check. */
static void run_child(const char *path)
{
    size_t n = 0;
    alarm(TIMEOUT_S);
    uint8_t *buf = read_file(path, &n);
    if (!buf) {
        fprintf(stderr, "cannot read: %s\n", strerror(errno));
        exit(3);
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    exit(0);
}

static void run_one(const char *path, struct tally *t)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        printf("FAILED: %s: fork: %s\n", path, strerror(errno));
        t->failed++;
        return;
    }
    if (pid == 0)
        run_child(path);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        t->passed++;
        return;
    }
    if (WIFSIGNALED(status))
        printf("FAILED: %s: %s\n", path,
               WTERMSIG(status) == SIGALRM ? "timed out" : strsignal(WTERMSIG(status)));
    else
        printf("FAILED: %s: exit status %d\n", path, WEXITSTATUS(status));
    t->failed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int wanted(const struct dirent *d)
{
    return d->d_name[0] != '.' && strncmp(d->d_name, "README", 6) != 0;
}

static void run_dir(const char *dir, struct tally *t)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, wanted, by_name);
    if (n < 0) {
        printf("FAILED: %s: %s\n", dir, strerror(errno));
        t->failed++;
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            run_one(path, t);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    struct tally t = {0, 0};
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            run_dir(argv[i], &t);
        else
            run_one(argv[i], &t);
    }
    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
