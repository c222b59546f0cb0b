/*
 * test_pg.c - pg.h without a server: which strings are PostgreSQL URLs, the public form
 * of a URL (no password from its user part or its parameters) and the password blanked in
 * place, as ps would show argv.
 */
#include "pg.h"

#include <stdio.h>
#include <string.h>

#include "testhelp.h"

static void expect_public(const char *url, const char *want)
{
    char out[PG_URL_MAX];
    pg_url_public(url, out);
    CHECK_STR(out, want);
}

static void expect_hidden(const char *url, const char *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", url);
    pg_url_hide_password(buf);
    CHECK_STR(buf, want);
    CHECK_INT(strlen(buf), strlen(url));
}

int main(void)
{
    CHECK(pg_is_url("postgresql://h/db"));
    CHECK(pg_is_url("postgres://h/db"));
    CHECK(!pg_is_url("httpcap.db"));
    CHECK(!pg_is_url("postgresql:/h/db"));
    CHECK(!pg_is_url(NULL));

    expect_public("postgresql://u:secret@h:5432/db", "postgresql://u@h:5432/db");
    expect_public("postgresql://u@h/db", "postgresql://u@h/db");
    expect_public("postgres://h/db", "postgres://h/db");
    expect_public("postgresql://u:p%40ss@h/db?sslmode=require&password=x&application_name=a",
                  "postgresql://u@h/db?sslmode=require&application_name=a");
    expect_public("postgresql:///db?password=x", "postgresql:///db");
    expect_public("postgresql://h/db?password=x&sslmode=disable",
                  "postgresql://h/db?sslmode=disable");
    /* an '@' after the host part is no user part */
    expect_public("postgresql://h/db?options=a@b", "postgresql://h/db?options=a@b");

    expect_hidden("postgresql://u:secret@h/db", "postgresql://u:xxxxxx@h/db");
    expect_hidden("postgresql://u@h/db?password=pw&sslmode=disable",
                  "postgresql://u@h/db?password=xx&sslmode=disable");
    expect_hidden("postgresql://h/db?sslpassword=k", "postgresql://h/db?sslpassword=k");
    expect_hidden("postgresql://h/db", "postgresql://h/db");
    return TEST_REPORT();
}
