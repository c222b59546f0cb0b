/*
 * endpoint.c - path templates for grouping requests ("/users/42" -> "/users/{id}").
 * Owns: the rules that decide which path segment is an identifier.
 * In:   a request target as stored (any bytes). Out: its template, bounded by the caller.
 * Never: allocates, reads past the NUL, keeps state.
 */
#include "endpoint.h"

#include <string.h>

#define ID_TOKEN "{id}"
#define ENDPOINT_SEGMENT_MAX 256 /* longer file names are kept as they are */
#define HASH_MIN_LEN 16 /* shorter hex runs are often words: "cafe", "deadbeef" */

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

/* 8-4-4-4-12 hex digits. */
static int is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* A long run of hex digits with at least one digit: an MD5/SHA digest, an object id. */
static int is_hex_hash(const char *s, size_t n)
{
    if (n < HASH_MIN_LEN)
        return 0;
    int has_digit = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex((unsigned char)s[i]))
            return 0;
        has_digit |= is_digit((unsigned char)s[i]);
    }
    return has_digit;
}

static int is_identifier(const char *s, size_t n)
{
    return all_digits(s, n) || is_uuid(s, n) || is_hex_hash(s, n);
}

/* A piece of a file name that names one object: digits, a UUID, or a hex run of at least
 * 8 with a digit ("app.8fa50166.js"). */
static int is_name_id(const char *s, size_t n)
{
    if (all_digits(s, n) || is_uuid(s, n))
        return 1;
    if (n < 8)
        return 0;
    int has_digit = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex((unsigned char)s[i]))
            return 0;
        has_digit |= is_digit((unsigned char)s[i]);
    }
    return has_digit;
}

/* "47124.png" or "app.8fa50166.js": a file name whose extension is 1-5 letters. */
static size_t extension_at(const char *s, size_t n)
{
    size_t dot = n;
    while (dot > 0 && s[dot - 1] != '.')
        dot--;
    if (dot < 2 || n - dot < 1 || n - dot > 5)
        return 0;
    for (size_t i = dot; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return dot - 1;
}

/* Write the file-name segment s[0..n) with its identifier pieces as {id} into out, which
 * has room for 2.5 * n bytes (the most "1." -> "{id}." can grow); returns the length. */
static size_t template_name(const char *s, size_t n, char *out)
{
    size_t len = 0;
    size_t ext = extension_at(s, n);
    size_t i = 0;
    while (i < ext) {
        size_t e = i;
        while (e < ext && s[e] != '.')
            e++;
        if (is_name_id(s + i, e - i)) {
            memcpy(out + len, ID_TOKEN, strlen(ID_TOKEN));
            len += strlen(ID_TOKEN);
        } else {
            memcpy(out + len, s + i, e - i);
            len += e - i;
        }
        if (e < ext)
            out[len++] = '.';
        i = e + 1;
    }
    memcpy(out + len, s + ext, n - ext);
    return len + (n - ext);
}

/* The path of an absolute-form target, or the target itself. */
static const char *path_of(const char *uri)
{
    const char *scheme = strstr(uri, "://");
    if (!scheme || uri[0] == '/')
        return uri;
    const char *p = strchr(scheme + 3, '/');
    return p ? p : "/";
}

size_t endpoint_template(const char *uri, char *out, size_t cap)
{
    const char *p = path_of(uri);
    size_t end = strcspn(p, "?#");
    size_t len = 0;
    size_t i = 0;
    while (i < end) {
        size_t seg = i;
        if (p[i] == '/')
            seg++;
        size_t seg_end = seg;
        while (seg_end < end && p[seg_end] != '/')
            seg_end++;
        char named[ENDPOINT_SEGMENT_MAX * 3]; /* "1." -> "{id}." grows 2.5 times */
        int id = is_identifier(p + seg, seg_end - seg);
        const char *piece = id ? ID_TOKEN : p + seg;
        size_t piece_len = id ? strlen(ID_TOKEN) : seg_end - seg;
        if (!id && piece_len <= ENDPOINT_SEGMENT_MAX && extension_at(piece, piece_len)) {
            piece_len = template_name(piece, piece_len, named);
            piece = named;
        }
        size_t need = (seg - i) + piece_len;
        if (len + need + 4 > cap) { /* room for "..." and the NUL */
            memcpy(out + len, "...", 3);
            len += 3;
            break;
        }
        memcpy(out + len, p + i, seg - i);
        len += seg - i;
        memcpy(out + len, piece, piece_len);
        len += piece_len;
        i = seg_end;
    }
    out[len] = '\0';
    return len;
}

/* Append s (up to its NUL, at most max bytes) at out; returns the bytes written. */
static size_t put_part(char *out, const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    memcpy(out, s, n);
    return n;
}

size_t endpoint_key(const char *method, const char *host, const char *uri, char *out)
{
    size_t len = put_part(out, method, ENDPOINT_PART_MAX - 1);
    out[len++] = ' ';
    len += put_part(out + len, host ? host : "-", ENDPOINT_PART_MAX - 1);
    out[len++] = ' ';
    return len + endpoint_template(uri ? uri : "", out + len, ENDPOINT_PART_MAX);
}
