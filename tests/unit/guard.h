/*
 * guard.h - put test input at the very end of a readable page followed by an
 * inaccessible one, so reading one byte past it crashes (picohttpparser's trick).
 * guard_copy() returns a pointer valid until guard_release(); one buffer at a time.
 */
#ifndef HTTPCAP_GUARD_H
#define HTTPCAP_GUARD_H

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *guard_base;
static size_t guard_len;

static void guard_release(void)
{
    if (guard_base)
        munmap(guard_base, guard_len);
    guard_base = NULL;
}

/* Copy n bytes so that they end exactly at a PROT_NONE page; NULL on failure. */
static const uint8_t *guard_copy(const void *src, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (n + page - 1) / page;
    guard_release();
    if (data_pages == 0)
        data_pages = 1;
    guard_len = (data_pages + 1) * page;
    guard_base = mmap(NULL, guard_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard_base == MAP_FAILED) {
        guard_base = NULL;
        return NULL;
    }
    uint8_t *fence = (uint8_t *)guard_base + data_pages * page;
    if (mprotect(fence, page, PROT_NONE) != 0)
        return NULL;
    memcpy(fence - n, src, n);
    return fence - n;
}

#endif
