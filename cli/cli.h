/* cli: the command-line front ends of the operator actions — options, --help, checks of the
 * arguments before anything connects, and the question on the terminal — around the steps
 * of model/ops. main.c hands each subcommand its arguments. */
#ifndef REPLTOP_CLI_H
#define REPLTOP_CLI_H

#include <stdbool.h>

/* The subcommands (argv[0] is the command's name; config_path and read_only from options
 * before it: --read-only refuses every action but `sync show`). The exit status: 0 done,
 * 1 failed or refused, 3 bad usage. */
int cmd_promote(int argc, char **argv, const char *config_path, bool read_only);
int cmd_sync(int argc, char **argv, const char *config_path, bool read_only);
int cmd_resync(int argc, char **argv, const char *config_path, bool read_only); /* "resync" */
int cmd_rejoin(int argc, char **argv, const char *config_path, bool read_only); /* "rejoin" */
int cmd_switchover(int argc, char **argv, const char *config_path, bool read_only);
struct config;
/* `repltop record FILE`: snapshots of cfg's nodes appended to path every refresh until SIGINT
 * or SIGTERM, rotated at max_bytes (0: never). The exit status. */
int cmd_record_run(struct config *cfg, const char *path, long long max_bytes);
/* `repltop record DIR` on a fleet: each cluster's snapshots to DIR/NAME.ndjson (DIR made 0700
 * when missing; a file that is not a directory: exit 3), as cmd_record_run. */
int cmd_record_fleet(struct config *const *cfgs, int n, const char *dir, long long max_bytes);
/* `repltop serve`: its --help text, and its --listen checked into addr (false: said in one
 * line, an exit 3). */
struct httpd_addr;
extern const char serve_usage[];
/* `repltop --help`. */
extern const char repltop_usage[];
bool cmd_serve_address(const char *listen, struct httpd_addr *addr);

#endif
