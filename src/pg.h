/*
 * pg.h - PostgreSQL through libpq, for `-o postgresql://`, `httpcap push` and `httpcap
 * report postgresql://`: the connection, one-line errors that never carry a password,
 * statements, and COPY ... FROM STDIN in text format, in bounded blocks.
 * Owns: the PGconn, the COPY block being filled.
 * In:   a URL (postgresql:// or postgres://; the password comes from the URL, PGPASSWORD,
 *       ~/.pgpass or a service file, as libpq finds it), SQL, values to copy.
 * Out:  rows in PostgreSQL; result sets for the caller to read and PQclear.
 * Never: prints or stores a password; keeps a value it was handed after returning.
 */
#ifndef HTTPCAP_PG_H
#define HTTPCAP_PG_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "pq.h"

#define PG_URL_MAX 1024

struct pg;

/* 1 when s names a PostgreSQL database (starts with postgresql:// or postgres://). */
int pg_is_url(const char *s);

/* url with no password: "postgresql://user@host:port/db" (the password of the user part
 * and any password=... parameter left out). out holds PG_URL_MAX bytes. Cannot fail. */
void pg_url_public(const char *url, char out[PG_URL_MAX]);

/* Overwrite, in place, the password a URL holds (argv, so that ps shows none) with 'x'.
 * Cannot fail. */
void pg_url_hide_password(char *url);

/* Connect (connect_timeout 10 s unless the URL says, client_encoding UTF8). NULL and err
 * ("postgresql://user@host/db: what libpq said") on failure. */
struct pg *pg_connect(const char *url, char err[HTTPCAP_ERRBUF]);

/* Close and free. NULL does nothing. */
void pg_close(struct pg *pg);

/* The connection, for PQ* calls of the caller's own. */
PGconn *pg_conn(struct pg *pg);

/* 1 while the connection is usable. */
int pg_ok(struct pg *pg);

/* Run sql (one or more statements, no parameters). 0, or -1 + err ("what: message"). */
int pg_exec(struct pg *pg, const char *sql, const char *what, char err[HTTPCAP_ERRBUF]);

/* Run sql with text parameters; the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) for the
 * caller to PQclear, or NULL + err. */
PGresult *pg_query(struct pg *pg, const char *sql, int n, const char *const *params,
                   const char *what, char err[HTTPCAP_ERRBUF]);

/* err = "what: the server's message" (first line). */
void pg_set_err(struct pg *pg, const char *what, char err[HTTPCAP_ERRBUF]);

/* ---- COPY table (columns) FROM STDIN, text format ---- */

/* Start a COPY (sql is the COPY statement). 0, or -1 + err. */
int pg_copy_begin(struct pg *pg, const char *sql, char err[HTTPCAP_ERRBUF]);

/* Append one field: NULL (\N), an integer, a double, or n bytes of text escaped for the
 * text format (backslash, tab, newline, CR; bytes that are not UTF-8 become U+FFFD:
 * PostgreSQL text must be valid UTF-8). Fields are separated by tabs. Cannot fail (an
 * allocation failure is reported by the next pg_copy_row or pg_copy_end). */
void pg_copy_null(struct pg *pg);
void pg_copy_int(struct pg *pg, int64_t v);
void pg_copy_double(struct pg *pg, double v);
void pg_copy_text(struct pg *pg, const char *s, size_t n);
/* End the row; send the block once it holds 256 KiB. 0, or -1 + err. */
int pg_copy_row(struct pg *pg, char err[HTTPCAP_ERRBUF]);

/* Send what is left and end the COPY. 0, or -1 + err. */
int pg_copy_end(struct pg *pg, char err[HTTPCAP_ERRBUF]);

/* End the COPY without what is left, so that the server rolls its rows back (the
 * transaction is then failed, until a rollback). */
void pg_copy_abandon(struct pg *pg);

#endif
