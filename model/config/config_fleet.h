/* config_fleet: the configs of a fleet — `-c` given several times, or naming a directory (every
 * `*.conf` in it, in name order, as conf.d folders work). Each file is one cluster in the
 * format of config.h, named by its `[repltop] cluster = NAME`, else by its file name without
 * `.conf`. One file is a fleet of one, read exactly as config_load_file reads it. */
#ifndef REPLTOP_CONFIG_FLEET_H
#define REPLTOP_CONFIG_FLEET_H

#include "model/config/config.h"

#include <stdbool.h>
#include <stddef.h>

struct config_fleet {
    struct config *cfgs; /* one per cluster, in the order given (a directory's in name order) */
    int n;
};

void config_fleet_init(struct config_fleet *f);
void config_fleet_done(struct config_fleet *f);

/* Reads every path (a file, or a directory of *.conf files) into f, one config per file, each
 * with its cluster_name set. False with one line in err: a file's own error (FILE:LINE), a
 * directory without *.conf files, or two clusters of the same name (both files named). */
bool config_fleet_load(struct config_fleet *f, const char *const *paths, int npaths, char *err,
                       size_t errlen);

/* The cluster name a file gets without a `cluster =` line: its base name without ".conf". */
void config_fleet_default_name(const char *path, char *buf, size_t len);

#endif
