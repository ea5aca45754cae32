/* cmd_resync: the front end of `repltop resync NODE [--new]` — its options and --help, and
 * the new-replica options checked before anything connects — around action_resync
 * (model/ops/action_resync_checks.h). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/ops/action_patroni.h"
#include "model/base/text.h"
#include "model/ops/action_resync_checks.h"
#include "model/ops/local_newnode.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char resync_usage[] =
    "usage: repltop resync NODE [--yes] [-c FILE]\n"
    "       repltop resync NODE --new [--port P --datadir DIR [--host H]] [--yes] [-c FILE]\n"
    "Rebuilds NODE, a standby whose data directory is on this host ([node NODE] datadir in\n"
    "the config) or on the host [node NODE] ssh = DEST reaches with your ssh client, from the\n"
    "current primary: stops it, renames its data directory to\n"
    "DATADIR.repltop-old-TIMESTAMP (kept), runs pg_basebackup -X stream -R, keeps the node's\n"
    "own configuration files, port and application_name, starts it and waits until it streams.\n"
    "  --new          NODE has no data directory yet: create a new replica there\n"
    "  --port P       with --new, for a NODE that is not in the config yet: add it to the\n"
    "  --datadir DIR  config file first ([nodes] NODE = the primary's conninfo with host H and\n"
    "  --host H       port P, no password; [node NODE] datadir DIR, port P, the primary's\n"
    "                 bindir). H defaults to the primary's host. Refused when P is taken on\n"
    "                 this host or by another node, or DIR exists and is not empty\n"
    "  --yes          do not ask (otherwise type the node's name to confirm)\n";

/* What the command line gave: the step's arguments, and --port as typed. */
struct resync_given {
    struct resync_args ra;
    const char *port; /* --port, checked by check_args into ra.nn.port */
};

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct resync_given *g = ctx;
    if (opt == 'N')
        g->ra.new_replica = true;
    else if (opt == 'P')
        g->port = arg;
    else if (opt == 'D')
        g->ra.nn.datadir = arg;
    else if (opt == 'H')
        g->ra.nn.host = arg;
}

/* The new-replica options make sense only together, with --new. */
static int check_args(struct action_call *call)
{
    struct resync_given *g = call->opts;
    struct resync_args *ra = &g->ra;
    if (g->port) {
        char *end;
        long port = strtol(g->port, &end, 10);
        if (!*g->port || *end || port < 1 || port > 65535) {
            text_error("--port must be a number from 1 to 65535, not \"%s\"", g->port);
            return 3;
        }
        ra->nn.port = (int)port;
    }
    if (newnode_given(&ra->nn) && !ra->new_replica) {
        text_error("--port, --datadir and --host are for a new replica: add --new");
        return 3;
    }
    if (ra->nn.datadir && ra->nn.datadir[0] != '/') {
        text_error("--datadir must be an absolute path, not \"%s\"", ra->nn.datadir);
        return 3;
    }
    if (ra->nn.host && !ra->nn.host[0]) {
        text_error("--host is empty");
        return 3;
    }
    return -1;
}

static int run(struct action *a, const struct action_call *call)
{
    const struct resync_given *g = call->opts;
    return action_resync(a, call->args[0], &g->ra);
}

/* Patroni's POST /reinitialize; a new replica is a new Patroni member, not repltop's to make. */
static int run_patroni(struct action *a, const struct action_call *call)
{
    const struct resync_given *g = call->opts;
    if (g->ra.new_replica)
        return action_fail(a, "new replica refused: Patroni runs the cluster; start a Patroni "
                              "with its scope on the new node, and Patroni clones it; nothing "
                              "was changed");
    return action_patroni_reinit(a, call->args[0]);
}

static const struct option resync_options[] = {{"new", no_argument, NULL, 'N'},
                                               {"port", required_argument, NULL, 'P'},
                                               {"datadir", required_argument, NULL, 'D'},
                                               {"host", required_argument, NULL, 'H'},
                                               {NULL, 0, NULL, 0}};

static const struct action_cmd resync_cmd = {
    .name = "resync",
    .usage = resync_usage,
    .nargs = 1,
    .takes = "one NODE",
    .extra = resync_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_resync(int argc, char **argv, const char *config_path, bool read_only)
{
    struct resync_given g = {0};
    return action_main(argc, argv, config_path, read_only, &resync_cmd, &g);
}
