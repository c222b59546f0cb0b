/*
 * utf8.h - the one UTF-8 decoder the renderers share, so that text, Markdown, JSON and
 * HTML agree on what is valid (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF) and on which characters must never reach a reader as they are.
 */
#ifndef HTTPCAP_UTF8_H
#define HTTPCAP_UTF8_H

#include <stdint.h>

/* Decode the UTF-8 sequence at s (NUL-terminated, *s != 0): returns its length in bytes
 * (1..4) and sets *cp, or returns 1 and sets *cp = -1 when the byte at s starts no valid
 * sequence (overlong, surrogate, > U+10FFFF, cut short). Never reads past the NUL.
 * Cannot fail. */
int utf8_decode(const char *s, int32_t *cp);

/* 1 when code point cp must never reach a reader as is: C0 and C1 controls, DEL, and
 * the invisible format characters that reorder or hide text (bidi overrides and isolates,
 * line/paragraph separators, zero-width marks, BOM). */
int utf8_is_control(int32_t cp);

#endif
