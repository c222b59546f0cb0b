/*
 * http_fields.c - capped copies of the strings a transaction keeps, the
 * --store-headers lines of one transaction, and the header facts of struct txn_facts.
 * Owns: name matching, OWS trimming, NUL replacement, cut flags, the string buffer
 *       (packed, grown by doubling up to the sum of the caps), the line buffer, the
 *       byte-by-byte scans of Connection, Expect and Content-Length values.
 * In:   request line, reason, name and value pieces from llhttp callbacks, split anywhere.
 * Out:  strings for struct txn; struct txn_header lists.
 * Never: keeps a pointer into the caller's data; grows past a cap.
 */
#include "http_fields.h"

#include <stdlib.h>
#include <string.h>

#define HSTORE_FIRST_ALLOC 512u
#define STRS_FIRST_ALLOC 256u

_Static_assert(HTTP_STRS_MAX <= UINT16_MAX, "string offsets are 16 bits");
_Static_assert(HTTP_STR_COUNT <= 32, "string bits are 32");
_Static_assert(TXN_LOCATION_MAX <= TXN_URI_MAX, "a value slot fits to_tail()");
_Static_assert(HTTP_LINE_MAX <= TXN_URI_MAX, "the raw request line fits to_tail()");
#define HTTP_STR_CAP_CHECK(id, member, cap) \
    _Static_assert((cap) <= TXN_URI_MAX, #member " fits to_tail()");
HTTP_STR_FIELDS(HTTP_STR_CAP_CHECK)
#undef HTTP_STR_CAP_CHECK

/* Room for a known name, zero-padded: same_name() reads it in whole 8-byte words. */
#define KNOWN_NAME_ROOM 24

struct field_name {
    char name[KNOWN_NAME_ROOM]; /* lower case */
    uint8_t len;      /* strlen(name) */
    uint8_t field;    /* enum http_field */
    uint8_t is_response;
};

/* The request-id sources appear in priority order, as in enum http_field. */
static const struct field_name field_names[] = {
    {"host", 4, HTTP_FIELD_HOST, 0},
    {"user-agent", 10, HTTP_FIELD_USER_AGENT, 0},
    {"x-request-id", 12, HTTP_FIELD_RID_FIRST, 0},
    {"x-correlation-id", 16, HTTP_FIELD_RID_CORRELATION, 0},
    {"traceparent", 11, HTTP_FIELD_RID_TRACEPARENT, 0},
    {"x-amzn-trace-id", 15, HTTP_FIELD_RID_AMZN, 0},
    {"x-b3-traceid", 12, HTTP_FIELD_RID_B3, 0},
    {"cf-ray", 6, HTTP_FIELD_RID_LAST, 0},
    {"content-type", 12, HTTP_FIELD_CONTENT_TYPE, 1},
    {"content-encoding", 16, HTTP_FIELD_CONTENT_ENCODING, 1},
    {"server", 6, HTTP_FIELD_SERVER, 1},
    {"location", 8, HTTP_FIELD_LOCATION, 1},
    {"upgrade", 7, HTTP_FIELD_REQ_UPGRADE, 0},
    {"upgrade", 7, HTTP_FIELD_RESP_UPGRADE, 1},
};

#define RESPONSE_FIELD_BITS                                                          \
    ((1u << HTTP_FIELD_CONTENT_TYPE) | (1u << HTTP_FIELD_CONTENT_ENCODING) |        \
     (1u << HTTP_FIELD_SERVER) | (1u << HTTP_FIELD_LOCATION) |                     \
     (1u << HTTP_FIELD_RESP_UPGRADE))

/* RFC 9110 §5.6.3: OWS = *( SP / HTAB ) */
static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}
void http_name_reset(struct http_name *nm)
{
    nm->len = 0;
}

/* Eight bytes at once: 'A'..'Z' get bit 5 (lower case); every other byte, those of 0x80
 * and above too, stays as it is. Adding 0x3f (0x25) to a byte's low 7 bits sets its bit 7
 * exactly when it is >= 'A' (> 'Z'), and cannot carry into the next byte. */
static uint64_t lower8(uint64_t x)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL, high = 0x8080808080808080ULL;
    uint64_t b = x & low7;
    uint64_t upper = (b + 0x3f3f3f3f3f3f3f3fULL) & ~(b + 0x2525252525252525ULL) & ~x & high;
    return x | (upper >> 2);
}

/* Bytes 0..r-1 of p (1 <= r <= 7) where memcpy would put them in a word, the others
 * zero; built in a register, so that the word is then written with one store. */
static uint64_t load_partial(const char *p, size_t r)
{
    uint64_t w = 0;
    for (size_t j = 0; j < r; j++) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        w |= (uint64_t)(unsigned char)p[j] << (8 * j);
#else
        w |= (uint64_t)(unsigned char)p[j] << (56 - 8 * j);
#endif
    }
    return w;
}

_Static_assert(HTTP_NAME_MAX % 8 == 0, "http_name_add writes whole 8-byte words");

/* Count every byte (a name longer than the buffer must not match a short one); keep the
 * first HTTP_NAME_MAX lower-cased (RFC 9110 §5.1: names are case-insensitive). A piece
 * that starts a word is written in whole words, so that same_name()'s word reads come
 * straight from those stores (bytes past the name may be written, and are never
 * compared); a piece that does not (a name split across segments) goes byte by byte. */
void http_name_add(struct http_name *nm, const char *p, size_t n)
{
    size_t at = nm->len < HTTP_NAME_MAX ? nm->len : HTTP_NAME_MAX;
    size_t keep = n < HTTP_NAME_MAX - at ? n : HTTP_NAME_MAX - at;
    size_t i = 0;
    if (at % 8 == 0) {
        for (; i + 8 <= keep; i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            w = lower8(w);
            memcpy(nm->buf + at + i, &w, 8);
        }
        if (i < keep) {
            uint64_t w = lower8(load_partial(p + i, keep - i));
            memcpy(nm->buf + at + i, &w, 8);
            i = keep;
        }
    }
    for (; i < keep; i++)
        nm->buf[at + i] = lower(p[i]);
    nm->len = n > UINT32_MAX - nm->len ? UINT32_MAX : nm->len + (uint32_t)n;
}

/* Bytes 0..r-1 of a word as memcpy read them (1 <= r <= 7). */
static uint64_t first_bytes_mask(size_t r)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (1ULL << (8 * r)) - 1;
#else
    return ~0ULL << (64 - 8 * r);
#endif
}

/* The nm->len kept bytes of nm (1 to HTTP_NAME_MAX, lower-cased) equal the start of name
 * (KNOWN_NAME_ROOM bytes, zero-padded, no shorter than nm->len rounded up to 8): whole
 * words compared in place, where memcmp was a call per candidate name. */
static int same_name(const struct http_name *nm, const char name[KNOWN_NAME_ROOM])
{
    size_t n = nm->len, i = 0;
    uint64_t a, b;
    for (; i + 8 <= n; i += 8) {
        memcpy(&a, nm->buf + i, 8);
        memcpy(&b, name + i, 8);
        if (a != b)
            return 0;
    }
    if (i == n)
        return 1;
    memcpy(&a, nm->buf + i, 8);
    memcpy(&b, name + i, 8);
    return ((a ^ b) & first_bytes_mask(n - i)) == 0;
}

/* Indexes + 1 into field_names by name length (0 ends a list): a header name costs a
 * same_name() or two, not a walk of the table. http_fields_selfcheck() proves it
 * complete. */
static const uint8_t field_by_len[HTTP_NAME_MAX + 1][4] = {
    [4] = {1}, [6] = {8, 11}, [7] = {13, 14}, [8] = {12}, [10] = {2}, [11] = {5},
    [12] = {3, 7, 9}, [15] = {6}, [16] = {4, 10},
};

/* RFC 9110 §5.1: field names are case-insensitive (nm->buf is lower-cased). */
enum http_field http_field_lookup(const struct http_name *nm, int is_response)
{
    if (nm->len == 0 || nm->len > HTTP_NAME_MAX)
        return HTTP_FIELD_NONE;
    for (const uint8_t *c = field_by_len[nm->len]; c < field_by_len[nm->len] + 4 && *c; c++) {
        const struct field_name *f = &field_names[*c - 1];
        if ((f->is_response != 0) == (is_response != 0) && same_name(nm, f->name))
            return (enum http_field)f->field;
    }
    return HTTP_FIELD_NONE;
}

/* ---- the string buffer ---- */

/* Remove k bytes at pos; the strings after them move down. */
static void close_gap(struct http_strs *a, uint32_t pos, uint32_t k)
{
    memmove(a->buf + pos, a->buf + pos + k, a->len - pos - k);
    a->len -= k;
    for (int i = 0; i < HTTP_STR_COUNT; i++)
        if ((a->has & (1u << i)) && a->off[i] > pos)
            a->off[i] = (uint16_t)(a->off[i] - k);
}

/* Room for n more bytes, doubling from STRS_FIRST_ALLOC up to HTTP_STRS_MAX. */
static int strs_room(struct http_strs *a, size_t n)
{
    if (n > (size_t)(HTTP_STRS_MAX - a->len))
        return -1; /* cannot happen: every string stays under its cap */
    if (a->len + n <= a->cap)
        return 0;
    uint32_t want = a->cap ? a->cap : STRS_FIRST_ALLOC;
    while (want < a->len + n)
        want *= 2;
    if (want > HTTP_STRS_MAX)
        want = HTTP_STRS_MAX;
    char *nb = realloc(a->buf, want);
    if (!nb)
        return -1;
    a->buf = nb;
    a->cap = want;
    return 0;
}

void http_strs_clear(struct http_strs *a)
{
    a->len = 0;
    a->has = 0;
}

void http_strs_drop(struct http_strs *a, enum http_str i)
{
    if (!(a->has & (1u << i)))
        return;
    a->has &= ~(1u << i);
    close_gap(a, a->off[i], a->n[i] + 1u);
}

/* Move string i (present) behind the others, so that it can grow in place; 0 on success. */
static int to_tail(struct http_strs *a, enum http_str i)
{
    char tmp[TXN_URI_MAX]; /* the largest cap */
    uint32_t k = a->n[i] + 1u;
    if (a->off[i] + k == a->len)
        return 0;
    if (k > sizeof(tmp))
        return -1; /* cannot happen: no string is kept past its cap */
    memcpy(tmp, a->buf + a->off[i], k);
    http_strs_drop(a, i);
    memcpy(a->buf + a->len, tmp, k); /* the bytes just freed */
    a->off[i] = (uint16_t)a->len;
    a->len += k;
    a->has |= 1u << i;
    return 0;
}

int http_strs_append(struct http_strs *a, enum http_str i, const char *p, size_t n, size_t max)
{
    int present = (a->has & (1u << i)) != 0;
    size_t have = present ? a->n[i] : 0;
    size_t room = max > have ? max - have : 0;
    size_t k = n < room ? n : room;
    if (k == 0 && present)
        return k < n;
    if (strs_room(a, k + (present ? 0 : 1)) != 0)
        return 1;
    if (present) {
        if (to_tail(a, i) != 0)
            return 1;
        a->len -= 1; /* the NUL is written again after the new bytes */
    } else {
        a->off[i] = (uint16_t)a->len;
        a->n[i] = 0;
        a->has |= 1u << i;
    }
    char *dst = a->buf + a->len;
    /* a NUL would end the string: it becomes a '?'. memchr reads p, not dst, which the
     * copy has just written (a load of fresh stores of other sizes waits for them) */
    if (memchr(p, '\0', k))
        for (size_t j = 0; j < k; j++)
            dst[j] = p[j] ? p[j] : '?';
    else
        memcpy(dst, p, k);
    dst[k] = '\0';
    a->n[i] = (uint16_t)(a->n[i] + k);
    a->len += (uint32_t)k + 1;
    return k < n;
}

int http_strs_set(struct http_strs *a, enum http_str i, const char *p, size_t n, size_t max)
{
    http_strs_drop(a, i);
    return http_strs_append(a, i, p, n, max);
}

const char *http_strs_get(const struct http_strs *a, enum http_str i)
{
    return (a->has & (1u << i)) ? a->buf + a->off[i] : "";
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version; split as sent. */
void http_strs_split_line(struct http_strs *a, uint32_t *flags, size_t uri_max)
{
    char line[HTTP_LINE_MAX];
    if (!(a->has & (1u << HTTP_STR_LINE)))
        return;
    size_t n = a->n[HTTP_STR_LINE];
    memcpy(line, a->buf + a->off[HTTP_STR_LINE], n); /* setting strings moves the buffer */
    http_strs_drop(a, HTTP_STR_LINE);
    size_t m = 0;
    while (m < n && line[m] != ' ' && line[m] != '\r' && line[m] != '\n')
        m++;
    if (http_strs_set(a, HTTP_STR_METHOD, line, m, TXN_METHOD_MAX - 1) || (m == n && n > 0))
        *flags |= TXN_FIELD_CUT;
    http_strs_drop(a, HTTP_STR_URI);
    if (m == n || line[m] != ' ')
        return;
    size_t u = m + 1, e = u;
    while (e < n && line[e] != ' ' && line[e] != '\r' && line[e] != '\n')
        e++;
    if (http_strs_set(a, HTTP_STR_URI, line + u, e - u, uri_max) || e == n)
        *flags |= TXN_URI_CUT;
}

void http_strs_fill(const struct http_strs *a, struct txn *t)
{
#define HTTP_STR_FILL(id, member, cap) t->member = http_strs_get(a, id);
    HTTP_STR_FIELDS(HTTP_STR_FILL)
#undef HTTP_STR_FILL
}

void http_strs_shrink(struct http_strs *a, uint32_t keep)
{
    if (a->cap > keep)
        http_strs_free(a);
}

void http_strs_free(struct http_strs *a)
{
    free(a->buf);
    a->buf = NULL;
    a->cap = 0;
    a->len = 0;
    a->has = 0;
}

/* ---- kept header values ---- */

/* The string a field's value becomes, and its cap. */
static enum http_str field_str(enum http_field f, size_t *cap)
{
    *cap = TXN_VALUE_MAX;
    switch (f) {
    case HTTP_FIELD_HOST:
        *cap = TXN_HOST_MAX;
        return HTTP_STR_HOST;
    case HTTP_FIELD_USER_AGENT:
        return HTTP_STR_USER_AGENT;
    case HTTP_FIELD_CONTENT_TYPE:
        return HTTP_STR_CONTENT_TYPE;
    case HTTP_FIELD_CONTENT_ENCODING:
        return HTTP_STR_CONTENT_ENCODING;
    case HTTP_FIELD_SERVER:
        return HTTP_STR_SERVER;
    case HTTP_FIELD_LOCATION:
        *cap = TXN_LOCATION_MAX;
        return HTTP_STR_LOCATION;
    case HTTP_FIELD_REQ_UPGRADE:
        return HTTP_STR_REQ_UPGRADE;
    case HTTP_FIELD_RESP_UPGRADE:
        return HTTP_STR_RESP_UPGRADE;
    default:
        return HTTP_STR_REQUEST_ID; /* the request-id sources */
    }
}

void http_value_begin(struct http_value *v, struct http_strs *a, enum http_field f,
                      int is_response)
{
    size_t cap = TXN_VALUE_MAX;
    if (f != HTTP_FIELD_NONE)
        field_str(f, &cap);
    v->total = 0;
    v->keep = 0;
    v->max = (uint16_t)(cap - 1);
    v->field = (uint8_t)f;
    v->slot = (uint8_t)(is_response ? HTTP_STR_VALUE_RESP : HTTP_STR_VALUE_REQ);
    if (a)
        http_strs_drop(a, (enum http_str)v->slot);
}

/*
 * Pieces arrive split anywhere (segments, llhttp spans, obs-fold). Keep the first
 * bytes and count all, so a cut is known even when the cut part is only OWS.
 */
void http_value_add(struct http_value *v, struct http_strs *a, const char *p, size_t n)
{
    size_t i = 0;
    if (v->field == HTTP_FIELD_NONE)
        return;
    if (v->total == 0)
        while (i < n && is_ows(p[i]))
            i++; /* RFC 9110 §5.5: leading OWS is not part of the value */
    if (i == n)
        return;
    size_t last = n;
    while (last > i && is_ows(p[last - 1]))
        last--;
    if (a)
        http_strs_append(a, (enum http_str)v->slot, p + i, n - i, v->max); /* cut: below */
    if (last > i)
        v->keep = v->total + (last - i);
    v->total += n - i;
}

/* The slot's value, trailing OWS cut, becomes string dst; a cut sets the flag. */
static void store(struct http_strs *a, uint32_t *flags, enum http_str dst,
                  const struct http_value *v)
{
    enum http_str slot = (enum http_str)v->slot;
    http_strs_drop(a, dst);
    if (v->keep > v->max)
        *flags |= TXN_FIELD_CUT;
    if (!(a->has & (1u << slot)))
        return; /* empty, or no memory: the field stays absent */
    if (a->n[slot] > v->keep) { /* trailing OWS */
        uint32_t end = a->off[slot] + (uint32_t)v->keep;
        a->buf[end] = '\0';
        close_gap(a, end + 1, a->n[slot] - (uint32_t)v->keep);
        a->n[slot] = (uint16_t)v->keep;
    }
    a->off[dst] = a->off[slot];
    a->n[dst] = a->n[slot];
    a->has = (a->has & ~(1u << slot)) | (1u << dst);
}

void http_field_apply(struct http_strs *a, uint32_t *flags, struct http_field_seen *seen,
                      const struct http_value *v)
{
    enum http_field f = (enum http_field)v->field;
    size_t cap;
    if (f == HTTP_FIELD_NONE)
        return;
    enum http_str dst = field_str(f, &cap);
    int wins;
    if (f >= HTTP_FIELD_RID_FIRST && f <= HTTP_FIELD_RID_LAST) {
        /* the first request-id source present wins by list position, not by arrival */
        uint8_t rank = (uint8_t)(f - HTTP_FIELD_RID_FIRST + 1);
        wins = seen->rid_rank == 0 || seen->rid_rank > rank;
        if (wins)
            seen->rid_rank = rank;
    } else {
        wins = !(seen->bits & (1u << f));
        seen->bits |= 1u << f;
    }
    if (wins)
        store(a, flags, dst, v);
    else
        http_strs_drop(a, (enum http_str)v->slot);
}

void http_field_forget_response(struct http_field_seen *seen)
{
    seen->bits &= ~RESPONSE_FIELD_BITS;
}

void http_hstore_start(struct http_hstore *h, int on, uint32_t max)
{
    h->on = (uint8_t)(on != 0);
    h->len = 0;
    h->max = max;
    h->n = 0;
    h->mark = 0;
    h->vstart = 0;
    h->open = 0;
    h->cut = 0;
}

/* Drop the entry being written: the cap is reached, nothing later is kept. */
static void hstore_overflow(struct http_hstore *h)
{
    h->len = h->mark;
    h->open = 0;
    h->cut = 1;
}

/* Make room for n more bytes within the cap, doubling (first 512 bytes) so most
 * transactions never allocate more than once; 0 on success. */
static int hstore_room(struct http_hstore *h, size_t n)
{
    if (n > (size_t)(h->max - h->len))
        return -1;
    if (h->len + n <= h->alloc)
        return 0;
    uint32_t want = h->alloc ? h->alloc : HSTORE_FIRST_ALLOC;
    while (want < h->len + n)
        want = want > h->max / 2 ? h->max : want * 2;
    if (want > h->max)
        want = h->max;
    char *nb = realloc(h->buf, want);
    if (!nb)
        return -1;
    h->buf = nb;
    h->alloc = want;
    return 0;
}

static void hstore_put(struct http_hstore *h, const char *p, size_t n)
{
    if (hstore_room(h, n) != 0) {
        hstore_overflow(h);
        return;
    }
    for (size_t i = 0; i < n; i++)
        h->buf[h->len + i] = p[i] == '\0' ? '?' : p[i];
    h->len += (uint32_t)n;
}

/* End a name or a value with its NUL (a terminator, unlike NUL bytes from the wire). */
static void hstore_nul(struct http_hstore *h)
{
    if (hstore_room(h, 1) != 0) {
        hstore_overflow(h);
        return;
    }
    h->buf[h->len++] = '\0';
}

void http_hstore_begin(struct http_hstore *h, int is_response)
{
    if (!h->on || h->cut)
        return;
    if (h->open)
        h->len = h->mark; /* an unfinished line: cannot happen with llhttp */
    h->mark = h->len;
    h->vstart = 0;
    h->open = 1;
    if (hstore_room(h, 1) != 0) {
        hstore_overflow(h);
        return;
    }
    h->buf[h->len++] = is_response ? 1 : 0;
}

void http_hstore_add(struct http_hstore *h, const char *p, size_t n)
{
    if (!h->open)
        return;
    if (h->vstart != 0 && h->len == h->vstart) {
        while (n > 0 && is_ows(*p)) { /* leading OWS, as for kept values */
            p++;
            n--;
        }
    }
    hstore_put(h, p, n);
}

void http_hstore_value(struct http_hstore *h)
{
    if (!h->open)
        return;
    hstore_nul(h);
    if (h->open)
        h->vstart = h->len;
}

void http_hstore_end(struct http_hstore *h)
{
    if (!h->open)
        return;
    if (h->vstart == 0)
        http_hstore_value(h); /* a name without a value: cannot happen with llhttp */
    if (!h->open)
        return;
    while (h->len > h->vstart && is_ows(h->buf[h->len - 1]))
        h->len--;
    hstore_nul(h);
    if (!h->open)
        return;
    h->open = 0;
    h->n++;
}

/* Entries are self-delimiting (flag, name NUL, value NUL): walk them with memchr. */
uint32_t http_hstore_list(const struct http_hstore *h, struct txn_header *out, uint32_t max)
{
    uint32_t k = 0;
    size_t pos = 0;
    size_t end = h->open ? h->mark : h->len;
    while (k < max && k < h->n && pos < end) {
        const char *name = h->buf + pos + 1;
        const char *nul = memchr(name, '\0', end - pos - 1);
        if (!nul)
            break;
        const char *value = nul + 1;
        const char *vnul = memchr(value, '\0', end - (size_t)(value - h->buf));
        if (!vnul)
            break;
        out[k].is_response = (uint8_t)h->buf[pos];
        out[k].name = name;
        out[k].value = value;
        k++;
        pos = (size_t)(vnul + 1 - h->buf);
    }
    return k;
}

void http_hstore_free(struct http_hstore *h)
{
    free(h->buf);
    h->buf = NULL;
    h->alloc = 0;
    h->len = 0;
    h->n = 0;
}

/* ---- header facts ---- */

struct fact_name {
    char name[KNOWN_NAME_ROOM]; /* lower case */
    uint8_t len;      /* strlen(name), so a header costs no strlen per known name */
    uint8_t kind;     /* enum http_scan_kind */
    uint32_t bit;
    const char *tok;
};

#define FACT_PRESENT(id, bit, name) {name, sizeof(name) - 1, HTTP_SCAN_PRESENT, id, NULL},
static const struct fact_name fact_names[] = {
    TXN_HEADERS_SEEN(FACT_PRESENT)
    {"content-length", 14, HTTP_SCAN_CONTENT_LENGTH, 0, NULL},
    {"transfer-encoding", 17, HTTP_SCAN_TRANSFER_ENCODING, 0, NULL},
};
#undef FACT_PRESENT


/* Indexes + 1 into fact_names by name length, like field_by_len. */
static const uint8_t fact_by_len[HTTP_NAME_MAX + 1][4] = {
    [4] = {7}, [5] = {3, 9}, [6] = {10}, [7] = {6}, [8] = {1}, [10] = {11}, [11] = {8},
    [13] = {5}, [14] = {12}, [16] = {2}, [17] = {13}, [18] = {4},
};

/* RFC 9110 §5.1: field names are case-insensitive (nm->buf is lower-cased). */
void http_scan_begin(struct http_scan *sc, const struct http_name *nm)
{
    memset(sc, 0, sizeof(*sc));
    sc->tok_ok = 1;
    if (nm->len == 0 || nm->len > HTTP_NAME_MAX)
        return;
    for (const uint8_t *c = fact_by_len[nm->len]; c < fact_by_len[nm->len] + 4 && *c; c++) {
        const struct fact_name *f = &fact_names[*c - 1];
        if (!same_name(nm, f->name))
            continue;
        sc->kind = f->kind;
        sc->bit = f->bit;
        /* RFC 9110 §7.6.1: Connection is a token list; §10.1.1: Expect: 100-continue */
        if (f->bit == TXN_H_CONNECTION_CLOSE) {
            sc->kind = HTTP_SCAN_TOKEN;
            sc->tok = "close";
        } else if (f->bit == TXN_H_EXPECT_CONTINUE) {
            sc->kind = HTTP_SCAN_TOKEN;
            sc->tok = "100-continue";
        }
        if (sc->tok)
            sc->tok_want = (uint32_t)strlen(sc->tok);
        return;
    }
}

/* Whether entry i (0-based) of a table is listed under its length, exactly once. */
static int listed_once(const uint8_t by_len[HTTP_NAME_MAX + 1][4], size_t len, size_t i)
{
    int seen = 0;
    for (size_t l = 0; l <= HTTP_NAME_MAX; l++)
        for (int k = 0; k < 4 && by_len[l][k]; k++)
            if (by_len[l][k] == i + 1)
                seen += l == len ? 1 : 2;
    return seen == 1;
}

static size_t by_len_entries(const uint8_t by_len[HTTP_NAME_MAX + 1][4])
{
    size_t n = 0;
    for (size_t l = 0; l <= HTTP_NAME_MAX; l++)
        for (int k = 0; k < 4 && by_len[l][k]; k++)
            n++;
    return n;
}

int http_fields_selfcheck(void)
{
    size_t nfield = sizeof field_names / sizeof field_names[0];
    size_t nfact = sizeof fact_names / sizeof fact_names[0];
    for (size_t i = 0; i < nfield; i++)
        if (field_names[i].len != strlen(field_names[i].name) ||
            (field_names[i].len + 7u) / 8 * 8 > KNOWN_NAME_ROOM ||
            !listed_once(field_by_len, field_names[i].len, i))
            return -1;
    for (size_t i = 0; i < nfact; i++)
        if (fact_names[i].len != strlen(fact_names[i].name) ||
            (fact_names[i].len + 7u) / 8 * 8 > KNOWN_NAME_ROOM ||
            !listed_once(fact_by_len, fact_names[i].len, i))
            return -1;
    return by_len_entries(field_by_len) == nfield && by_len_entries(fact_by_len) == nfact
               ? 0 : -1;
}

/* The end of a list element (a comma or the value's end). */
static void token_end(struct http_scan *sc)
{
    if (sc->tok_ok && sc->tok_len == sc->tok_want)
        sc->hit = 1;
    sc->tok_len = 0;
    sc->tok_ok = 1;
    sc->tok_sp = 0;
}

static void token_byte(struct http_scan *sc, char c)
{
    if (c == ',') {
        token_end(sc);
        return;
    }
    if (is_ows(c)) {
        sc->tok_sp = sc->tok_len > 0;
        return;
    }
    if (sc->tok_sp || sc->tok_len >= sc->tok_want || lower(c) != sc->tok[sc->tok_len])
        sc->tok_ok = 0;
    if (sc->tok_len < UINT32_MAX)
        sc->tok_len++;
}

/* The end of one number of a Content-Length list. */
static void cl_number_end(struct http_scan *sc)
{
    if (sc->cl_state == 0) {
        sc->cl_bad = 1; /* an empty element */
        return;
    }
    if (!sc->cl_have) {
        sc->cl_first = sc->cl_cur;
        sc->cl_have = 1;
    } else if (sc->cl_cur != sc->cl_first) {
        sc->cl_differ = 1;
    }
    sc->cl_state = 0;
    sc->cl_cur = 0;
}

/* RFC 9110 §8.6: Content-Length = 1*DIGIT; a list of identical numbers is tolerated. */
static void cl_byte(struct http_scan *sc, char c)
{
    if (c >= '0' && c <= '9') {
        uint64_t d = (uint64_t)(c - '0');
        /* up to 2^64 - 1 fits, as llhttp reads it; one more digit is an overflow */
        if (sc->cl_state == 2 || sc->cl_cur > (UINT64_MAX - d) / 10)
            sc->cl_bad = 1;
        else
            sc->cl_cur = sc->cl_cur * 10 + d;
        if (sc->cl_state == 0)
            sc->cl_state = 1;
    } else if (is_ows(c)) {
        if (sc->cl_state == 1)
            sc->cl_state = 2;
    } else if (c == ',') {
        cl_number_end(sc);
    } else {
        sc->cl_bad = 1;
    }
}

void http_scan_add(struct http_scan *sc, const char *p, size_t n)
{
    if (sc->kind == HTTP_SCAN_TOKEN) {
        for (size_t i = 0; i < n; i++)
            token_byte(sc, p[i]);
    } else if (sc->kind == HTTP_SCAN_CONTENT_LENGTH) {
        for (size_t i = 0; i < n && !sc->cl_bad; i++)
            cl_byte(sc, p[i]);
    }
}

/* Content-Length of a final response: count, validate, compare with earlier fields. */
static int cl_end(struct http_scan *sc, struct txn_facts *f, struct http_cl_seen *cl)
{
    if (!sc->cl_bad)
        cl_number_end(sc);
    if (f->n_content_length < UINT8_MAX)
        f->n_content_length++;
    if (sc->cl_bad) {
        f->content_length_invalid = 1;
        return 1;
    }
    int differ = sc->cl_differ || (cl->have && cl->value != sc->cl_first);
    if (differ)
        f->content_length_differ = 1;
    if (!cl->have) {
        cl->value = sc->cl_first;
        cl->have = 1;
    }
    return differ;
}

int http_scan_end(struct http_scan *sc, enum http_scan_where where, struct txn_facts *f,
                  struct http_cl_seen *cl)
{
    int bad = 0;
    if (sc->kind == HTTP_SCAN_TOKEN)
        token_end(sc);
    if (where == HTTP_SCAN_INTERIM) {
        if (sc->kind == HTTP_SCAN_CONTENT_LENGTH)
            f->interim_content_length = 1;
        else if (sc->kind == HTTP_SCAN_TRANSFER_ENCODING)
            f->interim_transfer_encoding = 1;
    } else {
        uint32_t *has = where == HTTP_SCAN_REQUEST ? &f->req_has : &f->resp_has;
        if (sc->kind == HTTP_SCAN_PRESENT || (sc->kind == HTTP_SCAN_TOKEN && sc->hit))
            *has |= sc->bit;
        if (where == HTTP_SCAN_FINAL && sc->kind == HTTP_SCAN_CONTENT_LENGTH)
            bad = cl_end(sc, f, cl);
        else if (where == HTTP_SCAN_FINAL && sc->kind == HTTP_SCAN_TRANSFER_ENCODING)
            f->has_transfer_encoding = 1;
    }
    sc->kind = HTTP_SCAN_NONE;
    return bad;
}
