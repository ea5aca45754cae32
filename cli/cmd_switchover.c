/* cmd_switchover: the front end of `repltop switchover NODE` — its options and --help, a bad
 * --max-lag or --sync-names refused before anything connects — around action_switchover
 * (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/ops/action_patroni.h"
#include "model/base/text.h"
#include "model/config/config.h"
#include "model/ops/action_switchover.h"
#include "model/pg/syncnames.h"

#include <getopt.h>
#include <stdio.h>

static const char switchover_usage[] =
    "usage: repltop switchover NODE [--yes] [--max-lag SIZE] [--sync-names SPEC] [-c FILE]\n"
    "Hands the primary role to NODE, a standby streaming from the primary, with nothing lost\n"
    "and no rewind: stops the primary cleanly (it sends all its WAL to the standbys first),\n"
    "checks that NODE received its shutdown checkpoint (else starts it again as the primary,\n"
    "nothing changed), promotes NODE, gives it the sync list with the old primary in NODE's\n"
    "place (or the declared policy's, [repltop] sync), starts the old primary as a standby of\n"
    "NODE and re-points the other standbys. The old primary's data directory must be on this\n"
    "host ([node NAME] datadir). Run again after an interruption, it finishes the switchover.\n"
    "NODE is a node's name in the config or the application_name it streams with.\n"
    "  --max-lag SIZE     refuse when NODE has not received this much of the primary's WAL\n"
    "                     (default 16MB; 123, 512kB, 16MB)\n"
    "  --sync-names SPEC  the new primary's synchronous_standby_names, when the old list cannot\n"
    "                     be read (a re-run after the old primary stopped)\n"
    "  --yes              do not ask (otherwise type the node's name to confirm)\n";

struct switchover_args {
    struct switchover_opts o;
    const char *max_lag; /* as typed, checked in check_args */
};

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct switchover_args *s = ctx;
    if (opt == 'l')
        s->max_lag = arg;
    else if (opt == 'n')
        s->o.sync_names = arg;
}

static int check_args(struct action_call *call)
{
    struct switchover_args *s = call->opts;
    struct syncnames check;
    char err[600];
    if (s->max_lag && (!config_parse_bytes(s->max_lag, &s->o.max_lag) || s->o.max_lag < 0)) {
        text_error("invalid --max-lag '%s': a size such as 123, 512kB, 16MB", s->max_lag);
        return 3;
    }
    if (s->o.sync_names && !syncnames_parse(s->o.sync_names, &check, err, sizeof err)) {
        text_error("invalid --sync-names '%s': %s", s->o.sync_names, err);
        return 3;
    }
    return -1;
}

static int run(struct action *a, const struct action_call *call)
{
    const struct switchover_args *s = call->opts;
    return action_switchover(a, call->args[0], &s->o);
}

static const struct option switchover_options[] = {{"max-lag", required_argument, NULL, 'l'},
                                                   {"sync-names", required_argument, NULL, 'n'},
                                                   {NULL, 0, NULL, 0}};

/* Patroni's POST /switchover (model/ops/action_patroni.h): Patroni stops, promotes and
 * re-points; its own rules decide the candidate. */
static int run_patroni(struct action *a, const struct action_call *call)
{
    return action_patroni_switchover(a, call->args[0]);
}

static const struct action_cmd switchover_cmd = {
    .name = "switchover",
    .usage = switchover_usage,
    .nargs = 1,
    .takes = "one NODE",
    .extra = switchover_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_switchover(int argc, char **argv, const char *config_path, bool read_only)
{
    struct switchover_args s = {.o = {.max_lag = SWITCHOVER_MAX_LAG_DEFAULT}};
    return action_main(argc, argv, config_path, read_only, &switchover_cmd, &s);
}
