/*
 * dbfiles.h - removing an SQLite database file with the -wal and -shm files beside it,
 * for the tests and test tools that write one (test_writer, sqlfloor).
 * Owns: nothing. Never: fails (a file that is not there is fine).
 */
#ifndef HTTPCAP_TESTS_DBFILES_H
#define HTTPCAP_TESTS_DBFILES_H

#include <stdio.h>
#include <unistd.h>

static inline void remove_db_files(const char *path)
{
    char side[4096];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#endif
