/*
 * threadprio.h - a thread steps back for another: `read` on several threads lowers the
 * priority of its reading threads (their nice value, which Linux keeps per thread), so
 * that the one writer thread they all feed is served first when the cores are full.
 * Never: raises a priority (that needs privileges), touches another thread.
 */
#ifndef HTTPCAP_THREADPRIO_H
#define HTTPCAP_THREADPRIO_H

/* How far the reading threads of a `read` on several threads step back: enough for the
 * scheduler to give the writer a core first (weights 1024 against 526), not so far that
 * other programs on the machine starve them. */
#define THREADPRIO_READER_STEPS 3

/*
 * Raise the calling thread's nice value by steps (1-19), at most to 19, the lowest
 * priority; the process's other threads keep theirs. Returns the new nice value, or -1
 * when the system refused (errno tells why; the thread keeps its priority, which only
 * costs speed). Nice values start at the process's, so a `nice httpcap` keeps its offset.
 */
int threadprio_step_back(int steps);

#endif
