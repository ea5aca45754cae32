/* newnode_defaults: what a new replica on this host is offered (the dashboard's `a` form
 * starts with it): a node of the config that has a data directory but no data yet, to be
 * built as configured; else the next name of the family (db_s2 -> db_s3), the next port after
 * the highest configured one that no node of the config uses and nothing on this host holds,
 * and a data directory beside the other nodes' ones. Reads the config, the disk (is a data
 * directory there?) and the loopback ports; no screen. */
#ifndef REPLTOP_NEWNODE_DEFAULTS_H
#define REPLTOP_NEWNODE_DEFAULTS_H

#include "model/config/config.h"

#include <stdbool.h>

struct newnode_defaults {
    char name[CONFIG_NAME_LEN];
    int port;          /* -1: none found */
    char datadir[256]; /* "" when no node of the config has a datadir */
    char dir_of[256];  /* the directory the other data directories are in: a new name's goes
                          there ("" when none) */
};

/* Fills d from the config as it is now. */
void newnode_defaults_fill(const struct config *cfg, struct newnode_defaults *d);
/* A node's port: [node NAME] port, else its conninfo's; -1 when neither says. */
int newnode_conf_port(const struct node_conf *n);
/* Whether a data directory exists and holds something (false for "" or NULL). */
bool newnode_dir_filled(const char *path);

#endif
