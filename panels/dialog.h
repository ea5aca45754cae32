/* dialog: the operator actions' dialogs — promote, the sync list editor, resync, new replica,
 * rejoin — and the view of the action that runs, as the dashboard and the loop see them: open
 * one, draw it, hand it a key, get the command it runs. Each dialog is a class of its own file
 * (panels/dialog_class.h); this dispatcher is the one place that knows the list. */
#ifndef REPLTOP_DIALOG_H
#define REPLTOP_DIALOG_H

#include "dialog_class.h"

/* Opens a dialog of this kind about node (promote, resync, rejoin: the selected node). */
void dialog_open(struct dialog *d, enum dialog_kind kind, const struct snapshot *s,
                 const char *node);
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
