/* local_actions: the dialogs of the actions that work on a node's data directory on this host
 * — resync (`r`, pg_basebackup) and rejoin (`J`, pg_rewind); the new replica (`a`) has its
 * own form (new_replica.c). Each shows what will happen and asks for the node's name; without
 * a datadir in the config it says what is missing. */
#include "dialog_class.h"
#include "view.h"
#include "model/base/util.h"

#include <string.h>

#define LW 15

extern const struct dialog_class rejoin_dialog;

/* Resync and rejoin share this file's functions: which one is open. */
static bool is_rejoin(const struct dialog *d)
{
    return d->cls == &rejoin_dialog;
}

static const struct dlg_local *local_of(const struct dialog *d, const char *name)
{
    for (int i = 0; i < d->ctx.nlocal; i++)
        if (strcmp(d->ctx.local[i].name, name) == 0)
            return &d->ctx.local[i];
    return NULL;
}

static const struct node_snap *primary_of(const struct snapshot *s)
{
    return s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
}

/* Why Enter cannot run the action, or NULL. */
static const char *refusal(const struct dialog *d, const struct snapshot *s, char *buf, size_t n)
{
    const struct dlg_local *l = local_of(d, d->node);
    const struct node_snap *ns = s ? snapshot_find(s, d->node) : NULL;
    const struct node_snap *p = primary_of(s);
    if (!d->ctx.can_run) {
        str_copy(buf, n, "actions need the cluster's config file: start repltop with -c FILE");
        return buf;
    }
    if (!l || !l->datadir[0]) {
        str_printf(buf, n,
                   "%s has no datadir in the config: its data directory must be on this "
                   "host, or on one reached with ssh or docker ([node %s] datadir = ..., ssh "
                   "= ... or docker = ...)",
                   d->node, d->node);
        return buf;
    }
    if (!is_rejoin(d) && !l->filled) {
        str_printf(buf, n, "%s does not exist yet (or is empty): a builds it as a new replica",
                   l->datadir);
        return buf;
    }
    if (ns && p == ns) {
        str_printf(buf, n, "%s is the current primary: %s", d->node,
                   is_rejoin(d) ? "rejoin brings an old primary back as a standby"
                                : "resync rebuilds standbys only");
        return buf;
    }
    if (!is_rejoin(d) && !p) {
        str_copy(buf, n, "no single primary answers: there is nothing to clone from");
        return buf;
    }
    return NULL;
}

static void node_line(struct dlg_out *o, const struct snapshot *s, const char *name)
{
    const struct node_snap *n = s ? snapshot_find(s, name) : NULL;
    if (!n) {
        dlg_kv(o, LW, name, CR_HELP, "not polled by this dashboard yet");
        return;
    }
    if (n->reach != REACH_OK) {
        dlg_kv(o, LW, name, CR_DOWN, "%s (%s)", n->state[0] ? n->state : "down",
               n->error[0] ? n->error : reach_name(n->reach));
        return;
    }
    char tl[16];
    fmt_int(n->timeline > 0 ? n->timeline : NUM_UNKNOWN, o->g->utf8, tl, sizeof tl);
    dlg_kv(o, LW, name, n->role == ROLE_PRIMARY ? CR_PRIMARY : CR_STANDBY,
           "%s, %s, timeline %s%s%s%s", role_name(n->role), n->state[0] ? n->state : "?", tl,
           n->sync_state[0] ? ", " : "", n->sync_state, n->needs_rewind ? ", NEEDS REWIND" : "");
}

/* Which host the action works on: this one, the one ssh reaches, or a container. */
static void host_line(struct dlg_out *o, const struct dlg_local *l)
{
    if (l && strncmp(l->via, "ssh ", 4) == 0)
        dlg_kv(o, LW, "host", CR_HELP, "%s (over ssh, as that login)", l->via + 4);
    else if (l && strncmp(l->via, "docker ", 7) == 0)
        dlg_kv(o, LW, "host", CR_HELP,
               "container %s (docker stop/start; steps in it, or beside it with its volumes)",
               l->via + 7);
    else if (l && l->datadir[0])
        dlg_kv(o, LW, "host", CR_HELP, "this host");
}

static void resync_body(struct dlg_out *o, const struct dialog *d, const struct snapshot *s)
{
    const struct dlg_local *l = local_of(d, d->node);
    const struct node_snap *ns = s ? snapshot_find(s, d->node) : NULL;
    const struct node_snap *p = primary_of(s);
    node_line(o, s, d->node);
    host_line(o, l);
    if (l && l->datadir[0])
        dlg_kv(o, LW, "data directory", l->filled ? CR_HELP : CR_WARNING, "%s%s", l->datadir,
               l->filled ? "" : " (does not exist yet or is empty)");
    else
        dlg_kv(o, LW, "data directory", CR_WARNING,
               "not in the config: resync only rebuilds nodes whose data directory is on this "
               "host");
    dlg_kv(o, LW, "from", p ? CR_PRIMARY : CR_WARNING, "%s",
           p ? p->name : "no single primary answers");
    dlg_kv(o, LW, "steps", CR_HELP,
           "stop %s, move its data directory aside (kept, never deleted), pg_basebackup -X "
           "stream -R from %s, start it, wait until it streams",
           d->node, p ? p->name : "the primary");
    dlg_kv(o, LW, "a full copy", CR_WARNING,
           "every database of %s is copied (its first step says how much, and checks the "
           "free space)",
           p ? p->name : "the primary");
    if (ns && ns->reach == REACH_OK &&
        (strcmp(ns->sync_state, "sync") == 0 || strcmp(ns->sync_state, "quorum") == 0))
        dlg_kv(o, LW, "note", CR_WARNING,
               "%s is a synchronous standby: while it is rebuilt, commits wait for another "
               "listed standby, or hang if there is none",
               d->node);
}

static void rejoin_body(struct dlg_out *o, const struct dialog *d, const struct snapshot *s)
{
    const struct dlg_local *l = local_of(d, d->node);
    const struct node_snap *p = primary_of(s);
    node_line(o, s, d->node);
    host_line(o, l);
    if (l && l->datadir[0])
        dlg_kv(o, LW, "data directory", CR_HELP, "%s", l->datadir);
    else
        dlg_kv(o, LW, "data directory", CR_WARNING,
               "not in the config: rejoin runs pg_rewind on a data directory on this host");
    dlg_kv(o, LW, "follows", p ? CR_PRIMARY : CR_WARNING, "%s",
           p ? p->name : "the current primary (none answers now)");
    const struct node_snap *ns = s ? snapshot_find(s, d->node) : NULL;
    if (ns && p && ns != p && ns->reach == REACH_OK && ns->role == ROLE_STANDBY &&
        !ns->needs_rewind && strcmp(ns->upstream, p->name) == 0 &&
        strcmp(ns->state, "streaming") == 0)
        dlg_kv(o, LW, "note", CR_WARNING,
               "%s already streams from %s: rejoin is for an old primary, or a standby that "
               "needs a rewind",
               d->node, p->name);
    dlg_kv(o, LW, "steps", CR_HELP,
           "stop %s, pg_rewind from %s, standby.signal and primary_conninfo, start it, wait "
           "until it streams",
           d->node, p ? p->name : "the primary");
    dlg_kv(o, LW, "no full copy", CR_HELP,
           "if the rewind fails or is impossible it stops and says why; a full copy is then "
           "your choice: r (resync)");
}

static void localdlg_render(const struct dialog *d, const struct snapshot *s,
                            const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    struct dlg_out body, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&body, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    const char *verb = is_rejoin(d) ? "Rejoin" : "Resync";
    if (is_rejoin(d))
        rejoin_body(&body, d, s);
    else
        resync_body(&body, d, s);
    char why[512];
    const char *no = refusal(d, s, why, sizeof why);
    dlg_confirm_lines(&foot, d, no, 2);
    if (no)
        dlg_line(&foot, CR_DIM, 0, "Esc close");
    else
        dlg_line(&foot, CR_DIM, 0, "Enter %s   Esc cancel", is_rejoin(d) ? "rejoin" : "resync");
    char title[NAME_LEN + 32];
    str_printf(title, sizeof title, "%s %s", verb, d->node);
    dlg_frame(g, title, CR_FOCUS, &body, &foot);
    dlg_out_free(&body);
    dlg_out_free(&foot);
}

static unsigned localdlg_key(struct dialog *d, const struct snapshot *s,
                             const struct run_state *run, int key)
{
    (void)run;
    char why[512];
    return dlg_node_key(d, key, key == K_ENTER ? refusal(d, s, why, sizeof why) : NULL);
}

/* `repltop VERB --confirmed=dashboard -- NODE`. */
static int localdlg_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    return dlg_node_argv(is_rejoin(d) ? "rejoin" : "resync", d, argv, title, titlen);
}

const struct dialog_class resync_dialog = {
    .name = "resync",
    .cmd = CMD_RESYNC,
    .render = localdlg_render,
    .key = localdlg_key,
    .argv = localdlg_argv,
};

const struct dialog_class rejoin_dialog = {
    .name = "rejoin",
    .cmd = CMD_REJOIN,
    .render = localdlg_render,
    .key = localdlg_key,
    .argv = localdlg_argv,
};
