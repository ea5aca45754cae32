/* repltop: command line. Parses options, loads the config, and hands over to the dashboard
 * (tui/), a one-shot `status`, or the sandbox cluster (`demo`). Exit status 3 is always a
 * usage or configuration error, said in one line. */
#include "cli/cli.h"
#include "model/watch/cluster.h"
#include "model/watch/patroni_members.h"
#include "model/config/config.h"
#include "model/config/config_fleet.h"
#include "cli/status_fleet.h"
#include "model/demo/demo.h"
#include "model/local/host.h"
#include "model/store/json.h"
#include "model/serve/serve.h"
#include "cli/report.h"
#include "model/base/text.h"
#include "model/base/util.h"
#include "tui/loop.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 3

static void usage(FILE *out)
{
    fputs(repltop_usage, out);
}

static int usage_error(const char *fmt, const char *arg)
{
    char msg[1024];
    str_printf(msg, sizeof msg, fmt, arg);
    text_error("%s (repltop --help)", msg);
    return EXIT_USAGE;
}

struct options {
    const char *config_path;   /* the last -c */
    const char **config_paths; /* every -c, in order: several clusters (a fleet) */
    int nconfig;
    const char *theme;
    double interval;
    bool json, check, read_only;
    const char *record_path, *replay_path;
    long long record_max; /* --record-max: rotate a recording at this size (0: never) */
    const char *patroni;  /* --patroni URL */
    const char *listen;   /* --listen ADDR:PORT (serve) */
};

enum {
    OPT_RECORD = 1000,
    OPT_REPLAY,
    OPT_CHECK,
    OPT_READ_ONLY,
    OPT_RECORD_MAX,
    OPT_PATRONI,
    OPT_LISTEN
};

/* The conninfo arguments, Patroni's members, -i and -t into cfg (read from its file, if any),
 * then its checks; prints the error and returns false. */
static bool finish_config(struct config *cfg, const struct options *o, int nargs, char **args)
{
    char err[600];
    for (int i = 0; i < nargs; i++) {
        char origin[32];
        str_printf(origin, sizeof origin, "argument %d", i + 1);
        if (!strchr(args[i], '=') && !strstr(args[i], "://")) {
            /* "repltop stauts": a word, not a conninfo */
            text_error("%s: unknown command \"%s\", and not a conninfo (key=value or "
                       "postgresql://; repltop --help)",
                       origin, args[i]);
            return false;
        }
        if (!config_add_conninfo(cfg, args[i], origin, err, sizeof err)) {
            text_error("%s: %s", origin, err);
            return false;
        }
    }
    if (o->patroni) {
        free(cfg->patroni);
        cfg->patroni = xstrdup(o->patroni);
    }
    if (!patroni_load_members(cfg, err, sizeof err)) {
        text_error("%s", err);
        return false;
    }
    if (o->interval > 0)
        cfg->refresh_s = o->interval;
    if (o->theme) {
        free(cfg->theme);
        cfg->theme = xstrdup(o->theme);
    }
    if (!config_validate(cfg, err, sizeof err)) {
        text_error("%s", err);
        return false;
    }
    host_docker_addresses(cfg); /* before the screen: it runs docker inspect */
    return true;
}

/* Loads -c FILE and the conninfo arguments into cfg; prints the error and returns false. */
static bool load_config(struct config *cfg, const struct options *o, int nargs, char **args)
{
    char err[600];
    if (o->config_path && !config_load_file(cfg, o->config_path, err, sizeof err)) {
        text_error("%s", err);
        return false;
    }
    return finish_config(cfg, o, nargs, args);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Loads the clusters: one -c FILE (or none) exactly as load_config does; several -c, or a
 * directory, one cluster per file (model/config/config_fleet.h). A fleet of more than one
 * takes no CONNINFO and no --patroni (they would say which cluster they join); the clusters
 * refresh together, at -i or else at the shortest refresh of their files. */
static bool load_fleet(struct config_fleet *cf, const struct options *o, int nargs, char **args)
{
    config_fleet_init(cf);
    if (o->nconfig <= 1 && !(o->nconfig == 1 && is_dir(o->config_paths[0]))) {
        cf->cfgs = xcalloc(1, sizeof *cf->cfgs);
        cf->n = 1;
        config_init(&cf->cfgs[0]);
        return load_config(&cf->cfgs[0], o, nargs, args);
    }
    char err[1200];
    if (!config_fleet_load(cf, o->config_paths, o->nconfig, err, sizeof err)) {
        text_error("%s", err);
        return false;
    }
    if (cf->n == 1)
        return finish_config(&cf->cfgs[0], o, nargs, args);
    if (nargs > 0 && (strchr(args[0], '=') || strstr(args[0], "://"))) {
        text_error("a CONNINFO watches one cluster, and -c gives %d: put its node in one of "
                   "their files",
                   cf->n);
        return false;
    }
    if (o->patroni) {
        text_error("--patroni names one cluster, and -c gives %d: put patroni = URL in the "
                   "[repltop] section of its file",
                   cf->n);
        return false;
    }
    double refresh = o->interval;
    for (int i = 0; i < cf->n; i++) {
        if (!finish_config(&cf->cfgs[i], o, nargs, args))
            return false;
        if (refresh <= 0 || cf->cfgs[i].refresh_s < refresh)
            refresh = cf->cfgs[i].refresh_s;
    }
    for (int i = 0; i < cf->n; i++)
        cf->cfgs[i].refresh_s = refresh;
    return true;
}

/* Options shared by the dashboard and status; returns -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, struct options *o, bool stop_at_command)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"theme", required_argument, NULL, 't'},
        {"interval", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        {"record", required_argument, NULL, OPT_RECORD},
        {"record-max", required_argument, NULL, OPT_RECORD_MAX},
        {"replay", required_argument, NULL, OPT_REPLAY},
        {"check", no_argument, NULL, OPT_CHECK},
        {"read-only", no_argument, NULL, OPT_READ_ONLY},
        {"patroni", required_argument, NULL, OPT_PATRONI},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 0; /* glibc: re-initialise, the first parse stopped at the command */
    opterr = 0;
    while ((ch = getopt_long(argc, argv, stop_at_command ? "+:c:t:i:jhV" : ":c:t:i:jhV", longopts,
                             NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config_path = optarg;
            o->config_paths =
                xrealloc(o->config_paths, (size_t)(o->nconfig + 1) * sizeof *o->config_paths);
            o->config_paths[o->nconfig++] = optarg;
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
        case OPT_RECORD:
            o->record_path = optarg;
            break;
        case OPT_RECORD_MAX: {
            int64_t max;
            if (!config_parse_bytes(optarg, &max) || max < 4096)
                return usage_error("--record-max takes a size of at least 4kB (like 100MB), not "
                                   "\"%s\"",
                                   optarg);
            o->record_max = max;
            break;
        }
        case OPT_REPLAY:
            o->replay_path = optarg;
            break;
        case OPT_CHECK:
            o->check = true;
            break;
        case OPT_READ_ONLY:
            o->read_only = true;
            break;
        case OPT_PATRONI: {
            char err[400];
            if (!config_check_patroni_url(optarg, err, sizeof err))
                return usage_error("--%s", err);
            o->patroni = optarg;
            break;
        }
        case OPT_LISTEN:
            o->listen = optarg;
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

/* A subcommand's own --help (-h), anywhere before "--": its usage on stdout, true. */
static bool print_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return true;
        }
    return false;
}

static const char status_usage[] =
    "usage: repltop status [--json | --check] [-c FILE] [CONNINFO...]\n"
    "One snapshot of the cluster, then exit: 0 healthy, 1 warnings, 2 critical problems, 3 bad\n"
    "input (said in one line on stderr). Everything else goes to stdout: the table, whose last\n"
    "lines are the problems.\n"
    "  -j, --json   the snapshot as JSON (docs/DESIGN.md 5.4)\n"
    "  --check      one line in the Nagios/Icinga plugin convention: REPLTOP OK|WARNING|\n"
    "               CRITICAL|UNKNOWN - the worst problem (+N more) | perfdata; exit 0/1/2/3\n"
    "  -c FILE      the config ([severity] remaps a problem's severity); or CONNINFOs;\n"
    "               several -c or -c DIR: every cluster, each under a line with its name\n"
    "               (--json: {\"clusters\": [...]}; --check: the fleet's line, then one\n"
    "               per cluster not OK), exit with the worst health\n";

static int cmd_status(int argc, char **argv, struct options *o)
{
    if (print_help(argc, argv, status_usage))
        return 0;
    int rc = parse_options(argc, argv, o, false);
    if (rc >= 0)
        return rc;
    if (o->replay_path || o->record_path)
        return usage_error("%s", "status takes no --record or --replay (they are the dashboard's; "
                                 "record without a screen: repltop record FILE)");
    if (o->json && o->check)
        return usage_error("%s", "--json and --check do not go together");
    if (o->listen)
        return usage_error("%s", "--listen is serve's (repltop serve --listen ADDR:PORT)");
    struct config_fleet cf;
    if (!load_fleet(&cf, o, argc - optind, argv + optind)) {
        config_fleet_done(&cf);
        return EXIT_USAGE;
    }
    if (cf.n > 1) {
        rc = status_fleet_run(stdout, &cf,
                              o->check  ? STATUS_CHECK
                              : o->json ? STATUS_JSON
                                        : STATUS_TABLE);
        config_fleet_done(&cf);
        return rc;
    }
    struct config *cfg = &cf.cfgs[0];
    struct cluster *cl = cluster_new(cfg);
    struct snapshot *s = cluster_sample_once(cl);
    rc = report_exit_code(s);
    if (o->json) {
        char *text = snapshot_to_json(s, true);
        puts(text);
        free(text);
    } else if (o->check) {
        rc = report_check(stdout, s, cfg);
    } else {
        report_print(stdout, s);
    }
    snapshot_free(s);
    cluster_free(cl);
    config_fleet_done(&cf);
    return rc;
}

static int cmd_dashboard(int argc, char **argv, struct options *o)
{
    if (o->check)
        return usage_error("%s", "--check is status's (repltop status --check)");
    if (o->listen)
        return usage_error("%s", "--listen is serve's (repltop serve --listen ADDR:PORT)");
    /* before the file is created: the dashboard cannot run here, so nothing would be recorded */
    if (o->record_path && !o->replay_path && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
        return usage_error("%s", "--record records what the dashboard shows, and there is no "
                                 "terminal for it: record without one with repltop record FILE");
    if (o->record_max && !o->record_path)
        return usage_error("%s", "--record-max goes with --record FILE or repltop record FILE");
    struct config_fleet cf;
    config_fleet_init(&cf);
    struct dash_opts d = {.theme = o->theme, .record_path = o->record_path};
    if (o->replay_path) {
        if (o->record_path)
            return usage_error("%s", "--record and --replay do not go together");
        if (argc > 0)
            return usage_error("--replay plays a file and takes no CONNINFO (\"%s\")", argv[0]);
        char err[600];
        cf.cfgs = xcalloc(1, sizeof *cf.cfgs);
        cf.n = 1;
        config_init(&cf.cfgs[0]);
        /* the config only matters for its theme here: no nodes are needed */
        if (o->config_path && !config_load_file(&cf.cfgs[0], o->config_path, err, sizeof err)) {
            text_error("%s", err);
            config_fleet_done(&cf);
            return EXIT_USAGE;
        }
        d.replay_path = o->replay_path;
        d.replay_interval = o->interval;
    } else if (!load_fleet(&cf, o, argc, argv)) {
        config_fleet_done(&cf);
        return EXIT_USAGE;
    } else if (cf.n > 1 && o->record_path) {
        config_fleet_done(&cf);
        return usage_error("%s", "--record records one cluster, and -c gives several: record the "
                                 "fleet with repltop record DIR -c ... (a file per cluster)");
    }
    struct config **cfgs = xcalloc((size_t)cf.n, sizeof *cfgs);
    for (int i = 0; i < cf.n; i++) {
        cfgs[i] = &cf.cfgs[i];
        if (o->read_only)
            cf.cfgs[i].actions_off = true;
    }
    d.cfg = cfgs[0];
    d.cfgs = cfgs;
    d.ncfg = cf.n;
    d.read_only = o->read_only;
    int rc = dashboard_run(&d);
    free(cfgs);
    config_fleet_done(&cf);
    return rc;
}

static void say_line(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
    fflush(stdout);
}

/* `repltop demo [--dir DIR] [--port PORT] [--bindir DIR]`: the sandbox cluster, then the
 * dashboard on DIR/repltop.conf. */
static int cmd_demo_dashboard(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"bindir", required_argument, NULL, 'b'},
                                             {NULL, 0, NULL, 0}};
    const char *dir = NULL, *bindir = NULL;
    int port = 0, ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'd':
            dir = optarg;
            break;
        case 'b':
            bindir = optarg;
            break;
        case 'p':
            port = (int)strtol(optarg, &end, 10);
            if (*end || port < 1024 || port > 65533)
                return usage_error("--port wants a number from 1024 to 65533, not \"%s\"", optarg);
            break;
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option \"%s\" (repltop demo --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unknown demo command \"%s\"", argv[optind]);
    struct demo demo;
    char err[2048] = "";
    if (!demo_init(&demo, dir, bindir, err, sizeof err)) {
        text_error("%s", err);
        return 1;
    }
    demo.say = say_line;
    if (!demo_up(&demo, port, err, sizeof err)) {
        text_error("%s", err);
        return 1;
    }
    o->config_path = demo.conf;
    int rc = cmd_dashboard(0, NULL, o);
    printf("the demo cluster still runs; stop it with: repltop demo down --dir %s\n", demo.dir);
    return rc;
}

static const char record_usage[] =
    "usage: repltop record FILE [-c FILE] [-i SECONDS] [--record-max SIZE] [CONNINFO...]\n"
    "       repltop record DIR -c FILE|DIR [-c ...]   a fleet: DIR/NAME.ndjson per cluster\n"
    "Records the cluster without a screen: one snapshot per refresh appended to FILE (0600, one\n"
    "JSON per line, as the dashboard's --record), until SIGINT or SIGTERM. repltop --replay FILE\n"
    "plays it back. Several clusters (a fleet) are recorded into the directory DIR (made when\n"
    "missing), one such file per cluster, named by the cluster.\n"
    "  --record-max SIZE  when FILE reaches SIZE (like 100MB) it becomes FILE.1 (an older\n"
    "                     FILE.1 is replaced) and a new FILE starts\n";

static int cmd_record(int argc, char **argv, struct options *o)
{
    if (print_help(argc, argv, record_usage))
        return 0;
    int rc = parse_options(argc, argv, o, false);
    if (rc >= 0)
        return rc;
    if (o->json || o->check || o->replay_path || o->record_path || o->listen)
        return usage_error("%s", "record takes -c, -i, --record-max and CONNINFOs (repltop record "
                                 "--help)");
    if (optind >= argc)
        return usage_error("%s", "record needs the FILE to record to (repltop record --help)");
    const char *path = argv[optind++];
    struct config_fleet cf;
    if (!load_fleet(&cf, o, argc - optind, argv + optind)) {
        config_fleet_done(&cf);
        return EXIT_USAGE;
    }
    if (cf.n > 1) {
        struct config **cfgs = xcalloc((size_t)cf.n, sizeof *cfgs);
        for (int i = 0; i < cf.n; i++)
            cfgs[i] = &cf.cfgs[i];
        rc = cmd_record_fleet(cfgs, cf.n, path, o->record_max);
        free(cfgs);
        config_fleet_done(&cf);
        return rc;
    }
    rc = cmd_record_run(&cf.cfgs[0], path, o->record_max);
    config_fleet_done(&cf);
    return rc;
}

static int cmd_serve(int argc, char **argv, struct options *o)
{
    if (print_help(argc, argv, serve_usage))
        return 0;
    int rc = parse_options(argc, argv, o, false);
    if (rc >= 0)
        return rc;
    if (o->json || o->check || o->replay_path || o->record_path || o->record_max)
        return usage_error("%s",
                           "serve takes --listen, -c, -i and CONNINFOs (repltop serve --help)");
    struct httpd_addr addr;
    if (!cmd_serve_address(o->listen, &addr))
        return EXIT_USAGE;
    struct config_fleet cf;
    if (!load_fleet(&cf, o, argc - optind, argv + optind)) {
        config_fleet_done(&cf);
        return EXIT_USAGE;
    }
    rc = serve_run(cf.cfgs, cf.n, &addr);
    config_fleet_done(&cf);
    return rc;
}

static int run_command(int argc, char **argv, struct options *op);

int main(int argc, char **argv)
{
    struct options o = {0};
    int rc = run_command(argc, argv, &o);
    free(o.config_paths);
    return rc;
}

/* The actions act on one cluster, named by its own file. */
static bool one_config(const struct options *o, const char *cmd)
{
    if (o->nconfig <= 1)
        return true;
    text_error("%s acts on one cluster: give its file alone (-c FILE), not %d (repltop --help)",
               cmd, o->nconfig);
    return false;
}

static int run_command(int argc, char **argv, struct options *o)
{
    int rc = parse_options(argc, argv, o, true);
    if (rc >= 0)
        return rc;
    int rest = argc - optind;
    char **args = argv + optind;
    if (rest > 0 && strcmp(args[0], "status") == 0)
        return cmd_status(rest, args, o);
    if (rest > 0 && strcmp(args[0], "record") == 0)
        return cmd_record(rest, args, o);
    if (rest > 0 && strcmp(args[0], "serve") == 0)
        return cmd_serve(rest, args, o);
    if (rest > 0 && strcmp(args[0], "demo") == 0) {
        /* no subcommand (only options, if any): up, then the dashboard */
        if (rest == 1 ||
            (args[1][0] == '-' && strcmp(args[1], "-h") != 0 && strcmp(args[1], "--help") != 0))
            return cmd_demo_dashboard(rest, args, o);
        return cmd_demo(rest - 1, args + 1);
    }
    if (rest > 0 && strcmp(args[0], "promote") == 0)
        return !one_config(o, args[0]) ? EXIT_USAGE
                                       : cmd_promote(rest, args, o->config_path, o->read_only);
    if (rest > 0 && strcmp(args[0], "sync") == 0)
        return !one_config(o, args[0]) ? EXIT_USAGE
                                       : cmd_sync(rest, args, o->config_path, o->read_only);
    if (rest > 0 && strcmp(args[0], "resync") == 0)
        return !one_config(o, args[0]) ? EXIT_USAGE
                                       : cmd_resync(rest, args, o->config_path, o->read_only);
    if (rest > 0 && strcmp(args[0], "rejoin") == 0)
        return !one_config(o, args[0]) ? EXIT_USAGE
                                       : cmd_rejoin(rest, args, o->config_path, o->read_only);
    if (rest > 0 && strcmp(args[0], "switchover") == 0)
        return !one_config(o, args[0]) ? EXIT_USAGE
                                       : cmd_switchover(rest, args, o->config_path, o->read_only);
    return cmd_dashboard(rest, args, o);
}
