/*
 * report_hash.h - the two hash tables of the report's scan (report_scan.c): strings to
 * dense ids (hosts, endpoints) and 64-bit keys to dense ids (connections, groups).
 * Ids count from 0 in order of first sight; the caller keeps its values in arrays indexed
 * by id. Open addressing, grown at half full. Never: removes an entry.
 */
#ifndef HTTPCAP_REPORT_HASH_H
#define HTTPCAP_REPORT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct report_strings {
    char **strs;       /* id -> NUL-terminated copy, owned */
    size_t *lens;      /* id -> length in bytes (the string may hold NULs before it) */
    uint32_t *hashes;  /* id -> hash */
    uint32_t n, cap;   /* ids in use, room in the three arrays */
    uint32_t *slots;   /* id + 1, or 0 when empty; mask + 1 of them */
    uint32_t mask;
};

struct report_keys {
    uint64_t *keys;    /* id -> key */
    uint32_t n, cap;   /* ids in use, room in keys */
    uint32_t *slots;   /* id + 1, or 0 when empty; mask + 1 of them */
    uint32_t mask;
};

/*
 * The id of the len bytes at s, added (copied) when new. *id is set; returns 1 when the
 * string was new, 0 when known, -1 when out of memory (nothing added).
 */
int report_strings_add(struct report_strings *t, const char *s, size_t len, uint32_t *id);

/* Free the table's memory and zero it; t may be zeroed already. Cannot fail. */
void report_strings_free(struct report_strings *t);

/* The id of key, added when new: 1 new, 0 known, -1 out of memory (nothing added). */
int report_keys_add(struct report_keys *t, uint64_t key, uint32_t *id);

/* Free the table's memory and zero it. Cannot fail. */
void report_keys_free(struct report_keys *t);

#endif
