/* pgpass: whether libpq would find a password in a password file for a connection that cannot
 * be tried yet (a new node whose server does not exist), by libpq's own rules: lines
 * host:port:database:username:password, "*" matches anything, "\" escapes ":" and "\", a line
 * starting with "#" is a comment, and a file that group or others may read is ignored. No host
 * (or the default socket directory) is matched as "localhost", no port as "5432". */
#ifndef REPLTOP_PGPASS_H
#define REPLTOP_PGPASS_H

#include <stdbool.h>

bool pgpass_has_entry(const char *path, const char *host, const char *port, const char *dbname,
                      const char *user);

#endif
