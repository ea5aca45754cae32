/* dialog: the list of dialog classes, and the calls through the open one's class. */
#include "dialog.h"
#include "view.h"
#include "model/base/util.h"

#include <string.h>

/* The classes, each exported by its dialog's file. A new dialog: its file and one line here
 * (and its kind in panels/dialog_class.h). */
extern const struct dialog_class promote_dialog, sync_dialog, resync_dialog, new_replica_dialog,
    rejoin_dialog, running_dialog;

static const struct dialog_class *const classes[] = {
    [DLG_PROMOTE] = &promote_dialog, [DLG_SYNC] = &sync_dialog,     [DLG_RESYNC] = &resync_dialog,
    [DLG_ADD] = &new_replica_dialog, [DLG_REJOIN] = &rejoin_dialog, [DLG_RUN] = &running_dialog,
};

static const struct dialog_class *class_of(enum dialog_kind kind)
{
    return kind > DLG_NONE && (size_t)kind < sizeof classes / sizeof classes[0] ? classes[kind]
                                                                                : NULL;
}

void dialog_open(struct dialog *d, enum dialog_kind kind, const struct snapshot *s,
                 const char *node)
{
    d->kind = kind;
    str_copy(d->node, sizeof d->node, node);
    d->typed[0] = '\0';
    d->note[0] = '\0';
    d->force = false;
    d->spec[0] = '\0';
    const struct dialog_class *c = class_of(kind);
    if (c && c->open)
        c->open(d, s);
}

void dialog_render(const struct dialog *d, const struct snapshot *s, const struct run_state *run,
                   double now, struct grid *g)
{
    const struct dialog_class *c = class_of(d->kind);
    if (c && g->w >= MIN_COLS && g->h >= MIN_ROWS)
        c->render(d, s, run, now, g);
}

unsigned dialog_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                    int key)
{
    d->note[0] = '\0';
    const struct dialog_class *c = class_of(d->kind);
    return c ? c->key(d, s, run, key) : INTENT_NONE;
}

int dialog_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    const struct dialog_class *c = class_of(d->kind);
    if (c && c->argv)
        return c->argv(d, argv, title, titlen);
    title[0] = '\0';
    argv[0] = NULL;
    return 0;
}

const char *dialog_run_node(const struct dialog *d)
{
    const struct dialog_class *c = class_of(d->kind);
    return c && c->of_cluster ? "" : d->node;
}

bool dialog_adds_nodes(const struct dialog *d)
{
    const struct dialog_class *c = class_of(d->kind);
    return c && c->adds_nodes;
}
