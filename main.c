/* repltop: command line. Parses options, loads the config, and hands over to the dashboard
 * (tui/), a one-shot `status`, or the sandbox cluster (`demo`). Exit status 3 is always a
 * usage or configuration error, said in one line. */
#include "model/cluster.h"
#include "model/config.h"
#include "model/demo.h"
#include "model/json.h"
#include "model/report.h"
#include "model/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 3

static void usage(FILE *out)
{
    fputs("usage:\n"
          "  repltop [-c FILE] [-t THEME] [-i SECONDS] [CONNINFO...]   the dashboard\n"
          "  repltop status [--json] [-c FILE] [CONNINFO...]           one snapshot\n"
          "  repltop demo [up|down|status|load [SECONDS]] [--dir DIR]  the sandbox cluster\n"
          "\n"
          "A CONNINFO is anything libpq accepts: 'host=10.0.0.5 port=5432 user=monitor',\n"
          "a postgresql:// URI or 'service=NAME'. Passwords come from ~/.pgpass, PGPASSWORD\n"
          "or the conninfo and are never shown.\n"
          "\n"
          "  -c, --config FILE     INI file with [repltop], [nodes] and [node NAME] sections\n"
          "  -t, --theme NAME      colour theme (default, dark, light, monochrome, ...)\n"
          "  -i, --interval SECS   refresh interval (default 1)\n"
          "  -j, --json            (status) print the snapshot as JSON\n"
          "  -h, --help            this text\n"
          "  -V, --version         the version\n"
          "\n"
          "status exits 0 when healthy, 1 on warnings, 2 on critical problems, 3 on bad input.\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("repltop: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (repltop --help)\n", stderr);
    return EXIT_USAGE;
}

struct options {
    const char *config_path;
    const char *theme;
    double interval;
    bool json;
};

/* Loads -c FILE and the conninfo arguments into cfg; prints the error and returns false. */
static bool load_config(struct config *cfg, const struct options *o, int nargs, char **args)
{
    char err[600];
    if (o->config_path && !config_load_file(cfg, o->config_path, err, sizeof err)) {
        fprintf(stderr, "repltop: %s\n", err);
        return false;
    }
    for (int i = 0; i < nargs; i++) {
        char origin[32];
        str_printf(origin, sizeof origin, "argument %d", i + 1);
        if (!config_add_conninfo(cfg, args[i], origin, err, sizeof err)) {
            fprintf(stderr, "repltop: %s: %s\n", origin, err);
            return false;
        }
    }
    if (o->interval > 0)
        cfg->refresh_s = o->interval;
    if (o->theme) {
        free(cfg->theme);
        cfg->theme = xstrdup(o->theme);
    }
    if (!config_validate(cfg, err, sizeof err)) {
        fprintf(stderr, "repltop: %s\n", err);
        return false;
    }
    return true;
}

/* Options shared by the dashboard and status; returns -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, struct options *o, bool stop_at_command)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"theme", required_argument, NULL, 't'},
                                             {"interval", required_argument, NULL, 'i'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, stop_at_command ? "+:c:t:i:jhV" : ":c:t:i:jhV", longopts,
                             NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config_path = optarg;
            break;
        case 't':
            o->theme = optarg;
            break;
        case 'i':
            if (!config_parse_seconds(optarg, &o->interval) || o->interval < 0.1 ||
                o->interval > 3600)
                return usage_error("-i takes seconds from 0.1 to 3600, not \"%s\"", optarg);
            break;
        case 'j':
            o->json = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("repltop %s\n", REPLTOP_VERSION);
            return 0;
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option \"%s\"", argv[optind - 1]);
        }
    }
    return -1;
}

static int cmd_status(int argc, char **argv, struct options *o)
{
    int rc = parse_options(argc, argv, o, false);
    if (rc >= 0)
        return rc;
    struct config cfg;
    config_init(&cfg);
    if (!load_config(&cfg, o, argc - optind, argv + optind)) {
        config_done(&cfg);
        return EXIT_USAGE;
    }
    struct cluster *cl = cluster_new(&cfg);
    struct snapshot *s = cluster_sample_once(cl);
    if (o->json) {
        char *text = snapshot_to_json(s, true);
        puts(text);
        free(text);
    } else {
        report_print(stdout, s);
    }
    rc = report_exit_code(s);
    snapshot_free(s);
    cluster_free(cl);
    config_done(&cfg);
    return rc;
}

static int cmd_dashboard(int argc, char **argv, struct options *o)
{
    struct config cfg;
    config_init(&cfg);
    if (!load_config(&cfg, o, argc, argv)) {
        config_done(&cfg);
        return EXIT_USAGE;
    }
    fputs("repltop: the dashboard is not built yet; use `repltop status`\n", stderr);
    config_done(&cfg);
    return 1;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    int rc = parse_options(argc, argv, &o, true);
    if (rc >= 0)
        return rc;
    int rest = argc - optind;
    char **args = argv + optind;
    if (rest > 0 && strcmp(args[0], "status") == 0)
        return cmd_status(rest, args, &o);
    if (rest > 0 && strcmp(args[0], "demo") == 0)
        return cmd_demo(rest - 1, args + 1);
    return cmd_dashboard(rest, args, &o);
}
