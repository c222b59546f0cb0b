/* generated from sql/ by tests/embed_sql.sh; do not edit */
#ifndef HTTPCAP_SQL_EMBED_H
#define HTTPCAP_SQL_EMBED_H
extern const char sql_indexes[];
extern const char sql_schema[];
extern const char sql_views[];
struct sql_file { const char *name; const char *text; };
extern const struct sql_file sql_files[];
extern const unsigned sql_file_count;
#endif
