/*
 * threadprio.c - lowering the calling thread's scheduling priority (see threadprio.h).
 * Owns: nothing but the getpriority/setpriority calls on the calling thread's id.
 * In:   how many nice steps to give up.
 * Out:  the thread's new nice value.
 * Never: raises a priority, touches another thread.
 */
#include "threadprio.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#define NICE_LOWEST 19

int threadprio_step_back(int steps)
{
    if (steps < 1 || steps > NICE_LOWEST) {
        errno = EINVAL;
        return -1;
    }
    id_t tid = (id_t)gettid(); /* Linux: PRIO_PROCESS with a thread id is that thread */
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (now == -1 && errno != 0)
        return -1;
    int want = now > NICE_LOWEST - steps ? NICE_LOWEST : now + steps;
    if (setpriority(PRIO_PROCESS, tid, want) != 0)
        return -1;
    return want;
}
