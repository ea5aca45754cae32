/* files: the one way repltop replaces a file — a new temp file beside it (O_EXCL | O_NOFOLLOW:
 * never a file or link planted there), written, given its mode and owner, flushed, renamed over
 * the old one and the directory flushed, so a crash leaves the old file or the new one whole —
 * plus mkdir -p and repltop's state directory. */
#ifndef REPLTOP_FILES_H
#define REPLTOP_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Who a written file belongs to: FILE_OWNER_KEEP (whoever writes it), or a uid and gid. */
struct file_owner {
    uid_t uid;
    gid_t gid;
};
#define FILE_OWNER_KEEP ((struct file_owner){(uid_t)-1, (gid_t)-1})

/* Writes len bytes of text into a new temp file ".NAME.repltop-PID-N-T" beside path, with mode
 * (chmod'ed, so the umask cannot change it) and owner, and flushes it; its name goes to tmp.
 * False with why in err (no temp file is left then). */
bool file_write_temp(const char *path, const char *text, size_t len, mode_t mode,
                     struct file_owner owner, char *tmp, size_t tmplen, char *err, size_t errlen);
/* Renames tmp over path and flushes the directory (the rename survives a crash); on failure
 * removes tmp. */
bool file_commit(const char *tmp, const char *path, char *err, size_t errlen);
/* Both: creates or replaces path atomically with text. */
bool file_write_atomic(const char *path, const char *text, mode_t mode, struct file_owner owner,
                       char *err, size_t errlen);

/* Opens a file to read it (fopen "r", close-on-exec): NULL with "PATH: why" in err when it
 * cannot be opened or is a directory ("PATH: is a directory": fopen would take it, and the first
 * read would fail). */
FILE *file_open_read(const char *path, char *err, size_t errlen);

/* mkdir -p: path and its missing parents, created with mode. False with why in err. */
bool mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);

/* repltop's state directory: $XDG_STATE_HOME/repltop, else ~/.local/state/repltop (the audit
 * log, the cluster memory). Not created here. */
void state_dir_path(char *buf, size_t n);

#endif
