/*
 * bytes.h - the bounds-checked read cursor for untrusted bytes.
 * Owns: nothing; a cursor is two pointers into someone else's buffer.
 * In:   a buffer and its length (packet data, HTTP bytes).
 * Out:  integers in network or little-endian order, sub-cursors, skips.
 * Never: reads past `end`; every read checks room as `n > (size_t)(end - p)`.
 */
#ifndef HTTPCAP_BYTES_H
#define HTTPCAP_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes {
    const uint8_t *p;   /* next byte to read */
    const uint8_t *end; /* one past the last readable byte; p <= end always */
};

/* A cursor over n bytes at p. Cannot fail. */
static inline struct bytes bytes_make(const uint8_t *p, size_t n)
{
    struct bytes b = {p, p + n};
    return b;
}

/* Bytes left to read. */
static inline size_t bytes_left(const struct bytes *b)
{
    return (size_t)(b->end - b->p);
}

/* 1 when n more bytes can be read, 0 otherwise. */
static inline int bytes_has(const struct bytes *b, size_t n)
{
    return !(n > (size_t)(b->end - b->p));
}

/* Skip n bytes. Returns -1 and leaves the cursor unchanged when fewer are left. */
static inline int bytes_skip(struct bytes *b, size_t n)
{
    if (n > (size_t)(b->end - b->p))
        return -1;
    b->p += n;
    return 0;
}

/* Read one byte into *v. Returns -1 (cursor unchanged) when empty. */
static inline int bytes_u8(struct bytes *b, uint8_t *v)
{
    if (b->p >= b->end)
        return -1;
    *v = *b->p++;
    return 0;
}

/* Read a big-endian 16-bit value. Returns -1 (cursor unchanged) when short. */
static inline int bytes_be16(struct bytes *b, uint16_t *v)
{
    if (2 > (size_t)(b->end - b->p))
        return -1;
    *v = (uint16_t)((b->p[0] << 8) | b->p[1]);
    b->p += 2;
    return 0;
}

/* Read a big-endian 32-bit value. Returns -1 (cursor unchanged) when short. */
static inline int bytes_be32(struct bytes *b, uint32_t *v)
{
    if (4 > (size_t)(b->end - b->p))
        return -1;
    *v = ((uint32_t)b->p[0] << 24) | ((uint32_t)b->p[1] << 16) | ((uint32_t)b->p[2] << 8) |
         (uint32_t)b->p[3];
    b->p += 4;
    return 0;
}

/* Read a little-endian 16-bit value. Returns -1 (cursor unchanged) when short. */
static inline int bytes_le16(struct bytes *b, uint16_t *v)
{
    if (2 > (size_t)(b->end - b->p))
        return -1;
    *v = (uint16_t)(b->p[0] | (b->p[1] << 8));
    b->p += 2;
    return 0;
}

/* Read a little-endian 32-bit value. Returns -1 (cursor unchanged) when short. */
static inline int bytes_le32(struct bytes *b, uint32_t *v)
{
    if (4 > (size_t)(b->end - b->p))
        return -1;
    *v = (uint32_t)b->p[0] | ((uint32_t)b->p[1] << 8) | ((uint32_t)b->p[2] << 16) |
         ((uint32_t)b->p[3] << 24);
    b->p += 4;
    return 0;
}

/* Copy n bytes into dst. Returns -1 (cursor unchanged, dst untouched) when short. */
static inline int bytes_copy(struct bytes *b, void *dst, size_t n)
{
    if (n > (size_t)(b->end - b->p))
        return -1;
    memcpy(dst, b->p, n);
    b->p += n;
    return 0;
}

/* Peek the byte at offset off without moving. Returns -1 when out of range. */
static inline int bytes_peek(const struct bytes *b, size_t off, uint8_t *v)
{
    if (off >= (size_t)(b->end - b->p))
        return -1;
    *v = b->p[off];
    return 0;
}

/*
 * Cut the readable end to n bytes from the cursor (e.g. to an IP total length, so
 * link-layer padding never becomes payload). When fewer than n bytes are left the
 * cursor is unchanged and 1 is returned (the data was cut short by the snaplen);
 * otherwise 0.
 */
static inline int bytes_limit(struct bytes *b, size_t n)
{
    if (n > (size_t)(b->end - b->p))
        return 1;
    b->end = b->p + n;
    return 0;
}

#endif
