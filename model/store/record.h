/* record: snapshots on disk — a recording (one JSON snapshot per line, appended at every
 * refresh by --record), reading one back for --replay, and the one-file export of key `e`.
 *
 * A recording is read whole into memory and indexed by line; each frame is parsed when it is
 * shown. Malformed lines are reported as FILE:LINE and skipped, never fatal. */
#ifndef REPLTOP_RECORD_H
#define REPLTOP_RECORD_H

#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- writing a recording ---- */

struct recorder;

/* Opens path for appending (created with mode 0600). NULL with the reason in err. */
struct recorder *recorder_open(const char *path, char *err, size_t errlen);
/* Appends s as one line. False with the reason in err (the disk is full...). */
bool recorder_write(struct recorder *r, const struct snapshot *s, char *err, size_t errlen);
/* Rotation by size: once the file holds max_bytes or more (max_bytes > 0), it is renamed to
 * PATH.1 (replacing an older PATH.1) and a new PATH is started, so a recording never holds
 * more than about twice max_bytes on disk. False with the reason in err. */
bool recorder_rotate(struct recorder *r, long long max_bytes, char *err, size_t errlen);
void recorder_close(struct recorder *r);
const char *recorder_path(const struct recorder *r);

/* ---- reading a recording ---- */

struct frame {
    size_t offset; /* of the line in the buffer */
    int line;      /* 1-based line number in the file */
    double t;      /* the snapshot's taken_at */
};

struct recording {
    char *path;
    char *buf; /* the whole file, lines NUL-terminated in place */
    size_t len;
    struct frame *frames;
    int nframes;
    int skipped; /* malformed lines */
};

/* Called for each malformed line with "FILE:LINE: why" (not for a file without any snapshot). */
typedef void (*recording_warn_fn)(void *arg, const char *message);

/* Reads and indexes a recording; NULL with the reason in err, one line, when the file cannot be
 * read, is a directory or holds no snapshot at all (empty, or how many lines were malformed and
 * why the first was). */
struct recording *recording_load(const char *path, recording_warn_fn warn, void *arg, char *err,
                                 size_t errlen);
void recording_free(struct recording *r);
/* Parses frame i; NULL (with err) only if the file changed under us. */
struct snapshot *recording_frame(const struct recording *r, int i, char *err, size_t errlen);

/* ---- export ---- */

/* Writes s, pretty-printed, to DIR/repltop-YYYYmmdd-HHMMSS.json (its local time; "-2"... when
 * the name is taken), mode 0600, never overwriting. The absolute path goes to path. */
bool snapshot_export(const struct snapshot *s, const char *dir, char *path, size_t pathlen,
                     char *err, size_t errlen);
/* The same for any JSON text (a fleet's, json_fleet.h), named by the time taken_at. */
bool json_export(const char *json, double taken_at, const char *dir, char *path, size_t pathlen,
                 char *err, size_t errlen);

#endif
