/* config: the nodes to watch and how, from an INI file (-c FILE) and/or conninfo arguments.
 *
 *   [repltop]                      refresh, theme, lag thresholds, deadlines
 *   [nodes]   name = conninfo      any conninfo or URI libpq accepts
 *   [node NAME]                    datadir, port, bindir: enable local actions on NAME
 *
 * Connection details (.pgpass, PGPASSWORD, services, URIs) are libpq's business: a conninfo is
 * validated with PQconninfoParse and otherwise passed through untouched. */
#ifndef REPLTOP_CONFIG_H
#define REPLTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_NAME_LEN 64

struct node_conf {
    char name[CONFIG_NAME_LEN];
    char *conninfo;   /* as the user wrote it; may hold a password: never print it */
    char *datadir;    /* NULL unless [node NAME] gives one */
    char *bindir;     /* NULL: use the installed PostgreSQL */
    int port;         /* -1 unless given */
    char origin[128]; /* "FILE:LINE" or "argument N", for error messages */
};

struct config {
    char *path; /* the file it was read from, NULL if none */
    double refresh_s;
    char *theme;
    int64_t lag_warn_bytes, lag_crit_bytes;
    double lag_warn_s, lag_crit_s;
    int connect_timeout_ms, query_timeout_ms;
    struct node_conf *nodes;
    int nnodes;
};

/* Defaults: refresh 1 s, 16 MB / 256 MB, 10 s / 60 s, deadlines 2 s. */
void config_init(struct config *c);
void config_done(struct config *c);

/* Reads an INI file into c. On failure returns false and writes "FILE:LINE: what" to err. */
bool config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* Adds a node from a command-line conninfo; its name is its application_name, else host:port.
 * Returns false with libpq's message (or a duplicate-name error) in err. */
bool config_add_conninfo(struct config *c, const char *conninfo, const char *origin, char *err,
                         size_t errlen);
/* Adds a named node (the [nodes] section uses this). */
bool config_add_node(struct config *c, const char *name, const char *conninfo, const char *origin,
                     char *err, size_t errlen);
struct node_conf *config_find_node(struct config *c, const char *name);
/* Final checks once everything is loaded: at least one node, [node X] sections name real nodes. */
bool config_validate(const struct config *c, char *err, size_t errlen);

/* Parses "16MB", "1 GB", "512kB", "123" (bytes). */
bool config_parse_bytes(const char *s, int64_t *out);
/* Parses "2s", "500ms", "1.5" (seconds). */
bool config_parse_seconds(const char *s, double *out);

#endif
