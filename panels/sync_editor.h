/* sync_editor: the state of the sync list editor (the dialog of `s`, panels/sync_editor.c) and
 * what it computes from it, exposed for its tests: synchronous_standby_names as a method, a
 * number and an ordered list of names, and the synchronous_commit level. */
#ifndef REPLTOP_SYNC_EDITOR_H
#define REPLTOP_SYNC_EDITOR_H

#include "model/pg/syncnames.h"
#include "model/watch/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* One entry of the sync editor's list: a name and whether it is in the setting. */
struct sync_item {
    char name[SYNC_NAME_LEN];
    bool on;
};

struct sync_editor {
    bool have_primary;
    char primary[NAME_LEN];
    char current[SETTING_LEN]; /* the primary's setting when the editor opened */
    char current_commit[16];   /* its synchronous_commit */
    enum sync_method method;   /* SYNC_FIRST or SYNC_ANY */
    int num;                   /* >= 1 */
    struct sync_item items[SYNC_MAX_NAMES];
    int nitems, cursor;
    int commit; /* index into sync_commit_levels */
    bool force; /* apply even though commits would hang */
    bool save;  /* also store the list as the declared policy ([repltop] sync): --save */
};

/* The synchronous_commit levels the editor cycles through. */
extern const char *const sync_commit_levels[];
extern const int sync_ncommit_levels;

/* Fills the editor from the snapshot's primary: its list in order, then every other standby. */
void sync_editor_init(struct sync_editor *e, const struct snapshot *s);
/* The setting the editor describes, formatted ("" when no name is in it); false when it
 * cannot be formatted. */
bool sync_editor_spec(const struct sync_editor *e, char *buf, size_t n);
/* The editor's setting as parsed data. */
void sync_editor_names(const struct sync_editor *e, struct syncnames *out);
/* Whether commits on the primary would hang with it (fewer listed standbys stream than it
 * waits for), at the chosen synchronous_commit level. */
bool sync_editor_blocks(const struct sync_editor *e, const struct snapshot *s);
/* The state each item would get (sync, potential, quorum, async, or "not streaming"). */
const char *sync_editor_after(const struct sync_editor *e, const struct snapshot *s, int item);
/* A key; INTENT_REDRAW when something changed. */
unsigned sync_editor_key(struct sync_editor *e, int key);

#endif
