/* loop: the dashboard's one poll() loop.
 *
 * It waits on the terminal, every node's socket (through model/cluster), a self-pipe that
 * SIGWINCH, SIGINT, SIGTERM, SIGHUP and SIGCHLD write to, and the next deadline: the refresh
 * timer, the earliest node deadline, the next second of the header clock, the next replayed
 * frame. Nothing on this path blocks on the network, so a hung node costs at most its own
 * deadline and never freezes the keys or the clock. */
#ifndef REPLTOP_LOOP_H
#define REPLTOP_LOOP_H

#include "model/config/config.h"

#include <stdbool.h>

struct dash_opts {
    struct config *cfg;   /* live: the nodes (the first cluster's); unused with replay_path */
    struct config **cfgs; /* live: every cluster's config, ncfg of them (a fleet when > 1:
                             the dashboard opens on the fleet screen) */
    int ncfg;
    const char *theme;       /* name or path; NULL: cfg->theme, else default (monochrome
                                under NO_COLOR) */
    const char *record_path; /* --record FILE: append every snapshot */
    const char *replay_path; /* --replay FILE: play a recording, no database */
    double replay_interval;  /* --replay with -i: fixed seconds between frames (0: as recorded) */
    bool read_only;          /* --read-only (cfg->actions_off is set too): no action keys, and
                                the children it would start get --read-only */
};

/* Runs the dashboard until the user quits; returns the exit status (0; 3 when the file of
 * --replay cannot be read or holds no snapshot, or that of --record cannot be opened; 1 when
 * the terminal could not be used — said on stderr in one line). */
int dashboard_run(const struct dash_opts *o);

#endif
