/* local_fs: the file operations the actions make on a node's host — here with system calls,
 * on a remote host through its way (host.h) — so that resync and rejoin read, write, move and
 * copy the same way wherever the data directory is. Paths are paths on the node's host. */
#ifndef REPLTOP_LOCAL_FS_H
#define REPLTOP_LOCAL_FS_H

#include "model/local/local_node.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A regular file's text (heap; NULL when absent, unreadable or over 4 MB) and its mode. */
char *local_read_file(const struct local_node *ln, const char *path, mode_t *mode);
/* The same on this host, whatever the node. */
char *local_read_here(const char *path, mode_t *mode);
bool local_path_exists(const struct local_node *ln, const char *path);
bool local_is_link(const struct local_node *ln, const char *path);
/* A directory with nothing in it (false when absent). */
bool local_dir_empty(const struct local_node *ln, const char *path);
bool local_remove_file(const struct local_node *ln, const char *path);
bool local_remove_dir(const struct local_node *ln, const char *path);
/* Renames from to to (same file system); err gets "why" only. */
bool local_rename(const struct local_node *ln, const char *from, const char *to, char *err,
                  size_t errlen);
/* The names in dir (heap array, NULL-terminated), NULL when unreadable. */
char **local_list_dir(const struct local_node *ln, const char *dir, int *n);
void local_names_free(char **names, int n);
/* Copies the named files of from into to, as the owner; how many failed (-1: none copied). */
int local_copy_files(const struct local_node *ln, const char *from, char *const *names, int n,
                     const char *to);
/* Free bytes in dir's file system; false when unknown. */
bool local_free_bytes(const struct local_node *ln, const char *dir, long long *avail);
/* Whether path is on another file system than its parent (it cannot be renamed). */
bool local_is_mount_point(const struct local_node *ln, const char *path);
bool local_realpath(const struct local_node *ln, const char *path, char *out, size_t n);
/* On a remote host: asks in one round trip what an action reads of a fresh copy before it
 * starts it (host_survey_copy); here nothing (system calls cost no trip). */
void local_survey(const struct local_node *ln);
/* The mode bits of path, 0 when unknown. */
mode_t local_mode(const struct local_node *ln, const char *path);
/* Whether a pg_basebackup writing into the node's data directory runs on its host: 1 yes (pids
 * gets their process ids, blank-separated), 0 no, -1 unknown (the host did not answer). One
 * whose ssh session dropped goes on there: its WAL receiver process never ends by itself. */
int local_copy_running(const struct local_node *ln, char *pids, size_t n);

#endif
