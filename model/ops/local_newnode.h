/* local_newnode: a new replica that is not in the config yet (`repltop resync NAME --new
 * --port P --datadir DIR [--host H]`, the dashboard's `a` key) — its config entry, made from
 * the current primary's; the checks that its name, port and directory are free and that
 * repltop will be able to log in to it; and its addition to the config file. */
#ifndef REPLTOP_LOCAL_NEWNODE_H
#define REPLTOP_LOCAL_NEWNODE_H

#include "model/ops/action.h"
#include "model/config/config.h"

#include <stdbool.h>
#include <stddef.h>

/* What the command line asks for. */
struct newnode_args {
    int port;            /* 0: not given */
    const char *datadir; /* NULL: not given */
    const char *host;    /* NULL: the primary's */
};

/* Whether any of --port, --datadir, --host was given. */
bool newnode_given(const struct newnode_args *na);

/* NAME is in the config already: true when what was given matches its settings (then the
 * plain --new path builds it), else false with why. */
bool newnode_same(const struct node_conf *nc, const struct newnode_args *na, char *err,
                  size_t errlen);

/* The entry NAME would get, filled into nc (heap strings: newnode_free): the primary's
 * conninfo without its secrets, with host (when given) and port replaced; the datadir; the
 * port; the primary's bindir (else another node's). Refuses (false, why in err) when the entry
 * cannot be written to the config, when another node has the port or the directory, when the
 * port is taken on this host, when the directory exists and is not empty (or has no parent),
 * and when the primary's login takes a password from a passfile that has none for the new
 * host and port (repltop could not watch the new node: the line to add is named). */
bool newnode_plan(struct action *a, const char *name, const struct newnode_args *na,
                  const struct node_conf *primary, struct node_conf *nc, char *err, size_t errlen);
void newnode_free(struct node_conf *nc);

/* Appends nc to the config file (config_append_node), then reloads a->cfg from the file and
 * takes a new snapshot. Pointers into the old a->cfg and a->snap are invalid afterwards. */
bool newnode_add(struct action *a, const struct node_conf *nc, char *err, size_t errlen);

#endif
