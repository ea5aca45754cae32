/* pgexec: running one statement over a blocking libpq session, the server's message on failure
 * (the actions' and the demo's). */
#ifndef REPLTOP_PGEXEC_H
#define REPLTOP_PGEXEC_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Runs SQL that returns nothing we need; false with the server's message (its first line) in
 * err. */
bool pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);

#endif
