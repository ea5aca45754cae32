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

#endif
