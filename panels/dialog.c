/* dialog: the list of dialog classes (panels/dialog.h), opening one by its key command, and
 * the calls through the open one's class. */
#include "dialog.h"
#include "view.h"
#include "model/base/util.h"

#include <string.h>

/* The list of panels/dialog.h's DIALOG_CLASSES. */
#define DIALOG_ADDRESS(cls) &cls,
static const struct dialog_class *const classes[] = {DIALOG_CLASSES(DIALOG_ADDRESS)};
#undef DIALOG_ADDRESS

bool dialog_open(struct dialog *d, enum key_cmd cmd, const struct snapshot *s, const char *node)
{
    const struct dialog_class *c = NULL;
    bool patroni = s && s->patroni; /* a Patroni class wins where Patroni's API is known */
    for (size_t i = 0; cmd != CMD_NONE && i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i]->cmd == cmd && (!c || (patroni && classes[i]->patroni)) &&
            (patroni || !classes[i]->patroni))
            c = classes[i];
    if (!c)
        return false;
    d->cls = c;
    str_copy(d->node, sizeof d->node, node);
    d->typed[0] = '\0';
    d->confirming = false;
    d->note[0] = '\0';
    d->force = false;
    d->spec[0] = '\0';
    if (c->open)
        c->open(d, s);
    return true;
}

void dialog_render(const struct dialog *d, const struct snapshot *s, const struct run_state *run,
                   double now, struct grid *g)
{
    if (d->cls && g->w >= MIN_COLS && g->h >= MIN_ROWS)
        d->cls->render(d, s, run, now, g);
}

unsigned dialog_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                    int key)
{
    d->note[0] = '\0';
    return d->cls ? d->cls->key(d, s, run, key) : INTENT_NONE;
}

int dialog_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    if (d->cls && d->cls->argv)
        return d->cls->argv(d, argv, title, titlen);
    title[0] = '\0';
    argv[0] = NULL;
    return 0;
}

const char *dialog_run_node(const struct dialog *d)
{
    return d->cls && d->cls->of_cluster ? "" : d->node;
}

bool dialog_adds_nodes(const struct dialog *d)
{
    return d->cls && d->cls->adds_nodes;
}
