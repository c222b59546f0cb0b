/*
 * status.c - the IANA HTTP status code registry (as of 2024), RULES.md's list.
 * Owns: the constant table of registered codes and their reason phrases.
 * In:   status codes and reason phrases (NUL-terminated copies, never wire bytes).
 * Out:  registry rows and yes/no answers.
 * Never: allocates or keeps state; must stay in step with sql/status_codes.sql.
 */
#include "status.h"

#include <stddef.h>

/*
 * Which names are standard (RULES.md reason-nonstandard): the registered one and the
 * RFC 7231-era one (sql/status_codes.sql reason_rfc7231: 413 Payload Too Large, 422
 * Unprocessable Entity from RFC 4918). RFC 2616 names (Request Entity Too Large,
 * Request-URI Too Long, Requested Range Not Satisfiable, Request Time-out) are not: RFC
 * 7231 replaced them in 2014; they are kept only so a violation can name them.
 */
static const struct status_code registry[] = {
    {100, "Continue", NULL, NULL, 0},
    {101, "Switching Protocols", NULL, NULL, 0},
    {102, "Processing", NULL, NULL, 0},
    {103, "Early Hints", NULL, NULL, 0},
    {104, "Upload Resumption Supported", NULL, NULL, 0},
    {200, "OK", NULL, NULL, 0},
    {201, "Created", NULL, NULL, 0},
    {202, "Accepted", NULL, NULL, 0},
    {203, "Non-Authoritative Information", NULL, NULL, 0},
    {204, "No Content", NULL, NULL, 0},
    {205, "Reset Content", NULL, NULL, 0},
    {206, "Partial Content", NULL, NULL, 0},
    {207, "Multi-Status", NULL, NULL, 0},
    {208, "Already Reported", NULL, NULL, 0},
    {226, "IM Used", NULL, NULL, 0},
    {300, "Multiple Choices", NULL, NULL, 0},
    {301, "Moved Permanently", NULL, NULL, 0},
    {302, "Found", NULL, "Moved Temporarily", 0}, /* RFC 1945 name, as old as 2616's */
    {303, "See Other", NULL, NULL, 0},
    {304, "Not Modified", NULL, NULL, 0},
    {305, "Use Proxy", NULL, NULL, 0},
    {306, "(Unused)", NULL, NULL, 1},
    {307, "Temporary Redirect", NULL, NULL, 0},
    {308, "Permanent Redirect", NULL, NULL, 0},
    {400, "Bad Request", NULL, NULL, 0},
    {401, "Unauthorized", NULL, NULL, 0},
    {402, "Payment Required", NULL, NULL, 0},
    {403, "Forbidden", NULL, NULL, 0},
    {404, "Not Found", NULL, NULL, 0},
    {405, "Method Not Allowed", NULL, NULL, 0},
    {406, "Not Acceptable", NULL, NULL, 0},
    {407, "Proxy Authentication Required", NULL, NULL, 0},
    {408, "Request Timeout", NULL, "Request Time-out", 0},
    {409, "Conflict", NULL, NULL, 0},
    {410, "Gone", NULL, NULL, 0},
    {411, "Length Required", NULL, NULL, 0},
    {412, "Precondition Failed", NULL, NULL, 0},
    {413, "Content Too Large", "Payload Too Large", "Request Entity Too Large", 0},
    {414, "URI Too Long", NULL, "Request-URI Too Long", 0},
    {415, "Unsupported Media Type", NULL, NULL, 0},
    {416, "Range Not Satisfiable", NULL, "Requested Range Not Satisfiable", 0},
    {417, "Expectation Failed", NULL, NULL, 0},
    {418, "(Unused)", NULL, NULL, 1},
    {421, "Misdirected Request", NULL, NULL, 0},
    {422, "Unprocessable Content", "Unprocessable Entity", NULL, 0},
    {423, "Locked", NULL, NULL, 0},
    {424, "Failed Dependency", NULL, NULL, 0},
    {425, "Too Early", NULL, NULL, 0},
    {426, "Upgrade Required", NULL, NULL, 0},
    {428, "Precondition Required", NULL, NULL, 0},
    {429, "Too Many Requests", NULL, NULL, 0},
    {431, "Request Header Fields Too Large", NULL, NULL, 0},
    {451, "Unavailable For Legal Reasons", NULL, NULL, 0},
    {500, "Internal Server Error", NULL, NULL, 0},
    {501, "Not Implemented", NULL, NULL, 0},
    {502, "Bad Gateway", NULL, NULL, 0},
    {503, "Service Unavailable", NULL, NULL, 0},
    {504, "Gateway Timeout", NULL, "Gateway Time-out", 0},
    {505, "HTTP Version Not Supported", NULL, NULL, 0},
    {506, "Variant Also Negotiates", NULL, NULL, 0},
    {507, "Insufficient Storage", NULL, NULL, 0},
    {508, "Loop Detected", NULL, NULL, 0},
    {510, "Not Extended", NULL, NULL, 0},
    {511, "Network Authentication Required", NULL, NULL, 0},
};

const struct status_code *status_lookup(int code)
{
    size_t lo = 0;
    size_t hi = sizeof registry / sizeof registry[0];
    while (lo < hi) { /* the table is sorted by code */
        size_t mid = lo + (hi - lo) / 2;
        if (registry[mid].code == code)
            return &registry[mid];
        if (registry[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ASCII case-insensitive equality of two NUL-terminated strings (no locale). */
static int same_ignoring_case(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

int status_reason_is_standard(const struct status_code *s, const char *reason)
{
    /* RFC 9112 §4: the reason-phrase may be empty; a client ignores it anyway */
    if (!reason || !reason[0])
        return 1;
    if (same_ignoring_case(reason, s->reason))
        return 1;
    return s->reason_7231 && same_ignoring_case(reason, s->reason_7231);
}

int status_effective(int code)
{
    /* RFC 9110 §15: unknown codes as the class's x00, codes out of range as 5xx */
    if (code < 100 || code > 599)
        return 500;
    if (status_lookup(code))
        return code;
    return code / 100 * 100;
}
