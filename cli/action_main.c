/* action_main: the frame every action command runs in (cli/action_main.h), and the question
 * on the terminal an action asks before it changes anything (struct action's ask). */
#include "cli/action_main.h"
#include "model/ops/action_patroni.h"
#include "model/ops/manager_gate.h"
#include "model/base/text.h"
#include "model/config/config.h"
#include "model/watch/patroni_members.h"
#include "model/local/host.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The operator must type `expect` exactly; no answer without a terminal. */
static int ask_on_terminal(const struct action *a, const char *question, const char *expect)
{
    if (!isatty(STDIN_FILENO)) {
        text_error("%s needs confirmation: run it on a terminal or add --yes", a->verb);
        return -1;
    }
    char *q = text_escape_dup(question), *e = text_escape_dup(expect);
    fprintf(stderr, "%s\nType %s to confirm: ", q, e);
    free(q);
    free(e);
    fflush(stderr);
    char line[256];
    if (!fgets(line, sizeof line, stdin))
        return -1;
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, expect) == 0)
        return 1;
    text_error("not confirmed; nothing was changed");
    return 0;
}

/* Parses the options every action takes (-c FILE, --yes, --force; extra ones through `extra`,
 * a getopt_long table terminated by a zero entry, with their values stored by the caller's
 * `on_extra`) and loads the config. Returns -1 to go on, -2 for --help, else the exit status.
 * *first_arg is the index of the first positional argument. */
struct base_opts {
    const char *confirmed; /* NULL: ask; "--yes"; "typed in the dashboard" */
    bool force, read_only;
};

enum { OPT_READ_ONLY = 2000, OPT_CONFIRMED };

static int action_parse(int argc, char **argv, const char *config_path, struct config *cfg,
                        struct base_opts *b, const struct option *extra,
                        void (*on_extra)(int opt, const char *arg, void *ctx), void *ctx,
                        int *first_arg)
{
    struct option opts[24];
    int n = 0;
    const struct option base[] = {{"config", required_argument, NULL, 'c'},
                                  {"yes", no_argument, NULL, 'y'},
                                  {"force", no_argument, NULL, 'F'},
                                  {"read-only", no_argument, NULL, OPT_READ_ONLY},
                                  {"confirmed", required_argument, NULL, OPT_CONFIRMED},
                                  {"help", no_argument, NULL, 'h'}};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        opts[n++] = base[i];
    for (int i = 0; extra && extra[i].name && n < 23; i++)
        opts[n++] = extra[i];
    memset(&opts[n], 0, sizeof opts[n]);
    optind = 0; /* glibc: re-initialise (main parsed with "+" before) */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":c:yh", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'y':
            if (!b->confirmed)
                b->confirmed = "--yes";
            break;
        case 'F':
            b->force = true;
            break;
        case OPT_READ_ONLY:
            b->read_only = true;
            break;
        case OPT_CONFIRMED:
            /* the dashboard's child: the operator typed the confirmation there */
            if (strcmp(optarg, "dashboard") != 0) {
                text_error("--confirmed takes \"dashboard\" (the dashboard sets it), not \"%s\"",
                           optarg);
                return 3;
            }
            b->confirmed = "typed in the dashboard";
            break;
        case 'h':
            return -2; /* the caller prints its usage */
        case ':':
            text_error("option %s needs a value", argv[optind - 1]);
            return 3;
        case '?':
            text_error("unknown option \"%s\" for %s", argv[optind - 1], argv[0]);
            return 3;
        default:
            if (on_extra)
                on_extra(ch, optarg, ctx);
        }
    }
    *first_arg = optind;
    char err[600];
    if (!config_path) {
        text_error("%s needs the cluster's config: -c FILE", argv[0]);
        return 3;
    }
    if (!config_load_file(cfg, config_path, err, sizeof err) ||
        !patroni_load_members(cfg, err, sizeof err) || !config_validate(cfg, err, sizeof err)) {
        text_error("%s", err);
        return 3;
    }
    host_docker_addresses(cfg);
    return -1;
}

/* Read-only refuses every action but `sync show`, in one line, before anything connects. */
static int refuse_read_only(const struct action_call *call, const struct base_opts *b,
                            const struct config *cfg)
{
    if (strcmp(call->verb, "sync show") == 0 || (!b->read_only && !cfg->actions_off))
        return -1;
    if (b->read_only)
        text_error("%s refused: repltop runs read-only (--read-only); nothing was changed",
                   call->verb);
    else
        text_error("%s refused: actions are off in %s ([repltop] actions = off); nothing was "
                   "changed",
                   call->verb, cfg->path ? cfg->path : "the config");
    return 1;
}

int action_main(int argc, char **argv, const char *config_path, bool read_only,
                const struct action_cmd *cmd, void *opts)
{
    struct config cfg;
    config_init(&cfg);
    struct base_opts b = {.read_only = read_only};
    int first = 0;
    int rc =
        action_parse(argc, argv, config_path, &cfg, &b, cmd->extra, cmd->on_extra, opts, &first);
    struct action_call call = {argv + first, argc - first, opts, cmd->name, NULL};
    if (call.nargs > 0)
        call.target = call.args[0];
    if (rc == -2) {
        fputs(cmd->usage, stdout);
        rc = 0;
    } else if (rc == -1 && cmd->nargs >= 0 && call.nargs != cmd->nargs) {
        text_error("%s takes %s (repltop %s --help)", cmd->name, cmd->takes, cmd->name);
        rc = 3;
    } else if (rc == -1 && cmd->check) {
        rc = cmd->check(&call);
    }
    if (rc == -1)
        rc = refuse_read_only(&call, &b, &cfg);
    if (rc == -1) {
        struct action a;
        action_begin(&a, call.verb, call.target, &cfg, b.confirmed, b.force);
        a.ask = ask_on_terminal;
        /* through Patroni when its REST API is known; else no action around an HA manager
         * (`sync show` only reads) */
        if (cmd->run_patroni && action_patroni_known(&a))
            rc = cmd->run_patroni(&a, &call);
        else if (strcmp(call.verb, "sync show") != 0 &&
                 !action_manager_gate(&a, cmd->nargs == 1 ? call.target : NULL))
            rc = 1;
        else
            rc = cmd->run(&a, &call);
        action_end(&a, rc == 0);
    }
    config_done(&cfg);
    return rc;
}
