/*
 * test_threadprio.c - threadprio_step_back(): the calling thread's nice value rises by the
 * steps asked (capped at 19) while the other threads keep theirs; bad step counts are
 * refused and change nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testhelp.h"
#include "threadprio.h"

static int nice_of(pid_t tid)
{
    errno = 0;
    int n = getpriority(PRIO_PROCESS, (id_t)tid);
    return n == -1 && errno != 0 ? -100 : n;
}

struct probe {
    int start;        /* nice to set before stepping back, or -1: keep the inherited one */
    int steps;
    int before, got, after;
    pid_t tid;
};

static void *step_back(void *arg)
{
    struct probe *p = arg;
    p->tid = gettid();
    if (p->start >= 0)
        setpriority(PRIO_PROCESS, (id_t)p->tid, p->start);
    p->before = nice_of(p->tid);
    p->got = threadprio_step_back(p->steps);
    p->after = nice_of(p->tid);
    return NULL;
}

static struct probe run(int start, int steps)
{
    struct probe p = {.start = start, .steps = steps};
    pthread_t t;
    if (pthread_create(&t, NULL, step_back, &p) == 0)
        pthread_join(t, NULL);
    return p;
}

int main(void)
{
    int mine = nice_of(gettid());
    CHECK(mine > -100);

    /* a reading thread: three steps back from the process's nice value, which it inherits */
    struct probe p = run(-1, THREADPRIO_READER_STEPS);
    CHECK_INT(p.before, mine);
    int want = mine + THREADPRIO_READER_STEPS > 19 ? 19 : mine + THREADPRIO_READER_STEPS;
    CHECK_INT(p.got, want);
    CHECK_INT(p.after, want);
    CHECK_INT(nice_of(gettid()), mine); /* the calling thread only */

    /* never past the lowest priority (from 18, or from the process's own if it is lower:
     * without privileges a thread cannot raise its priority back) */
    int high = mine > 18 ? mine : 18;
    p = run(high, 3);
    CHECK_INT(p.before, high);
    CHECK_INT(p.got, 19);
    CHECK_INT(p.after, 19);

    /* nonsense asks change nothing */
    p = run(-1, 0);
    CHECK_INT(p.got, -1);
    CHECK_INT(p.after, p.before);
    p = run(-1, 20);
    CHECK_INT(p.got, -1);
    CHECK_INT(p.after, p.before);
    CHECK_INT(nice_of(gettid()), mine);
    return TEST_REPORT();
}
