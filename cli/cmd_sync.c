/* cmd_sync: the front end of `repltop sync show` and `repltop sync set SPEC` — options, --help,
 * and SPEC and --commit checked before anything connects — around action_sync_show and
 * action_sync_set (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/base/text.h"
#include "model/ops/action_sync.h"
#include "model/pg/syncnames.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char sync_usage[] =
    "usage: repltop sync show [-c FILE]\n"
    "       repltop sync set 'SPEC' [--commit LEVEL] [--save] [--yes] [--force] [-c FILE]\n"
    "SPEC is synchronous_standby_names: 'FIRST 1 (a, b)', 'ANY 2 (a, b, c)', 'a, b', '*' or ''.\n"
    "--commit sets synchronous_commit too (on, remote_apply, remote_write, local, off).\n"
    "--force is needed when the list asks for more sync standbys than are streaming.\n"
    "--save, once the list is applied, saves SPEC as the declared sync policy ([repltop] sync\n"
    "in the config file, rewritten atomically), which promote, rejoin and resync then keep.\n";

struct sync_opts {
    const char *commit;
    bool save;                            /* --save: SPEC becomes [repltop] sync */
    bool show;                            /* "show", else "set SPEC": */
    struct syncnames sn;                  /* SPEC, parsed */
    char formatted[SYNCNAMES_FORMAT_MAX]; /* SPEC as it goes to the server */
};

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct sync_opts *o = ctx;
    if (opt == 'm')
        o->commit = arg;
    else if (opt == 'S')
        o->save = true;
}

static bool valid_commit_level(const char *s)
{
    const char *levels[] = {"on", "remote_apply", "remote_write", "local", "off", NULL};
    for (int i = 0; levels[i]; i++)
        if (strcmp(s, levels[i]) == 0)
            return true;
    return false;
}

/* Checks SPEC and --commit before anything is sent, keeping SPEC parsed and formatted in o;
 * exit status 3 on bad input, else -1. */
static int sync_validate(const char *spec, struct sync_opts *o)
{
    char err[600];
    if (!syncnames_parse(spec, &o->sn, err, sizeof err)) {
        text_error("invalid synchronous_standby_names '%s': %s", spec, err);
        return 3;
    }
    if (o->commit && !valid_commit_level(o->commit)) {
        text_error("--commit must be on, remote_apply, remote_write, local or off, not \"%s\"",
                   o->commit);
        return 3;
    }
    o->formatted[0] = '\0';
    if (o->sn.method != SYNC_NONE && !syncnames_format(&o->sn, o->formatted, sizeof o->formatted)) {
        text_error("cannot use '%s' as synchronous_standby_names", spec);
        return 3;
    }
    if (o->save && o->sn.method == SYNC_NONE) {
        fprintf(stderr, "repltop: --save needs a list: '' cannot be the sync policy (to have "
                        "none, leave [repltop] sync out of the config)\n");
        return 3;
    }
    return -1;
}

/* "show", or "set SPEC" with SPEC and --commit checked before anything connects (the words
 * may stand before the options: "sync set 'FIRST 1 (a)' --yes"). */
static int check_args(struct action_call *call)
{
    struct sync_opts *o = call->opts;
    o->show = call->nargs == 1 && strcmp(call->args[0], "show") == 0;
    bool set = call->nargs == 2 && strcmp(call->args[0], "set") == 0;
    if (!o->show && !set) {
        text_error("sync takes 'show' or 'set SPEC' (repltop sync --help)");
        return 3;
    }
    call->verb = o->show ? "sync show" : "sync set";
    call->target = o->show ? NULL : o->formatted;
    return o->show ? -1 : sync_validate(call->args[1], o);
}

static int run(struct action *a, const struct action_call *call)
{
    const struct sync_opts *o = call->opts;
    if (o->show)
        return action_sync_show(a);
    if (o->save && !a->cfg->path) {
        fprintf(stderr, "repltop: --save needs a config file to save the policy in (-c FILE)\n");
        return 3;
    }
    int rc = action_sync_set(a, &o->sn, o->formatted, o->commit);
    if (rc == 0 && o->save)
        rc = action_sync_save(a, o->formatted);
    return rc;
}

static const struct option sync_options[] = {
    {"commit", required_argument, NULL, 'm'}, {"save", no_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};

static const struct action_cmd sync_cmd = {
    .name = "sync",
    .usage = sync_usage,
    .nargs = -1,
    .extra = sync_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
};

int cmd_sync(int argc, char **argv, const char *config_path, bool read_only)
{
    struct sync_opts o = {0};
    return action_main(argc, argv, config_path, read_only, &sync_cmd, &o);
}
