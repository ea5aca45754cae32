/* dialog_check: what the dialog tests share — the demo cluster's dialog context, the dashboard
 * rendered with a dialog on top and compared with its golden files, typing, and the argument
 * vector a confirmed dialog hands to the child. */
#ifndef REPLTOP_TEST_DIALOG_CHECK_H
#define REPLTOP_TEST_DIALOG_CHECK_H

#include "model/watch/snapshot.h"
#include "panels/dialog.h"

#include <stdbool.h>
#include <stddef.h>

/* A dialog context as the loop fills it for the demo cluster. */
void demo_ctx(struct dialog *d);
/* The demo's config (db_m, db_s1, db_s2 in that order) with policy as its [repltop] sync (NULL:
 * none); one static config, changed by each call. demo_ctx() hands it over without a policy. */
struct config *demo_config(const char *policy);
/* The dashboard with the dialog on top, as text (a heap string). */
char *render_dialog(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
                    int w, int h, bool utf8);
/* At 80x24 and 120x40: it fits, and equals tests/golden/dialog-NAME-WxH.txt. */
void golden_dialog(const struct snapshot *s, const struct dialog *d, const struct run_state *run,
                   const char *name);
/* Each byte of text as a key. */
void type_text(struct dialog *d, const struct snapshot *s, const char *text);
/* The argument vector joined with '|', for one comparison (a static buffer). */
const char *argv_of(const struct dialog *d, char *title, size_t titlen);
/* Appends a line of the running action's output. */
void run_line(struct run_state *r, enum severity sev, const char *text);

#endif
