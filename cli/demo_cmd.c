/* demo_cmd: the command line of the sandbox cluster, `repltop demo up|down|status|load`.
 * Parses options, prints progress and results; the work is in demo*.c. */
#include "model/demo/demo.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 3 };
enum { OPT_DIR = 1000, OPT_PORT, OPT_BINDIR, OPT_PURGE, OPT_IDS };

#define LOAD_MAX_S 3600

static const char usage_text[] =
    "usage: repltop demo up     [--dir DIR] [--port PORT] [--bindir DIR]\n"
    "       repltop demo down   [--dir DIR] [--purge]\n"
    "       repltop demo status [--dir DIR]\n"
    "       repltop demo load   [SECONDS] [--ids FILE] [--dir DIR]\n"
    "\n"
    "The sandbox cluster of repltop's design, on 127.0.0.1: db_m (primary), db_s1 (async\n"
    "standby, application_name walreceiver), db_s2 (sync standby, walreceiversync), with\n"
    "synchronous_standby_names = '" DEMO_SYNC_NAMES "'.\n"
    "\n"
    "  up        build it (or start its stopped nodes) and print how to open the dashboard\n"
    "  down      stop every node (fast shutdown); the data stays unless --purge\n"
    "  status    one line per node: port, running or stopped, role\n"
    "  load      insert into demo.public.users on the primary for SECONDS (default 10,\n"
    "            at most 3600) and print the rows whose commit was acknowledged\n"
    "\n"
    "  --dir DIR     where the demo lives (default: $TMPDIR or /tmp, then /repltop-demo-UID)\n"
    "  --port PORT   up: first port to try (default 54320; taken ports are skipped)\n"
    "  --bindir DIR  PostgreSQL's programs (default: the installed PostgreSQL)\n"
    "  --purge       down: then delete DIR (only a directory the demo made)\n"
    "  --ids FILE    load: append each acknowledged id to FILE, flushed after every commit\n"
    "  -h, --help    this help\n"
    "\n"
    "Passwords are random and kept only in DIR/pgpass. Run as root, the servers run as the\n"
    "postgres user. Exit status: 0 ok, 1 failure, 3 usage error.\n";

struct demo_args {
    const char *cmd;
    const char *dir, *bindir, *ids;
    int port;
    bool purge;
    double seconds;
};

static int usage_error(const char *fmt, const char *arg)
{
    char msg[1024];
    str_printf(msg, sizeof msg, fmt, arg);
    text_error("demo: %s (repltop demo --help)", msg);
    return EXIT_USAGE;
}

static void say_stdout(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
    fflush(stdout);
}

/* Returns -1 when parsed, else the exit code to leave with. */
static int parse(int argc, char **argv, struct demo_args *a)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, OPT_DIR},
                                         {"port", required_argument, NULL, OPT_PORT},
                                         {"bindir", required_argument, NULL, OPT_BINDIR},
                                         {"purge", no_argument, NULL, OPT_PURGE},
                                         {"ids", required_argument, NULL, OPT_IDS},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->seconds = 10;
    if (argc < 1 || !argv[0])
        return usage_error("%s", "missing command: up, down, status or load");
    a->cmd = argv[0];
    if (strcmp(a->cmd, "-h") == 0 || strcmp(a->cmd, "--help") == 0 || strcmp(a->cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(a->cmd, "up") != 0 && strcmp(a->cmd, "down") != 0 && strcmp(a->cmd, "status") != 0 &&
        strcmp(a->cmd, "load") != 0)
        return usage_error("unknown command '%s': use up, down, status or load", a->cmd);

    optind = 0; /* glibc: start afresh, main may have used getopt already */
    opterr = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_OK;
        case OPT_DIR:
            a->dir = optarg;
            break;
        case OPT_BINDIR:
            a->bindir = optarg;
            break;
        case OPT_IDS:
            a->ids = optarg;
            break;
        case OPT_PURGE:
            a->purge = true;
            break;
        case OPT_PORT: {
            long p = strtol(optarg, &end, 10);
            if (*end || end == optarg || p < 1024 || p > 65533)
                return usage_error("--port wants a number from 1024 to 65533, not '%s'", optarg);
            a->port = (int)p;
            break;
        }
        case ':':
            return usage_error("%s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    bool load = strcmp(a->cmd, "load") == 0;
    if (a->purge && strcmp(a->cmd, "down") != 0)
        return usage_error("%s", "--purge goes with `demo down` only");
    if (a->ids && !load)
        return usage_error("%s", "--ids goes with `demo load` only");
    if (a->port && strcmp(a->cmd, "up") != 0)
        return usage_error("%s", "--port goes with `demo up` only");
    if (optind < argc && load) {
        a->seconds = strtod(argv[optind], &end);
        if (*end || end == argv[optind] || !(a->seconds > 0 && a->seconds <= LOAD_MAX_S))
            return usage_error("SECONDS must be a number above 0 and at most 3600, not '%s'",
                               argv[optind]);
        optind++;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return -1;
}

static const char *role_name(enum demo_role r)
{
    return r == DEMO_ROLE_PRIMARY ? "primary" : r == DEMO_ROLE_STANDBY ? "standby" : "unknown";
}

static int run_status(struct demo *d, char *err, size_t errlen)
{
    struct demo_node_status st[DEMO_NODES];
    if (!demo_status(d, st, err, errlen))
        return EXIT_FAIL;
    for (int i = 0; i < DEMO_NODES; i++) {
        const struct demo_node *nd = &d->nodes[i];
        if (!st[i].exists) {
            printf("%-6s  no data directory\n", nd->name);
        } else if (!st[i].running) {
            printf("%-6s  port %-5d  stopped\n", nd->name, nd->port);
        } else if (st[i].role == DEMO_ROLE_UNKNOWN) {
            printf("%-6s  port %-5d  running  role unknown (%s)\n", nd->name, nd->port,
                   st[i].error);
        } else {
            printf("%-6s  port %-5d  running  %s\n", nd->name, nd->port, role_name(st[i].role));
        }
    }
    return EXIT_OK;
}

static int run_load(struct demo *d, const struct demo_args *a, char *err, size_t errlen)
{
    struct demo_load_result res;
    if (!demo_load(d, a->seconds, a->ids, &res, err, errlen))
        return EXIT_FAIL;
    if (res.error[0])
        text_error("%s", res.error);
    printf("%lld rows committed to %s in %.1f s\n", res.rows, d->nodes[res.node].name, res.seconds);
    return res.rows > 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_demo(int argc, char **argv)
{
    struct demo_args a;
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    struct demo d;
    char err[2048] = "";
    if (!demo_init(&d, a.dir, a.bindir, err, sizeof err)) {
        text_error("%s", err);
        return EXIT_FAIL;
    }
    d.say = say_stdout;
    if (strcmp(a.cmd, "up") == 0)
        rc = demo_up(&d, a.port, err, sizeof err) ? EXIT_OK : EXIT_FAIL;
    else if (strcmp(a.cmd, "down") == 0)
        rc = demo_down(&d, a.purge, err, sizeof err) ? EXIT_OK : EXIT_FAIL;
    else if (strcmp(a.cmd, "status") == 0)
        rc = run_status(&d, err, sizeof err);
    else
        rc = run_load(&d, &a, err, sizeof err);
    if (rc == EXIT_FAIL && err[0])
        text_error("%s", err);
    return rc;
}
