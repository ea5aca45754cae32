/* cmd_serve: `repltop serve`'s help text and its start once the options were read (main.c
 * reads them, as for status); the loop itself is model/serve. */
#include "cli/cli.h"
#include "model/base/text.h"
#include "model/serve/serve.h"

const char serve_usage[] =
    "usage: repltop serve --listen ADDR:PORT [-c FILE|DIR ...] [-i SECONDS] [CONNINFO...]\n"
    "Watches the cluster (or a fleet: -c several times or a directory) without a screen, as the\n"
    "dashboard does, and answers HTTP at ADDR:PORT\n"
    "(a numeric address: 127.0.0.1:9187, [::1]:9187, 0.0.0.0:9187 for every interface) until\n"
    "SIGINT, SIGTERM or SIGHUP:\n"
    "  GET /metrics        the last snapshot in Prometheus's text format (repltop_*, with its\n"
    "                      age: a scrape never waits for a node)\n"
    "  GET /snapshot.json  the same snapshot as repltop status --json\n"
    "Every series has the label cluster: [repltop] cluster =, else the config file's name\n"
    "without .conf (\"default\" without one). Exit 3 when --listen is missing or bad, or the "
    "address cannot be bound.\n";

bool cmd_serve_address(const char *listen, struct httpd_addr *addr)
{
    char err[400];
    if (!listen) {
        text_error("serve needs --listen ADDR:PORT (like 127.0.0.1:9187) (repltop serve --help)");
        return false;
    }
    if (!httpd_parse_listen(listen, addr, err, sizeof err)) {
        text_error("%s (repltop serve --help)", err);
        return false;
    }
    return true;
}
