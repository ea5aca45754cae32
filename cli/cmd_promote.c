/* cmd_promote: the front end of `repltop promote NODE` — its options and --help, and a bad
 * --sync-names refused before anything connects — around action_promote (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/base/text.h"
#include "model/ops/action_patroni.h"
#include "model/ops/action_promote.h"
#include "model/pg/syncnames.h"

#include <getopt.h>
#include <stdio.h>

static const char promote_usage[] =
    "usage: repltop promote NODE [--yes] [--force] [--sync-names SPEC | --async]\n"
    "                            [--previous-sync SPEC] [-c FILE]\n"
    "NODE is a node's name in the config or the application_name it streams with.\n"
    "  --force            promote even though another primary is reachable and writable\n"
    "                     (never around an HA manager: Patroni, repmgr, pg_auto_failover)\n"
    "  --sync-names SPEC  the new primary's synchronous_standby_names (default: from the\n"
    "                     declared policy, [repltop] sync, else the old list with NODE\n"
    "                     replaced by the remaining standbys)\n"
    "  --async            no synchronous standby: commits will be acknowledged without any\n"
    "                     standby (a durability downgrade, recorded as such in the audit log)\n"
    "  --previous-sync SPEC  what the old primary's list was, when it cannot be read\n"
    "The old list is read from the live primary, else --previous-sync, else what repltop last\n"
    "saw on the primary, else what the standbys hold themselves (a clone carries the primary's\n"
    "config files of when it was cloned: it may be old). When it is unknown and neither\n"
    "--sync-names, --async nor a policy is given, promote refuses and changes nothing.\n";

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct promote_opts *o = ctx;
    if (opt == 'n')
        o->sync_names = arg;
    else if (opt == 'p')
        o->previous = arg;
    else if (opt == 'a')
        o->async = true;
}

static int run(struct action *a, const struct action_call *call)
{
    return action_promote(a, call->args[0], call->opts);
}

/* Patroni chooses the new sync standbys itself: the options that set them do not apply. */
static int run_patroni(struct action *a, const struct action_call *call)
{
    const struct promote_opts *o = call->opts;
    if (o->sync_names || o->async) /* --previous-sync only informs the direct promote */
        action_warn(a, "Patroni sets the sync standbys itself: --sync-names and --async are "
                       "not used");
    return action_patroni_failover(a, call->args[0]);
}

/* A bad --sync-names, or --sync-names with --async, is refused before anything connects. */
static int check_sync_names(struct action_call *call)
{
    const struct promote_opts *o = call->opts;
    struct syncnames check;
    char err[600];
    if (o->sync_names && o->async) {
        fprintf(stderr, "repltop: --sync-names and --async cannot be used together\n");
        return 3;
    }
    if (o->sync_names && !syncnames_parse(o->sync_names, &check, err, sizeof err)) {
        text_error("invalid --sync-names '%s': %s", o->sync_names, err);
        return 3;
    }
    return -1;
}

static const struct option promote_options[] = {{"sync-names", required_argument, NULL, 'n'},
                                                {"previous-sync", required_argument, NULL, 'p'},
                                                {"async", no_argument, NULL, 'a'},
                                                {NULL, 0, NULL, 0}};

static const struct action_cmd promote_cmd = {
    .name = "promote",
    .usage = promote_usage,
    .nargs = 1,
    .takes = "one NODE",
    .extra = promote_options,
    .on_extra = on_opt,
    .check = check_sync_names,
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_promote(int argc, char **argv, const char *config_path, bool read_only)
{
    struct promote_opts o = {0};
    return action_main(argc, argv, config_path, read_only, &promote_cmd, &o);
}
