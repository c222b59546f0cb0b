/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point and the check macro.
 * Owns: nothing; each tests/fuzz/fuzz_<stage>.c defines LLVMFuzzerTestOneInput.
 * In:   one input of any bytes (libFuzzer, or tests/fuzz/replay.c reading a file).
 * Out:  0; a broken invariant prints one line and aborts, so both drivers see a crash.
 * Never: keeps state from one input to the next (beyond constant tables).
 */
#ifndef HTTPCAP_FUZZ_H
#define HTTPCAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run one input. Returns 0; aborts when an invariant breaks. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fuzz_fail(__FILE__, __LINE__, #cond);                                          \
    } while (0)

static inline void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}

/* A little-endian reader over the input script; reads past the end give zeros. */
struct fuzz_in {
    const uint8_t *p;
    size_t left;
};

static inline unsigned fuzz_u8(struct fuzz_in *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static inline unsigned fuzz_u16(struct fuzz_in *in)
{
    unsigned lo = fuzz_u8(in);
    return lo | fuzz_u8(in) << 8;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

/* Take up to n bytes of the input into a fresh buffer of exactly that size (so ASan sees
 * a read past the end); *got is how many. NULL when nothing is left or malloc fails. */
static inline uint8_t *fuzz_take(struct fuzz_in *in, size_t n, size_t *got)
{
    if (n > in->left)
        n = in->left;
    *got = 0;
    if (n == 0)
        return NULL;
    uint8_t *b = malloc(n);
    if (!b)
        return NULL;
    memcpy(b, in->p, n);
    in->p += n;
    in->left -= n;
    *got = n;
    return b;
}

#endif
