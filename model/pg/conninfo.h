/* conninfo: reading and rewriting libpq connection strings without ever exposing a password. */
#ifndef REPLTOP_CONNINFO_H
#define REPLTOP_CONNINFO_H

#include <stdbool.h>
#include <stddef.h>

/* Whether libpq would take the conninfo: it parses (PQconninfoParse), and no value is one that
 * libpq refuses before it connects (a port or timeout that is not a number, a port out of
 * range, more ports than hosts, an sslmode, gssencmode, channel_binding, target_session_attrs or
 * SSL protocol version it does not know). Else err gets libpq's message, on one line. */
bool conninfo_check(const char *conninfo, char *err, size_t errlen);
/* The value of one keyword ("application_name", "host"...) of a conninfo or URI, or false. */
bool conninfo_get(const char *conninfo, const char *key, char *out, size_t n);
/* The conninfo rebuilt as key='value' pairs without its secrets (password, sslpassword: what
 * libpq flags as secret), for display and logs.
 * Unparseable input gives "(hidden: not a valid conninfo)". */
void conninfo_scrub(const char *conninfo, char *out, size_t n);
/* A new heap string: the conninfo without its secrets, for a child's argv (the password then
 * goes through PGPASSWORD; libpq has no such variable for sslpassword). NULL when it does not
 * parse. */
char *conninfo_without_secrets(const char *conninfo);
/* A new heap string: the conninfo with key set to value (value NULL removes the key). Keeps
 * every other option, including a password, because the result is meant for the server
 * (primary_conninfo); never print it. NULL when conninfo does not parse. */
char *conninfo_with(const char *conninfo, const char *key, const char *value);

/* A new heap string: the conninfo of a new node on the same machine as base's, for the config
 * (so never with a secret of base's): base without its secrets, port set, and when host is
 * given, host set (hostaddr dropped). NULL when base does not parse, or names several hosts
 * and no host is given. */
char *conninfo_for_node(const char *base, const char *host, int port);

#endif
