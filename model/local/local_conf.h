/* local_conf: a local node's files. Its own configuration files are read before pg_basebackup
 * or pg_rewind replaces them with the primary's copies, and written back: a clone must not keep
 * the primary's port, sync list or slot (docs/DESIGN.md section 7). Files are replaced atomically
 * and belong to the node's owner. Nothing here deletes a data directory: it is renamed aside. */
#ifndef REPLTOP_LOCAL_CONF_H
#define REPLTOP_LOCAL_CONF_H

#include "model/base/progress.h"
#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { CONF_MAIN, CONF_HBA, CONF_IDENT, CONF_AUTO, CONF_NFILES };
extern const char *const local_conf_names[CONF_NFILES];

/* The node's own configuration files (those that exist in a data directory). */
struct local_conf {
    char *text[CONF_NFILES]; /* NULL when absent */
    mode_t mode[CONF_NFILES];
};
void local_conf_read(struct local_conf *c, const char *datadir);
/* The same from the node's data directory, wherever its host is. */
void local_conf_read_node(struct local_conf *c, const struct local_node *ln);
void local_conf_free(struct local_conf *c);
/* Writes the files that are present into dir, owned by the owner. */
bool local_conf_write(const struct local_node *ln, const struct local_conf *c, const char *dir,
                      char *err, size_t errlen);

/* The last value of a setting in a config text (`key = 'value'`, `key value`), unquoted;
 * a heap string or NULL. Include directives are not followed. */
char *local_guc_get(const char *text, const char *key);
/* The port it listened on when it last ran (postmaster.pid), else its config files'; -1. */
int local_old_port(const char *datadir);
int local_old_port_node(const struct local_node *ln);

/* Creates or replaces path atomically (temp file + rename), owned by the owner. */
bool local_write_file(const struct local_node *ln, const char *path, const char *text, mode_t mode,
                      char *err, size_t errlen);
/* Each of files written as local_write_file, or removed when its text is NULL: on a remote
 * host in one round trip. Stops at the first write that fails. */
bool local_write_files(const struct local_node *ln, const struct host_file *files, int n, char *err,
                       size_t errlen);
bool local_mkdir(const struct local_node *ln, const char *path, mode_t mode, char *err,
                 size_t errlen);
/* DATADIR.repltop-WHAT-YYYYmmddTHHMMSS, a name that does not exist yet. */
void local_aside_path(const struct local_node *ln, const char *what, char *out, size_t n);
/* The first changes of a resync: when move, the data directory renamed aside to a
 * local_aside_path "old" name (in old); when mode, an empty one made with that mode (moved, or
 * absent); then marker written, holding old (or an empty line). On a remote host in one round
 * trip. Returns the step that failed (HOST_ASIDE_DONE: none), err saying why as that step alone
 * would; the steps before it stay done, for the caller to undo. */
int local_move_aside(const struct local_node *ln, bool move, mode_t mode, const char *marker,
                     char *old, size_t n, char *err, size_t errlen);

/* ----- becoming a standby ----- */

struct standby_conf {
    const char *primary_conninfo; /* may hold a password: only written to the file */
    const char *slot;             /* primary_slot_name, NULL or "" for none */
    int port;                     /* > 0: the port the node must listen on */
    const char *cluster_name;     /* set when not NULL (a new replica, not the primary's) */
    const char *done_marker;      /* removed last, once the rest is written (a resync's marker:
                                   * in the same round trip on a remote host); NULL */
};

/* Writes the node's own postgresql.conf, pg_hba.conf and pg_ident.conf back from own (those it
 * had), rebuilds postgresql.auto.conf (own's, else the one in DATADIR) with primary_conninfo,
 * primary_slot_name, synchronous_standby_names empty and the node's port, and makes sure
 * standby.signal exists. */
bool local_make_standby(const struct progress *pr, const struct local_node *ln,
                        const struct local_conf *own, const struct standby_conf *sc, char *err,
                        size_t errlen);

#endif
