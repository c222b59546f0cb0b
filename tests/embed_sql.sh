#!/bin/sh
# embed_sql.sh OUT FILE... - turn sql/*.sql and sql/pg/*.sql into OUT.c/OUT.h: one C string
# per file, named sql_<path under sql/> ("pg/schema.sql" is sql_pg_schema), plus a table of
# them. Run by the Makefile at build time.
set -eu
out=$1; shift
{
    echo "/* generated from sql/ by tests/embed_sql.sh; do not edit */"
    echo "#ifndef HTTPCAP_SQL_EMBED_H"
    echo "#define HTTPCAP_SQL_EMBED_H"
    for f in "$@"; do
        n=$(echo "${f#sql/}" | sed 's/\.sql$//' | tr -c 'A-Za-z0-9_\n' '_')
        echo "extern const char sql_$n[];"
    done
    echo "struct sql_file { const char *name; const char *text; };"
    echo "extern const struct sql_file sql_files[];"
    echo "extern const unsigned sql_file_count;"
    echo "/* The text of sql/NAME (e.g. \"schema.sql\", \"pg/views.sql\"), or NULL when there is no such file. */"
    echo "const char *sql_embedded(const char *name);"
    echo "#endif"
} > "$out.h"
{
    echo "/* generated from sql/ by tests/embed_sql.sh; do not edit */"
    echo "#include <string.h>"
    echo "#include \"sql_embed.h\""
    for f in "$@"; do
        n=$(echo "${f#sql/}" | sed 's/\.sql$//' | tr -c 'A-Za-z0-9_\n' '_')
        echo "const char sql_$n[] ="
        sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$f"
        echo "    \"\";"
    done
    echo "const struct sql_file sql_files[] = {"
    for f in "$@"; do
        n=$(echo "${f#sql/}" | sed 's/\.sql$//' | tr -c 'A-Za-z0-9_\n' '_')
        echo "    {\"${f#sql/}\", sql_$n},"
    done
    echo "};"
    echo "const unsigned sql_file_count = $#;"
    echo "const char *sql_embedded(const char *name)"
    echo "{"
    echo "    for (unsigned i = 0; i < sql_file_count; i++) {"
    echo "        if (strcmp(sql_files[i].name, name) == 0)"
    echo "            return sql_files[i].text;"
    echo "    }"
    echo "    return 0;"
    echo "}"
} > "$out.c"
