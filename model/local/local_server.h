/* local_server: the server of a local node — is it running, stopping it, starting it, what its
 * control file and its server log say. */
#ifndef REPLTOP_LOCAL_SERVER_H
#define REPLTOP_LOCAL_SERVER_H

#include "model/base/progress.h"
#include "model/local/local_node.h"

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

/* Whether the server log written since offset says the node cannot follow the timeline. */
bool local_log_says_diverged(const struct local_node *ln, long offset);
long local_log_size(const struct local_node *ln);

#endif
