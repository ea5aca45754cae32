/* cmd_rejoin: the front end of `repltop rejoin NODE` — its --help — around action_rejoin
 * (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/ops/action_patroni.h"
#include "model/ops/action_rejoin.h"

#include <stddef.h>

static const char rejoin_usage[] =
    "usage: repltop rejoin NODE [--yes] [-c FILE]\n"
    "Makes NODE, an old primary whose data directory is on this host ([node NODE] datadir in\n"
    "the config), a standby of the current primary: stops it, runs pg_rewind against the\n"
    "current primary (its WAL after the fork point and its config files are kept in\n"
    "DATADIR.repltop-rewind-TIMESTAMP), writes standby.signal and primary_conninfo with the\n"
    "other standbys' replication user and application_name NODE, starts it and waits until it\n"
    "streams on the primary's timeline. When pg_rewind fails it falls back to a full resync.\n"
    "  --yes   do not ask (otherwise type the node's name to confirm)\n";

static int run(struct action *a, const struct action_call *call)
{
    return action_rejoin(a, call->args[0]);
}

/* Patroni rejoins an old primary itself: explained, refused. */
static int run_patroni(struct action *a, const struct action_call *call)
{
    return action_patroni_rejoin(a, call->args[0]);
}

static const struct action_cmd rejoin_cmd = {
    .name = "rejoin",
    .usage = rejoin_usage,
    .nargs = 1,
    .takes = "one NODE",
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_rejoin(int argc, char **argv, const char *config_path, bool read_only)
{
    return action_main(argc, argv, config_path, read_only, &rejoin_cmd, NULL);
}
