/* action_main: the frame every action command (promote, sync, resync, rejoin) runs in — the
 * options every action takes, the config, the checks of the arguments before anything
 * connects, and the operator asked on the terminal — with one table per command (cli/cmd_*.c). */
#ifndef REPLTOP_ACTION_MAIN_H
#define REPLTOP_ACTION_MAIN_H

#include "model/ops/action.h"

/* What action_main hands a command's hooks. */
struct action_call {
    char **args; /* the positional arguments */
    int nargs;
    void *opts;         /* the command's own option values, stored by its on_extra */
    const char *verb;   /* for the audit log: the command's name unless check sets another */
    const char *target; /* what it is about: args[0] (NULL without) unless check sets another */
};

/* One subcommand as a table, one per file. action_main parses the options every action takes
 * (-c FILE, --yes, --force, --help) and the command's own, loads the config and checks the
 * arguments, all before anything connects; then it runs the command between action_begin and
 * action_end. */
struct option;
struct action_cmd {
    const char *name;  /* "promote": the audit log's verb, and how messages call it */
    const char *usage; /* printed for --help */
    int nargs;         /* positional arguments it takes; -1: check decides */
    const char *takes; /* what they are, for when there are not nargs of them: "one NODE" */
    const struct option *extra; /* its own long options (zero-terminated), or NULL */
    void (*on_extra)(int opt, const char *arg, void *opts);
    /* More checks before anything connects (NULL: none): -1 to go on, else the exit status
     * (3, after saying why on stderr). */
    int (*check)(struct action_call *call);
    int (*run)(struct action *a, const struct action_call *call); /* the exit status */
    /* The same through Patroni's REST API (model/ops/action_patroni.h), run instead of `run`
     * and of the HA manager's gate when a Patroni REST API is configured; NULL: the gate
     * decides as for any managed cluster. */
    int (*run_patroni)(struct action *a, const struct action_call *call);
};

/* Runs a subcommand: argv[0] is its name, config_path and read_only from options before it,
 * opts where its own option values go. Read-only (read_only, --read-only after the command,
 * or [repltop] actions = off) refuses every command but `sync show` in one line, before
 * anything connects. The exit status: 0 done, 1 failed or refused, 3 bad usage. */
int action_main(int argc, char **argv, const char *config_path, bool read_only,
                const struct action_cmd *cmd, void *opts);

#endif
