/* local_node: a node whose data directory is on this host (or on one reached over ssh: host.h) —
 * where it is, where PostgreSQL's programs are, and who owns it (the user those programs run as).
 * What resync and rejoin start from; the other local_* modules work on it. */
#ifndef REPLTOP_LOCAL_NODE_H
#define REPLTOP_LOCAL_NODE_H

#include "model/config/config.h"
#include "model/local/host.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How the host runs a node's server, so that a stop or start goes through the host's service
 * manager instead of behind its back: pg_ctl (repltop's own, the default), Debian's
 * pg_ctlcluster, or a systemd unit ([node NAME] service, else detected: a cluster under
 * /etc/postgresql whose data_directory is the node's). local_server.c runs it. */
enum local_svc_kind { SVC_PG_CTL, SVC_PG_CTLCLUSTER, SVC_SYSTEMD };

struct local_service {
    enum local_svc_kind kind;
    char version[16], cluster[64]; /* pg_ctlcluster VERSION CLUSTER */
    char unit[128];                /* systemd */
    char source[160];              /* "[node X] service", "detected: /etc/...", "default" */
};

/* A node with a datadir in the config, and who owns it. */
struct local_node {
    struct node_conf *conf;
    char datadir[PATH_MAX];
    char log[PATH_MAX + 8]; /* DATADIR.log, pg_ctl's server log next to the data directory */
    char bindir[PATH_MAX];
    char owner[64];
    uid_t uid;
    gid_t gid;
    const char *run_as; /* owner when we are root, else NULL (we are the owner) */
    struct host host;   /* how its host is reached: here, or over ssh (then paths are there) */
    struct host_facts facts;
    struct local_service svc; /* how its server is started and stopped (here) */
};

/* Resolves the node's data directory, programs and owner. missing_ok: the directory may not
 * exist yet (a new replica: the owner is that of its parent, else of another local node's
 * data directory). False with a sentence in err: no datadir, not ours, owned by root... */
bool local_node_init(struct local_node *ln, struct node_conf *conf, const struct config *cfg,
                     bool missing_ok, char *err, size_t errlen);
bool local_datadir_exists(const struct local_node *ln);

#endif
