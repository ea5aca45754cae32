/* dialog_class: what every dialog of the operator actions shares — the state of a dialog
 * (struct dialog, struct dialog_ctx), the class a dialog file exports (struct dialog_class:
 * its render, key and argv, like htop's panel classes or tmux's window modes), and the
 * drawing and text-field helpers. A dialog file includes this header only; panels/dialog.h
 * is the one place that lists the classes.
 *
 * Like every panel, a dialog renders from a const snapshot plus its own state into the grid,
 * and its key handler changes only that state and returns intents. A dialog never runs
 * anything: on confirmation it returns INTENT_RUN and its class's argv says which
 * command-line action to start (tui/actions.c runs it as a child process: `repltop -c FILE
 * ARGV...`). What needs the file system or the config (data directories, the config's path)
 * is filled into struct dialog_ctx by the loop, so the panels stay free of I/O.
 *
 * Dialogs take raw keys (K_* codes and characters), not the dashboard's key commands: a name
 * typed into a confirmation field may contain any letter. */
#ifndef REPLTOP_DIALOG_CLASS_H
#define REPLTOP_DIALOG_CLASS_H

#include "grid.h"
#include "keys.h"
#include "sync_editor.h"
#include "model/watch/snapshot.h"
#include "model/pg/syncnames.h"
#include "model/config/config.h"

#include <stdbool.h>
#include <stddef.h>

#define DLG_MAX_LOCAL 32
#define DLG_ARGV_MAX  14

/* A node of the config as the local actions see it (filled by the loop). */
struct dlg_local {
    char name[NAME_LEN];
    char datadir[256];  /* "" when [node NAME] gives none */
    bool filled;        /* the data directory exists and is not empty */
    int port;           /* [node NAME] port, else its conninfo's; -1 when neither says */
    char conninfo[512]; /* without its secrets: what a new node's conninfo is made from */
    char bindir[256];   /* "" when [node NAME] gives none */
    char via[160];      /* how the action reaches its host: "local", "ssh DEST", "none" */
};

/* What the dialogs need from outside the snapshot. */
struct dialog_ctx {
    bool can_run;             /* the dashboard has a config file to hand to the action */
    const char *config;       /* its path, for the texts ("" when none) */
    const struct config *cfg; /* the config (NULL: none): its declared sync policy
                                 (cfg->sync_policy) and the node order the policy goes by */
    bool have_last;           /* a snapshot with a primary has been seen */
    char last_primary[NAME_LEN];
    char last_sync[SETTING_LEN]; /* its synchronous_standby_names: after the primary died,
                                    the only place the old list survives */
    struct dlg_local local[DLG_MAX_LOCAL];
    int nlocal;
    /* what the new-replica form starts with: a configured node that is not built yet, else
     * the next name of the family (db_s3), the next free port after the highest configured
     * one, a directory beside the other local data directories */
    char add_name[NAME_LEN];
    int add_port;         /* -1: none found */
    char add_dir[256];    /* "" when no node has a datadir */
    char add_dir_of[256]; /* the directory the others are in: a new name's goes there */
};

/* The new-replica form of `a`: name, port and directory, then the confirmation. */
enum add_field { ADD_NAME, ADD_PORT, ADD_DIR, ADD_CONFIRM, ADD_NFIELDS };

struct add_form {
    char port[8];
    char dir[256];
    enum add_field field; /* the one keys go to */
    bool dir_edited;      /* typed by the operator: it no longer follows the name */
};

/* How far the running action is (progress lines are in kB: pg_basebackup -P, pg_rewind -P). */
#define RUN_LINES 48
struct run_line {
    enum severity sev;
    char text[320];
};

struct run_state {
    bool active;                 /* the child runs */
    bool ended;                  /* it ended; status and ok say how */
    char title[160];             /* "promote db_s2" */
    char node[NAME_LEN];         /* the node it is about ("" for the sync list) */
    double started, finished;    /* wall clock */
    long long done_kb, total_kb; /* the last "progress:" line; total_kb 0: none yet */
    double rate_t0;              /* the first progress line: when, and how far, for the ETA */
    long long rate_kb0;
    struct run_line lines[RUN_LINES]; /* a ring of the last lines */
    int nlines, start;
    int status; /* exit status (128 + N: killed by signal N) */
    bool ok;
};

struct dialog_class;

/* promote: what the new primary's synchronous_standby_names becomes when the old list is unknown
 * and no policy is declared — the operator must choose before Enter promotes. */
enum promote_sync {
    PSYNC_UNCHOSEN,
    PSYNC_KEEP,  /* the list in d->sync (proposed, editable): --sync-names SPEC */
    PSYNC_ASYNC, /* no synchronous standby: --async */
};

struct dialog {
    const struct dialog_class *cls; /* the open dialog's class; NULL: none is open */
    char node[NAME_LEN];            /* the node it is about (add: the name field) */
    char typed[NAME_LEN];           /* the confirmation field */
    bool confirming; /* sync: Enter passed the checks, the operator types yes to apply */
    bool force;      /* promote: --force */
    char note[256];  /* why Enter did nothing; cleared by the next key */
    struct add_form add;
    struct sync_editor sync; /* sync: the editor; promote: the list to keep */
    enum promote_sync psync;
    char spec[SYNCNAMES_FORMAT_MAX]; /* sync: the SPEC handed to the action */
    /* Patroni's sync settings being edited (patroni_sync.c): mode and strict 0/1, count */
    int pmode, pstrict, pcount;
    char pcount_text[12];
    struct dialog_ctx ctx;
};

/* A dialog's class: what the dispatcher (panels/dialog.c) calls. One const struct per dialog,
 * exported by the dialog's own file. */
struct dialog_class {
    const char *name; /* "promote" */
    enum key_cmd cmd; /* the key command that opens it (CMD_NONE: none, the loop shows it) */
    /* Fills the dialog's own state when it opens (NULL: nothing more than node and ctx). */
    void (*open)(struct dialog *d, const struct snapshot *s);
    /* Draws the dialog on top of the dashboard. run: the action running or last run. */
    void (*render)(const struct dialog *d, const struct snapshot *s, const struct run_state *run,
                   double now, struct grid *g);
    /* A key: INTENT_REDRAW, or INTENT_RUN when the operator confirmed. */
    unsigned (*key)(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                    int key);
    /* The action's arguments after `repltop -c FILE`, options first, then "--" (a node name
     * or a SPEC is never taken for an option), NULL-terminated, pointing into d; and a short
     * title ("promote db_s2"). Returns the count. NULL: the dialog runs nothing. */
    int (*argv)(const struct dialog *d, const char **argv, char *title, size_t titlen);
    bool of_cluster; /* the action is about the cluster, not about d->node */
    bool patroni;    /* for a cluster whose Patroni REST API is known: opens instead of the
                      * class of the same cmd without it (the snapshot's patroni set) */
    bool adds_nodes; /* its command may add nodes to the config file */
};

/* Closes the open dialog (Esc). */
void dialog_close(struct dialog *d);

/* ---- helpers of the dialog files (panels/dialog_class.c) ---- */

struct dlg_out {
    struct grid *g; /* off-screen: body lines */
    int y;
};

/* The inner width of a dialog box on g. */
int dlg_inner_width(const struct grid *g);
/* Starts a dialog's off-screen body of inner width w. */
void dlg_out_init(struct dlg_out *o, int w, bool utf8);
void dlg_out_free(struct dlg_out *o);
/* One line (cut with an ellipsis), or wrapped over up to max lines. */
void dlg_line(struct dlg_out *o, enum role role, unsigned attrs, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dlg_wrap(struct dlg_out *o, int max, enum role role, unsigned attrs, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void dlg_blank(struct dlg_out *o);
/* A label in dim and a value after it at column lw. */
void dlg_kv(struct dlg_out *o, int lw, const char *label, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Draws the box low on the screen (the header and the node table stay in view when there is
 * room): title, body (its first lines when it does not fit, with a "more" mark) and footer
 * lines that always show. */
void dlg_frame(struct grid *g, const char *title, enum role border, const struct dlg_out *body,
               const struct dlg_out *foot);
/* What the operator types to confirm: the node's name, or "yes" for an action about the
 * cluster (the sync list), as `repltop sync set` asks on a terminal. */
const char *dlg_expected(const struct dialog *d);
/* The confirmation field: "Type NODE to confirm: [typed_]" (or yes). */
void dlg_field(struct dlg_out *o, const struct dialog *d);
/* The action's progress bar line, when it reported progress. */
void dlg_progress(struct dlg_out *o, const struct run_state *run, double now);
/* Text-field keys: characters, backspace, Ctrl-U. INTENT_REDRAW when handled. */
unsigned dlg_field_key(struct dialog *d, int key);
/* Enter in a dialog that asks for the node's name (dlg_expected): shows the refusal (no, when
 * not NULL), else asks for the exact name until it is typed, else runs. */
unsigned dlg_confirm(struct dialog *d, const char *no);
/* The confirmation field when nothing refuses (no NULL), then the note of the last key, else
 * the refusal, wrapped over up to max lines. */
void dlg_confirm_lines(struct dlg_out *foot, const struct dialog *d, const char *no, int max);
/* The keys of a dialog that asks for the node's name: Esc closes it, Enter confirms
 * (dlg_confirm with no, the refusal), the others edit the field. */
unsigned dlg_node_key(struct dialog *d, int key, const char *no);
/* `repltop VERB --confirmed=dashboard -- NODE` (the operator typed the name in the dashboard:
 * the audit log says so), and the title "VERB NODE". The count. */
int dlg_node_argv(const char *verb, const struct dialog *d, const char **argv, char *title,
                  size_t titlen);
/* A key in a text field: Backspace, Ctrl-U, or a character when takes (else INTENT_NONE). */
unsigned text_field_key(char *buf, size_t n, int key, bool takes);
/* A UTF-8 text field (buf, n bytes): appends an ASCII key or a K_CHAR character as its UTF-8
 * bytes (false when it does not fit: never a partial character); removes the last character,
 * all of its bytes. */
bool text_field_append(char *buf, size_t n, int key);
void text_field_backspace(char *buf);
/* "45%  120 MB of 270 MB  ETA 12s" for the header and the dialog; "" without progress. */
void run_progress_text(const struct run_state *run, double now, char *buf, size_t n);

#endif
