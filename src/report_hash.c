/*
 * report_hash.c - the hash tables of report_hash.h.
 * Owns: the tables' arrays and the string copies.
 * In:   strings (any bytes, with a length) or 64-bit keys. Out: dense ids.
 * Never: removes or reorders ids.
 */
#include "report_hash.h"

#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time (hosts and endpoints run to tens of bytes, hashed once per
 * transaction), then the tail; a final mix spreads the high bits down. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, len - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

/* A slot array of size entries (a power of two) holding ids 0..n-1 by their hashes. */
static uint32_t *new_slots(uint32_t size, uint32_t n, const uint32_t *hashes,
                           const uint64_t *keys)
{
    uint32_t *slots = calloc(size, sizeof *slots);
    if (!slots)
        return NULL;
    for (uint32_t id = 0; id < n; id++) {
        uint32_t h = (hashes ? hashes[id] : hash_key(keys[id])) & (size - 1);
        while (slots[h])
            h = (h + 1) & (size - 1);
        slots[h] = id + 1;
    }
    return slots;
}

/* Room for one more id: grow the slots at half full. 0, or -1 out of memory. */
static int make_room(uint32_t **slots, uint32_t *mask, uint32_t n, const uint32_t *hashes,
                     const uint64_t *keys)
{
    if (*slots && (uint64_t)(n + 1) * 2 <= (uint64_t)*mask + 1)
        return 0;
    uint32_t size = *slots ? (*mask + 1) * 2 : 64;
    if (size == 0)
        return -1;
    uint32_t *s = new_slots(size, n, hashes, keys);
    if (!s)
        return -1;
    free(*slots);
    *slots = s;
    *mask = size - 1;
    return 0;
}

static int grow_strings(struct report_strings *t)
{
    if (t->n < t->cap)
        return 0;
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    char **strs = realloc(t->strs, cap * sizeof *strs);
    if (strs)
        t->strs = strs;
    size_t *lens = realloc(t->lens, cap * sizeof *lens);
    if (lens)
        t->lens = lens;
    uint32_t *hashes = realloc(t->hashes, cap * sizeof *hashes);
    if (hashes)
        t->hashes = hashes;
    if (!strs || !lens || !hashes)
        return -1;
    t->cap = cap;
    return 0;
}

int report_strings_add(struct report_strings *t, const char *s, size_t len, uint32_t *id)
{
    uint32_t hash = hash_bytes(s, len);
    if (t->slots) {
        for (uint32_t h = hash & t->mask; t->slots[h]; h = (h + 1) & t->mask) {
            uint32_t i = t->slots[h] - 1;
            if (t->hashes[i] == hash && t->lens[i] == len && memcmp(t->strs[i], s, len) == 0) {
                *id = i;
                return 0;
            }
        }
    }
    if (grow_strings(t) != 0 || make_room(&t->slots, &t->mask, t->n, t->hashes, NULL) != 0)
        return -1;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t i = t->n++;
    t->strs[i] = copy;
    t->lens[i] = len;
    t->hashes[i] = hash;
    uint32_t h = hash & t->mask;
    while (t->slots[h])
        h = (h + 1) & t->mask;
    t->slots[h] = i + 1;
    *id = i;
    return 1;
}

void report_strings_free(struct report_strings *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->lens);
    free(t->hashes);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

int report_keys_add(struct report_keys *t, uint64_t key, uint32_t *id)
{
    if (t->slots) {
        for (uint32_t h = hash_key(key) & t->mask; t->slots[h]; h = (h + 1) & t->mask) {
            if (t->keys[t->slots[h] - 1] == key) {
                *id = t->slots[h] - 1;
                return 0;
            }
        }
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        uint64_t *keys = realloc(t->keys, cap * sizeof *keys);
        if (!keys)
            return -1;
        t->keys = keys;
        t->cap = cap;
    }
    if (make_room(&t->slots, &t->mask, t->n, NULL, t->keys) != 0)
        return -1;
    uint32_t i = t->n++;
    t->keys[i] = key;
    uint32_t h = hash_key(key) & t->mask;
    while (t->slots[h])
        h = (h + 1) & t->mask;
    t->slots[h] = i + 1;
    *id = i;
    return 1;
}

void report_keys_free(struct report_keys *t)
{
    free(t->keys);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
