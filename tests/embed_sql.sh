#!/bin/sh
# embed_sql.sh OUT FILE... - turn sql/*.sql into OUT.c/OUT.h: one C string per file,
# named sql_<basename>, plus a table of them. Run by the Makefile at build time.
set -eu
out=$1; shift
{
    echo "/* generated from sql/ by tests/embed_sql.sh; do not edit */"
    echo "#ifndef HTTPCAP_SQL_EMBED_H"
    echo "#define HTTPCAP_SQL_EMBED_H"
    for f in "$@"; do
        n=$(basename "$f" .sql | tr -c 'A-Za-z0-9_\n' '_')
        echo "extern const char sql_$n[];"
    done
    echo "struct sql_file { const char *name; const char *text; };"
    echo "extern const struct sql_file sql_files[];"
    echo "extern const unsigned sql_file_count;"
    echo "#endif"
} > "$out.h"
{
    echo "/* generated from sql/ by tests/embed_sql.sh; do not edit */"
    echo "#include \"sql_embed.h\""
    for f in "$@"; do
        n=$(basename "$f" .sql | tr -c 'A-Za-z0-9_\n' '_')
        echo "const char sql_$n[] ="
        sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$f"
        echo "    \"\";"
    done
    echo "const struct sql_file sql_files[] = {"
    for f in "$@"; do
        n=$(basename "$f" .sql | tr -c 'A-Za-z0-9_\n' '_')
        echo "    {\"$(basename "$f")\", sql_$n},"
    done
    echo "};"
    echo "const unsigned sql_file_count = $#;"
} > "$out.c"
