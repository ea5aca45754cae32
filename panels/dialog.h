/* dialog: the operator actions' dialogs — promote, the sync list editor, resync, new replica,
 * rejoin — and the view of the action that runs, as the dashboard and the loop see them: open
 * one, draw it, hand it a key, get the command it runs. Each dialog is a class of its own file
 * (panels/dialog_class.h), listed once below. */
#ifndef REPLTOP_DIALOG_H
#define REPLTOP_DIALOG_H

#include "dialog_class.h"

/* The dialog classes, each exported by its own file. A new dialog is its file and one line
 * here. */
#define DIALOG_CLASSES(X)                                                                          \
    X(promote_dialog)                                                                              \
    X(sync_dialog)                                                                                 \
    X(patroni_sync_dialog)                                                                         \
    X(patroni_switchover_dialog)                                                                   \
    X(resync_dialog)                                                                               \
    X(new_replica_dialog)                                                                          \
    X(rejoin_dialog)                                                                               \
    X(switchover_dialog)                                                                           \
    X(running_dialog) /* the action that runs: the loop shows it, no key opens it */

#define DIALOG_DECLARE(cls) extern const struct dialog_class cls;
DIALOG_CLASSES(DIALOG_DECLARE)
#undef DIALOG_DECLARE

/* Opens the dialog of the key command cmd (an operator action: cmd_operator) about node
 * (promote, resync, rejoin: the selected node). False, and nothing opens, when no class says
 * cmd. */
bool dialog_open(struct dialog *d, enum key_cmd cmd, const struct snapshot *s, const char *node);
/* Whether a dialog is open; whether the open one is of class cls (&running_dialog). */
static inline bool dialog_is_open(const struct dialog *d)
{
    return d->cls != NULL;
}
static inline bool dialog_is(const struct dialog *d, const struct dialog_class *cls)
{
    return d->cls == cls;
}
/* Draws the open dialog on top of the dashboard. run: the action running or last run. */
void dialog_render(const struct dialog *d, const struct snapshot *s, const struct run_state *run,
                   double now, struct grid *g);
/* A key for the open dialog: INTENT_REDRAW, or INTENT_RUN when the operator confirmed. */
unsigned dialog_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                    int key);
/* The action's arguments after `repltop -c FILE` (NULL-terminated; points into d), and a
 * short title for the header and the event log ("promote db_s2"). Returns the count. */
int dialog_argv(const struct dialog *d, const char **argv, char *title, size_t titlen);
/* The node the confirmed action is about ("" when it is about the cluster: the sync list). */
const char *dialog_run_node(const struct dialog *d);
/* Whether the confirmed action's command may add nodes to the config file. */
bool dialog_adds_nodes(const struct dialog *d);

#endif
