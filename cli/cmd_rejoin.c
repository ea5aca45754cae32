/* cmd_rejoin: the front end of `repltop rejoin NODE` — its --help — around action_rejoin
 * (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/ops/action_patroni.h"
#include "model/ops/action_rejoin.h"

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

static const char rejoin_usage[] =
    "usage: repltop rejoin NODE [--yes] [--allow-full-copy] [-c FILE]\n"
    "Makes NODE, an old primary whose data directory is on this host ([node NODE] datadir in\n"
    "the config) or on the host [node NODE] ssh = DEST reaches, a standby of the current primary: "
    "stops it, runs pg_rewind against the\n"
    "current primary (its WAL after the fork point and its config files are kept in\n"
    "DATADIR.repltop-rewind-TIMESTAMP), writes standby.signal and primary_conninfo with the\n"
    "other standbys' replication user and application_name NODE, starts it and waits until it\n"
    "streams on the primary's timeline. It acts as the action role ([repltop] admin_user or\n"
    "[node PRIMARY] admin), which needs CHECKPOINT and pg_rewind's functions on the primary;\n"
    "NODE needs wal_log_hints = on or data checksums. Both are checked before anything changes.\n"
    "When pg_rewind fails for a cause that can be fixed (a privilege, the connection) it stops\n"
    "and says why; when the rewind is impossible (WAL gone) it stops too, unless:\n"
    "  --allow-full-copy  then copy everything instead (pg_basebackup, as repltop resync)\n"
    "  --yes              do not ask (otherwise type the node's name to confirm)\n";

static void on_opt(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'A')
        *(bool *)ctx = true;
}

static int run(struct action *a, const struct action_call *call)
{
    a->allow_full_copy = *(const bool *)call->opts;
    return action_rejoin(a, call->args[0]);
}

static const struct option rejoin_options[] = {{"allow-full-copy", no_argument, NULL, 'A'},
                                               {NULL, 0, NULL, 0}};

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
    .extra = rejoin_options,
    .on_extra = on_opt,
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_rejoin(int argc, char **argv, const char *config_path, bool read_only)
{
    bool allow_full_copy = false;
    return action_main(argc, argv, config_path, read_only, &rejoin_cmd, &allow_full_copy);
}
