/*
 * pg_schema.h - httpcap's tables and views in a PostgreSQL database (sql/pg/), with rules
 * and status_codes filled from the same sources as in SQLite (the built-in rule table and
 * sql/status_codes.sql), so the two never drift.
 * Owns: nothing past the call.
 * In:   an open connection. Out: the schema, rules, status_codes, meta.schema_version.
 * Never: drops or rewrites a table that holds captured rows.
 */
#ifndef HTTPCAP_PG_SCHEMA_H
#define HTTPCAP_PG_SCHEMA_H

#include "errbuf.h"
#include "pg.h"

/* Key of the advisory lock under which the schema is applied and capture ids are
 * reserved (several sensors may push at once). */
#define PG_SCHEMA_LOCK "7234002113750241"

/* Create what is missing (idempotent, under the advisory lock, in one transaction) and
 * refresh rules and status_codes; a database of a newer schema version is refused.
 * 0, or -1 + err. */
int pg_schema_apply(struct pg *pg, char err[HTTPCAP_ERRBUF]);

/* The schema version meta holds: 0 when none, -1 + err when it cannot be read. */
long pg_schema_version(struct pg *pg, char err[HTTPCAP_ERRBUF]);

#endif
