/* local_server: the server of a local node — is it running, stopping it, starting it, what its
 * control file and its server log say. */
#ifndef REPLTOP_LOCAL_SERVER_H
#define REPLTOP_LOCAL_SERVER_H

#include "model/base/progress.h"
#include "model/local/local_node.h"
#include "model/pg/lsn.h"

#include <stdbool.h>
#include <stddef.h>

bool local_running(const struct local_node *ln);
/* pg_ctl stop -m fast when it runs; then waits until no process works in the data directory
 * any more (the backends of a SIGKILLed postmaster linger for a moment). */
bool local_stop(const struct progress *pr, const struct local_node *ln, char *err, size_t errlen);
/* pg_ctl start -l DATADIR.log; err quotes the server's reason from its log. */
bool local_start(const struct progress *pr, const struct local_node *ln, char *err, size_t errlen);
/* pg_controldata: latest checkpoint's timeline and the WAL segment size (-1 when unknown). */
void local_controldata(const struct local_node *ln, int *tli, long *seg_size);

/* What pg_controldata says: the cluster state ("shut down" after a clean stop of a primary,
 * "shut down in recovery" of a standby, "in production"...), the latest checkpoint (after a
 * clean stop: the shutdown checkpoint, the last record of its WAL) and its timeline. */
struct local_control {
    char state[40];   /* "" when unknown */
    lsn_t checkpoint; /* LSN_UNKNOWN when unknown */
    int tli;          /* -1 when unknown */
    long seg_size;    /* -1 when unknown */
};
/* False when any of state, checkpoint and timeline is unknown (the fields say which). */
bool local_control_read(const struct local_node *ln, struct local_control *out);

/* Whether the server log written since offset says the node cannot follow the timeline. */
bool local_log_says_diverged(const struct local_node *ln, long offset);
long local_log_size(const struct local_node *ln);

#endif
