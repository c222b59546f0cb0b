/*
 * store_stage.c - rows of one table gathered in memory and inserted by one INSERT ...
 * SELECT from an eponymous virtual table that reads them (see store_stage.h).
 * Owns: the staged values and their strings, the virtual table module and its cursors.
 * In:   column values from store.c.
 * Out:  rows in the table through SQLite.
 * Never: keeps a caller's pointer; grows past STAGE_MAX_ROWS rows or, but for one row,
 *        STAGE_MAX_BYTES of strings.
 */
#include "store_stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { V_NULL, V_INT, V_TEXT };

struct stage_value {
    int64_t i;
    uint32_t off, len;             /* V_TEXT: the string in the stage's buffer */
    uint8_t kind;
};

struct store_stage {
    sqlite3 *db;
    sqlite3_stmt *insert;
    int n_cols;
    uint32_t n_rows;
    struct stage_value *vals;      /* STAGE_MAX_ROWS * n_cols */
    struct stage_value *cur;       /* the row being staged */
    char *buf;                     /* strings of the staged rows */
    size_t buf_len, buf_cap;
    int out_of_memory;             /* a string of the current row did not fit */
};

/* ---- the virtual table: columns c0..cN-1, one row per staged row ---- */

struct stage_vtab {
    sqlite3_vtab base;
    struct store_stage *sg;
};

struct stage_cursor {
    sqlite3_vtab_cursor base;
    uint32_t row;
};

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                      sqlite3_vtab **out, char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    struct store_stage *sg = aux;
    char sql[64 + 8 * 256];
    int n = snprintf(sql, sizeof sql, "CREATE TABLE x(");
    for (int i = 0; i < sg->n_cols && n < (int)sizeof sql - 16; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%sc%d", i ? "," : "", i);
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    int rc = sqlite3_declare_vtab(db, sql);
    if (rc != SQLITE_OK)
        return rc;
    struct stage_vtab *vt = sqlite3_malloc(sizeof *vt);
    if (!vt)
        return SQLITE_NOMEM;
    memset(vt, 0, sizeof *vt);
    vt->sg = sg;
    *out = &vt->base;
    return SQLITE_OK;
}

static int vt_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    info->estimatedCost = 1.0;
    info->estimatedRows = ((struct stage_vtab *)vt)->sg->n_rows;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    (void)vt;
    struct stage_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *c)
{
    sqlite3_free(c);
    return SQLITE_OK;
}

static int vt_filter(sqlite3_vtab_cursor *c, int idx, const char *idx_str, int argc,
                     sqlite3_value **argv)
{
    (void)idx;
    (void)idx_str;
    (void)argc;
    (void)argv;
    ((struct stage_cursor *)c)->row = 0;
    return SQLITE_OK;
}

static int vt_next(sqlite3_vtab_cursor *c)
{
    ((struct stage_cursor *)c)->row++;
    return SQLITE_OK;
}

static const struct store_stage *stage_of(const sqlite3_vtab_cursor *c)
{
    return ((const struct stage_vtab *)c->pVtab)->sg;
}

static int vt_eof(sqlite3_vtab_cursor *c)
{
    return ((struct stage_cursor *)c)->row >= stage_of(c)->n_rows;
}

static int vt_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col)
{
    const struct store_stage *sg = stage_of(c);
    uint32_t row = ((struct stage_cursor *)c)->row;
    if (col < 0 || col >= sg->n_cols || row >= sg->n_rows)
        return SQLITE_ERROR;
    const struct stage_value *v = &sg->vals[(size_t)row * (size_t)sg->n_cols + (size_t)col];
    if (v->kind == V_INT)
        sqlite3_result_int64(ctx, v->i);
    else if (v->kind == V_TEXT)
        sqlite3_result_text(ctx, v->len ? sg->buf + v->off : "", (int)v->len, SQLITE_STATIC);
    else
        sqlite3_result_null(ctx);
    return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
    *rowid = ((struct stage_cursor *)c)->row;
    return SQLITE_OK;
}

/* Eponymous only (no xCreate): the table exists as soon as the module does, in no schema,
 * so the database file never mentions it. */
static const sqlite3_module stage_module = {
    .iVersion = 0,
    .xConnect = vt_connect,
    .xBestIndex = vt_best_index,
    .xDisconnect = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = vt_filter,
    .xNext = vt_next,
    .xEof = vt_eof,
    .xColumn = vt_column,
    .xRowid = vt_rowid,
};

/* ---- staging ---- */

struct store_stage *stage_open(sqlite3 *db, const char *name, const char *table,
                               const char *columns, int n_cols, char err[HTTPCAP_ERRBUF])
{
    struct store_stage *sg = calloc(1, sizeof *sg);
    if (!sg || n_cols < 1 || n_cols > 256) {
        free(sg);
        snprintf(err, HTTPCAP_ERRBUF, "out of memory");
        return NULL;
    }
    sg->db = db;
    sg->n_cols = n_cols;
    sg->vals = calloc((size_t)STAGE_MAX_ROWS * (size_t)n_cols, sizeof *sg->vals);
    /* OR FAIL, not the default ABORT: an ABORT that may undo part of a many-row statement
     * inside a transaction needs a statement journal, and SQLite kept one for every
     * flush (100 MB of temporary file for the 1 GB heavy capture). A failed flush fails
     * the store, which then commits nothing more and rolls its transaction back. */
    char sql[2048];
    snprintf(sql, sizeof sql, "INSERT OR FAIL INTO %s (%s) SELECT * FROM %s", table, columns,
             name);
    if (!sg->vals || sqlite3_create_module(db, name, &stage_module, sg) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &sg->insert, NULL) != SQLITE_OK) {
        snprintf(err, HTTPCAP_ERRBUF, "%s", sg->vals ? sqlite3_errmsg(db) : "out of memory");
        stage_close(sg);
        return NULL;
    }
    return sg;
}

void stage_row(struct store_stage *sg)
{
    sg->cur = &sg->vals[(size_t)sg->n_rows * (size_t)sg->n_cols];
    memset(sg->cur, 0, (size_t)sg->n_cols * sizeof *sg->cur); /* V_NULL */
    sg->out_of_memory = 0;
}

void stage_int(struct store_stage *sg, int i, int64_t v)
{
    sg->cur[i].kind = V_INT;
    sg->cur[i].i = v;
}

void stage_opt_int(struct store_stage *sg, int i, int present, int64_t v)
{
    if (present)
        stage_int(sg, i, v);
    else
        sg->cur[i].kind = V_NULL;
}

/* Room for n more bytes of strings; 0, or -1 when out of memory. */
static int buf_room(struct store_stage *sg, size_t n)
{
    if (sg->buf_len + n <= sg->buf_cap)
        return 0;
    size_t want = sg->buf_cap ? sg->buf_cap : 64 * 1024;
    while (want < sg->buf_len + n)
        want *= 2;
    char *p = realloc(sg->buf, want);
    if (!p)
        return -1;
    sg->buf = p;
    sg->buf_cap = want;
    return 0;
}

void stage_text(struct store_stage *sg, int i, const char *s)
{
    if (!s) {
        sg->cur[i].kind = V_NULL;
        return;
    }
    size_t n = strlen(s);
    if (n > UINT32_MAX - sg->buf_len || buf_room(sg, n) != 0) {
        sg->out_of_memory = 1;
        return;
    }
    if (n)
        memcpy(sg->buf + sg->buf_len, s, n);
    sg->cur[i] = (struct stage_value){.off = (uint32_t)sg->buf_len, .len = (uint32_t)n,
                                      .kind = V_TEXT};
    sg->buf_len += n;
}

void stage_text_or_null(struct store_stage *sg, int i, const char *s)
{
    if (s && s[0])
        stage_text(sg, i, s);
    else
        sg->cur[i].kind = V_NULL;
}

int stage_row_done(struct store_stage *sg)
{
    if (sg->out_of_memory)
        return -1;
    sg->n_rows++;
    return sg->n_rows >= STAGE_MAX_ROWS || sg->buf_len >= STAGE_MAX_BYTES;
}

uint32_t stage_rows(const struct store_stage *sg)
{
    return sg->n_rows;
}

int stage_flush(struct store_stage *sg)
{
    if (sg->n_rows == 0)
        return SQLITE_OK;
    int rc = sqlite3_step(sg->insert);
    sqlite3_reset(sg->insert);
    sg->n_rows = 0;
    sg->buf_len = 0;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void stage_close(struct store_stage *sg)
{
    if (!sg)
        return;
    sqlite3_finalize(sg->insert);
    free(sg->vals);
    free(sg->buf);
    free(sg);
}
