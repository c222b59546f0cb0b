/*
 * status.h - the IANA HTTP status code registry (as of 2024) as a C table.
 * Owns: one constant row per registered code: its reason phrase and older names.
 * In:   a status code as parsed.
 * Out:  the registry row, or NULL for an unregistered code.
 * Never: touches a transaction, SQL or wire bytes. Mirrors sql/status_codes.sql.
 */
#ifndef HTTPCAP_STATUS_H
#define HTTPCAP_STATUS_H

#include <stdint.h>

struct status_code {
    uint16_t code;             /* 100..599 */
    const char *reason;        /* registered phrase (RFC 9110 names), never NULL */
    const char *reason_7231;   /* the RFC 7231-era name where it differs, else NULL;
                                  still standard (RULES.md reason-nonstandard) */
    const char *reason_2616;   /* an older RFC 2616 name where it differs from both, else
                                  NULL; NOT standard, only named in violation details */
    uint8_t is_unused;         /* registered as "(Unused)" (306, 418): no phrase to send */
};

/* The registry row of code, or NULL when code is not registered (or outside 100..599).
 * The row is static and lives for the whole program. Cannot fail. */
const struct status_code *status_lookup(int code);

/* 1 when reason (NUL-terminated, NULL taken as "") is the registered phrase or the
 * RFC 7231-era name of s, ignoring ASCII case, or is empty; else 0. s must not be NULL. */
int status_reason_is_standard(const struct status_code *s, const char *reason);

/* The x00 of code's class for a code in 100..599 (471 -> 400), else 500: what a client
 * does with an unregistered or invalid code (RFC 9110 §15). Registered codes map to
 * themselves. Cannot fail. */
int status_effective(int code);

#endif
