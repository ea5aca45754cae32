/* config: the nodes to watch and how, from an INI file (-c FILE) and/or conninfo arguments.
 *
 *   [repltop]                      refresh, theme, lag thresholds, deadlines, cluster name
 *   [nodes]   name = conninfo      any conninfo or URI libpq accepts
 *   [node NAME]                    datadir, port, bindir, ssh, ssh_options, docker, docker_host,
 *                                  service: enable actions
 *                                  on NAME;
 *                                  admin = CONNINFO: the session actions use on NAME
 *                                  patroni = URL: the member's Patroni REST API
 *   [severity] CODE [NODE] = warning|critical|ok   a problem code's severity (for one node)
 *
 * Connection details (.pgpass, PGPASSWORD, services, URIs) are libpq's business: a conninfo is
 * validated with PQconninfoParse and otherwise passed through untouched. */
#ifndef REPLTOP_CONFIG_H
#define REPLTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define CONFIG_NAME_LEN 64

struct node_conf {
    char name[CONFIG_NAME_LEN];
    char *conninfo; /* as the user wrote it; may hold a password: never print it */
    char *datadir;  /* NULL unless [node NAME] gives one */
    char *bindir;   /* NULL: use the installed PostgreSQL */
    /* [node NAME] ssh = DESTINATION: the node's host is reached with the user's own ssh client
     * (datadir, bindir, port are paths and numbers on that host); NULL: this host */
    char *ssh;
    char *ssh_options; /* extra ssh arguments, split at blanks (never through a shell) */
    /* [node NAME] docker = CONTAINER: the node runs in that container, reached with the docker
     * CLI (datadir is a path inside it); docker_host: the CLI's -H (unix://..., tcp://...) */
    char *docker;
    char *docker_host;
    bool docker_addr; /* the conninfo's host was filled in from docker inspect (host_docker.c) */
    char *admin;      /* [node NAME] admin: the conninfo actions use, NULL: see admin_user */
    char *service; /* [node NAME] service: pg_ctl, pg_ctlcluster:V/C, systemd:UNIT; NULL: detect */
    int port;      /* -1 unless given */
    char *patroni; /* [node NAME] patroni = URL: this member's Patroni REST API, else NULL */
    char origin[128]; /* "FILE:LINE" or "argument N", for error messages */
    /* a command-line conninfo without application_name or service: named host:port until it
     * answers as a standby, then by the application_name it streams as (cluster.c) */
    bool named_by_address;
};

/* One [severity] entry: problems with this code (on this node, "" for every node) get sev
 * (0 ok, 1 warning, 2 critical: enum severity's values) instead of their rule's severity. */
struct severity_override {
    char code[32];
    char node[CONFIG_NAME_LEN];
    int sev;
    char origin[128]; /* "FILE:LINE" */
};

struct config {
    char *path; /* the file it was read from, NULL if none */
    /* [repltop] cluster = NAME: the cluster's name in a fleet (config_fleet.h), NULL when not
     * set (then the file's name without .conf) */
    char *cluster_name;
    bool actions_off;  /* [repltop] actions = off (or --read-only): every action refuses */
    char *admin_user;  /* [repltop] admin_user: the role actions use (NULL: the node's own) */
    bool audit_syslog; /* [repltop] audit = syslog: audit lines to syslog too */
    double refresh_s;
    char *theme;
    int64_t lag_warn_bytes, lag_crit_bytes;
    double lag_warn_s, lag_crit_s;
    int connect_timeout_ms, query_timeout_ms;
    char *sync_policy; /* [repltop] sync: the declared sync policy as written, NULL when not set
                        * (checked at load with syncnames_parse_policy; see syncpolicy.h) */
    /* [repltop] patroni = URL (or --patroni URL): the REST API of a Patroni member, from which
     * the members are read (/cluster) and through which the actions go; NULL when not set */
    char *patroni;
    struct node_conf *nodes;
    int nnodes;
    struct severity_override *severities; /* [severity] CODE = ..., CODE NODE = ... */
    int nseverities;
};

/* Defaults: refresh 1 s, 16 MB / 256 MB, 10 s / 60 s, deadlines 2 s. */
void config_init(struct config *c);
void config_done(struct config *c);

/* Reads an INI file into c. On failure returns false and writes "FILE:LINE: what" to err. */
bool config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* Adds a node from a command-line conninfo; its name is its application_name, else host:port.
 * Returns false with libpq's message (or a duplicate-name error) in err. */
bool config_add_conninfo(struct config *c, const char *conninfo, const char *origin, char *err,
                         size_t errlen);
/* Adds a named node (the [nodes] section uses this). */
bool config_add_node(struct config *c, const char *name, const char *conninfo, const char *origin,
                     char *err, size_t errlen);
struct node_conf *config_find_node(struct config *c, const char *name);
/* How the actions reach the node's host: "local" (a datadir here), "ssh DEST" (ssh = DEST),
 * "docker CONTAINER" (docker = CONTAINER), or "none" (no datadir: only promote and sync work on
 * it). */
void config_actions_via(const struct node_conf *n, char *buf, size_t len);
/* The node's data directory is on another host or in a container (ssh or docker): nothing of
 * it is looked at from here. */
bool config_node_remote(const struct node_conf *n);
/* Whether url can be a Patroni REST API: http:// or https:// and a host. */
bool config_check_patroni_url(const char *url, char *err, size_t errlen);
/* Final checks once everything is loaded: at least one node (or a Patroni URL to read them
 * from), [node X] sections name real nodes. */
bool config_validate(const struct config *c, char *err, size_t errlen);

/* ----- adding a node to the file (the new-replica action) ----- */

/* Whether a node can be written to the config file and read back as written: the name rules
 * of loading (and what an INI key and a [node NAME] header can hold), a conninfo libpq parses,
 * values inih does not cut (no " ;", blanks at the ends, line breaks), port 1-65535 (<= 0:
 * none) and every line within the reader's limit. NULL datadir/bindir: none. */
bool config_check_entry(const char *name, const char *conninfo, const char *datadir, int port,
                        const char *bindir, char *err, size_t errlen);
/* The text that adds it: "[nodes]\nNAME = CONNINFO\n\n[node NAME]\ndatadir = ...\nport = ...\n"
 * (and bindir; no [node] section without datadir, port or bindir). A heap string. */
char *config_node_text(const char *name, const char *conninfo, const char *datadir, int port,
                       const char *bindir);
/* Appends the node to the file at path: checked as above and against what the file holds now
 * (it must load, without a node of that name), written to a temp file beside it with the old
 * content, its mode and owner, and renamed over it, so a crash never leaves half a config;
 * then read again (the old content is put back if the node does not read back as written).
 * A symbolic link is followed, not replaced. False with the reason in err. */
bool config_append_node(const char *path, const char *name, const char *conninfo,
                        const char *datadir, int port, const char *bindir, char *err,
                        size_t errlen);
/* Sets key = value in the [repltop] section of the file at path (the line that sets it is
 * replaced; else one is added after the section's header; else the section is added at the
 * top), written as config_append_node writes, and read back: the file must load before and
 * after, and a "sync" policy must read back as written (the old content is put back if not).
 * False with the reason in err. `repltop sync set --save` uses it. */
bool config_set_setting(const char *path, const char *key, const char *value, char *err,
                        size_t errlen);
/* Adds to c the nodes of from that c does not have yet, with their settings (a running
 * dashboard picks up a node added to its file, keeping its command-line settings). Returns
 * how many. */
int config_add_new_nodes(struct config *c, const struct config *from);

/* The conninfo an action connects with to node, a heap string: [node NAME] admin, else the
 * node's conninfo with user = [repltop] admin_user (its password dropped: it is the watching
 * role's; the action role's comes from .pgpass or a service file), else the node's conninfo.
 * Watching always uses node->conninfo. NULL when it does not parse. */
char *config_admin_conninfo(const struct config *c, const struct node_conf *node);

/* The problem codes [severity] accepts (health.h's), NULL-terminated. */
extern const char *const config_problem_codes[];
/* The severity [severity] gives code on node (0 ok, 1 warning, 2 critical), or -1 when it
 * says nothing; a per-node entry wins over one for every node. */
int config_severity_for(const struct config *c, const char *code, const char *node);

/* Parses "16MB", "1 GB", "512kB", "123" (bytes). */
bool config_parse_bytes(const char *s, int64_t *out);
/* Parses "2s", "500ms", "1.5" (seconds). */
bool config_parse_seconds(const char *s, double *out);

/* For config_append.c: the loader's own checks and reader. */
bool config_valid_name(const char *name, char *err, size_t errlen);
bool config_check_conninfo(const char *conninfo, char *err, size_t errlen);
bool config_load_stream(struct config *c, FILE *f, const char *path, char *err, size_t errlen);

#endif
