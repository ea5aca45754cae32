/* cmd_sync: the front end of `repltop sync show` and `repltop sync set SPEC` — options, --help,
 * and SPEC and --commit checked before anything connects — around action_sync_show and
 * action_sync_set (model/ops). */
#include "cli/cli.h"
#include "cli/action_main.h"
#include "model/base/text.h"
#include "model/ops/action_patroni.h"
#include "model/ops/action_sync.h"
#include "model/pg/syncnames.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sync_usage[] =
    "usage: repltop sync show [-c FILE]\n"
    "       repltop sync set 'SPEC' [--commit LEVEL] [--save] [--yes] [--force] [-c FILE]\n"
    "       repltop sync set [--count N] [--strict on|off] [--mode on|off] [--yes]  (Patroni)\n"
    "SPEC is synchronous_standby_names: 'FIRST 1 (a, b)', 'ANY 2 (a, b, c)', 'a, b', '*' or ''.\n"
    "--commit sets synchronous_commit too (on, remote_apply, remote_write, local, off).\n"
    "--force is needed when the list asks for more sync standbys than are streaming.\n"
    "--save, once the list is applied, saves SPEC as the declared sync policy ([repltop] sync\n"
    "in the config file, rewritten atomically), which promote, rejoin and resync then keep.\n"
    "Where Patroni runs the cluster and its REST API is known (patroni = URL), Patroni chooses\n"
    "the sync standbys: sync set changes what Patroni owns instead, with PATCH /config —\n"
    "--count N (synchronous_node_count), --strict (synchronous_mode_strict), --mode\n"
    "(synchronous_mode) — and waits until Patroni has applied it.\n";

struct sync_opts {
    const char *commit;
    bool save;                            /* --save: SPEC becomes [repltop] sync */
    bool show;                            /* "show", else "set SPEC": */
    struct syncnames sn;                  /* SPEC, parsed */
    char formatted[SYNCNAMES_FORMAT_MAX]; /* SPEC as it goes to the server */
    /* Patroni's settings (-1: unchanged; `bad` names an option given a bad value) */
    int mode, strict, count;
    bool patroni_given;
    const char *bad;
};

/* "on"/"off" as 1/0, -2 for anything else. */
static int on_off(const char *s)
{
    return strcmp(s, "on") == 0 ? 1 : strcmp(s, "off") == 0 ? 0 : -2;
}

static void on_opt(int opt, const char *arg, void *ctx)
{
    struct sync_opts *o = ctx;
    if (opt == 'm')
        o->commit = arg;
    else if (opt == 'S')
        o->save = true;
    else if (opt == 'C' || opt == 'T' || opt == 'M') {
        char *end;
        int v = opt == 'C' ? (int)strtol(arg, &end, 10) : on_off(arg);
        if ((opt == 'C' && (*end || v < 1 || v > 32)) || v == -2)
            o->bad = opt == 'C' ? "--count takes a number from 1 to 32"
                                : "--strict and --mode take on or off";
        *(opt == 'C' ? &o->count : opt == 'T' ? &o->strict : &o->mode) = v;
        o->patroni_given = true;
    }
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
    if (o->bad) {
        text_error("%s", o->bad);
        return 3;
    }
    if (call->nargs == 1 && strcmp(call->args[0], "set") == 0 && o->patroni_given) {
        call->verb = "sync set";
        call->target = "Patroni's sync settings";
        return -1; /* run_patroni, or a refusal without Patroni */
    }
    if (o->patroni_given && !set) {
        text_error("--count, --strict and --mode go with sync set");
        return 3;
    }
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
    if (o->patroni_given)
        return action_fail(a, "--count, --strict and --mode set Patroni's sync settings: give "
                              "repltop Patroni's REST API (patroni = URL); nothing was changed");
    if (o->save && !a->cfg->path) {
        fprintf(stderr, "repltop: --save needs a config file to save the policy in (-c FILE)\n");
        return 3;
    }
    int rc = action_sync_set(a, &o->sn, o->formatted, o->commit);
    if (rc == 0 && o->save)
        rc = action_sync_save(a, o->formatted);
    return rc;
}

/* Where Patroni runs the cluster: show adds its settings; set changes what Patroni owns
 * (PATCH /config), never the member list. */
static int run_patroni(struct action *a, const struct action_call *call)
{
    const struct sync_opts *o = call->opts;
    if (o->show)
        return action_patroni_sync_show(a);
    if (!o->patroni_given)
        return action_fail(a, "sync set refused: Patroni chooses the sync standbys of this "
                              "cluster; give what Patroni owns instead: sync set --count N "
                              "[--strict on|off] [--mode on|off]; nothing was changed");
    return action_patroni_sync(a, o->mode, o->strict, o->count);
}

static const struct option sync_options[] = {
    {"commit", required_argument, NULL, 'm'}, {"save", no_argument, NULL, 'S'},
    {"count", required_argument, NULL, 'C'},  {"strict", required_argument, NULL, 'T'},
    {"mode", required_argument, NULL, 'M'},   {NULL, 0, NULL, 0}};

static const struct action_cmd sync_cmd = {
    .name = "sync",
    .usage = sync_usage,
    .nargs = -1,
    .extra = sync_options,
    .on_extra = on_opt,
    .check = check_args,
    .run = run,
    .run_patroni = run_patroni,
};

int cmd_sync(int argc, char **argv, const char *config_path, bool read_only)
{
    struct sync_opts o = {.mode = -1, .strict = -1, .count = -1};
    return action_main(argc, argv, config_path, read_only, &sync_cmd, &o);
}
