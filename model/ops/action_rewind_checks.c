/* action_rewind_checks: before and after pg_rewind (action_rewind_checks.h). */
#include "model/ops/action_rewind_checks.h"
#include "model/local/local_run.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

struct hints {
    int wal_log_hints; /* -1 unknown, 0 off, 1 on */
    int checksums;     /* -1 unknown, 0 off, else the version */
};

static void on_controldata(void *ctx, const char *line)
{
    struct hints *h = ctx;
    const char *v;
    if ((v = strstr(line, "wal_log_hints setting:")))
        h->wal_log_hints = strstr(v, "on") != NULL;
    else if ((v = strstr(line, "Data page checksum version:")))
        h->checksums = atoi(v + strlen("Data page checksum version:"));
}

bool rewind_prerequisite(const struct local_node *ln, char *err, size_t errlen)
{
    struct hints h = {-1, -1};
    char why[600];
    const char *argv[] = {"pg_controldata", "-D", ln->datadir, NULL};
    if (local_run(ln, argv, NULL, 30, on_controldata, &h, why, sizeof why) != 0) {
        str_printf(err, errlen, "cannot read %s's control file: %s", ln->conf->name, why);
        return false;
    }
    if (h.wal_log_hints > 0 || h.checksums > 0)
        return true;
    if (h.wal_log_hints < 0 && h.checksums < 0) {
        str_printf(err, errlen, "pg_controldata did not say whether %s logs hint bits",
                   ln->conf->name);
        return false;
    }
    str_printf(err, errlen,
               "pg_rewind cannot rewind %s: it runs with wal_log_hints = off and without data "
               "checksums (pg_controldata %s); nothing was changed. Set wal_log_hints = on on "
               "every node (a restart), or copy everything instead: repltop rejoin %s "
               "--allow-full-copy, or repltop resync %s",
               ln->conf->name, ln->datadir, ln->conf->name, ln->conf->name);
    return false;
}

bool rewind_impossible(const char *why)
{
    /* pg_rewind's own messages (PostgreSQL 12-17) for histories that cannot be joined */
    static const char *const impossible[] = {
        "could not find previous WAL record",
        "could not read WAL record",
        "could not locate a valid checkpoint record", /* its crash recovery: WAL gone */
        "could not find common ancestor",
        "source and target clusters are from different systems",
        "clusters are not compatible",
        "needs to use either data checksums or",
        "could not open file", /* a WAL segment it needs is gone from pg_wal */
    };
    if (strstr(why, "could not open file") && !strstr(why, "pg_wal"))
        return false;
    for (size_t i = 0; i < sizeof impossible / sizeof impossible[0]; i++)
        if (strstr(why, impossible[i]))
            return true;
    return false;
}

void rewind_copy_size(struct action *a, const struct node_conf *primary, char *out, size_t n)
{
    char why[600];
    out[0] = '\0';
    PGconn *c = action_connect(a, primary, why, sizeof why);
    char *size = c ? action_value(c, "SELECT sum(pg_database_size(oid))::bigint FROM pg_database",
                                  why, sizeof why)
                   : NULL;
    PQfinish(c);
    if (size) {
        char s[32];
        format_bytes(atoll(size), s, sizeof s);
        str_printf(out, n, "about %s", s);
    }
    free(size);
}
