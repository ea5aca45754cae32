/* new_replica: the form of `a` — a new standby on this host, or on the host of a configured
 * node that is not built yet (its [node] ssh: typing its name brings its port and directory,
 * and the form names the host). The operator gives its name, port
 * and data directory, starting from what the loop proposes (a configured node that is not
 * built yet; else the next name of the family, the next free port, a directory beside the
 * others); the dialog shows the lines the config file will get, made by the same functions as
 * `repltop resync NAME --new --port P --datadir DIR` uses to write them, and asks for the name
 * to confirm. What needs the disk or the network (the port free on this host, the directory
 * empty, the login) the command checks: it refuses with the reason, shown in the running
 * dialog, before it changes anything. */
#include "new_replica.h"
#include "view.h"
#include "model/config/config.h"
#include "model/pg/conninfo.h"
#include "model/base/util.h"

#include <stdlib.h>
#include <string.h>

#define LW 15 /* label column */

static const struct dlg_local *local_of(const struct dialog *d, const char *name)
{
    for (int i = 0; i < d->ctx.nlocal; i++)
        if (strcmp(d->ctx.local[i].name, name) == 0)
            return &d->ctx.local[i];
    return NULL;
}

/* The primary's entry of the config: what the new node is cloned from and how it is watched. */
static const struct dlg_local *primary_of(const struct dialog *d, const struct snapshot *s)
{
    const struct node_snap *p = s && s->primary[0] ? snapshot_find(s, s->primary) : NULL;
    return p && p->reach == REACH_OK ? local_of(d, p->name) : NULL;
}

static int form_port(const struct dialog *d)
{
    char *end;
    long p = strtol(d->add.port, &end, 10);
    return d->add.port[0] && !*end && p >= 1 && p <= 65535 ? (int)p : -1;
}

/* The directory as the command writes it: without trailing slashes. */
static void form_dir(const struct dialog *d, char *out, size_t n)
{
    str_copy(out, n, d->add.dir);
    for (size_t len = strlen(out); len > 1 && out[len - 1] == '/'; len--)
        out[len - 1] = '\0';
}

/* The command's choice: the primary's bindir, else another node's, else none. */
static const char *bindir_for(const struct dialog *d, const struct dlg_local *p)
{
    if (p && p->bindir[0])
        return p->bindir;
    for (int i = 0; i < d->ctx.nlocal; i++)
        if (d->ctx.local[i].bindir[0])
            return d->ctx.local[i].bindir;
    return NULL;
}

const char *add_refusal(const struct dialog *d, const struct snapshot *s, char *buf, size_t n)
{
    const struct dlg_local *p = primary_of(d, s);
    int port = form_port(d);
    char dir[sizeof d->add.dir];
    form_dir(d, dir, sizeof dir);
    if (!d->ctx.can_run)
        str_copy(buf, n, "actions need the cluster's config file: start repltop with -c FILE");
    else if (!p)
        str_copy(buf, n, "no single primary answers: there is nothing to clone from");
    else if (!d->node[0])
        str_copy(buf, n, "type the new node's name");
    else if (port < 0)
        str_copy(buf, n, "the port must be a number from 1 to 65535");
    else if (dir[0] != '/')
        str_copy(buf, n, "the directory must be an absolute path");
    else
        buf[0] = '\0';
    if (buf[0])
        return buf;
    const struct dlg_local *l = local_of(d, d->node);
    if (l && (l->filled || !l->datadir[0] || l->port != port || strcmp(l->datadir, dir) != 0)) {
        str_printf(buf, n, "%s is in the config already%s: choose another name", d->node,
                   l->filled ? " and has its data directory" : " with other settings");
        return buf;
    }
    if (l)
        return NULL; /* configured, not built yet: the command builds it as it is */
    for (int i = 0; i < d->ctx.nlocal; i++) {
        const struct dlg_local *o = &d->ctx.local[i];
        if (o->port == port) {
            str_printf(buf, n, "port %d is the port of %s", port, o->name);
            return buf;
        }
        if (strcmp(o->datadir, dir) == 0) {
            str_printf(buf, n, "%s is the data directory of %s", dir, o->name);
            return buf;
        }
    }
    char *ci = conninfo_for_node(p->conninfo, NULL, port);
    if (!ci) {
        str_printf(buf, n,
                   "%s's conninfo names several hosts: give the new one's on the command line "
                   "(repltop resync %s --new --host H ...)",
                   p->name, d->node);
        return buf;
    }
    bool ok = config_check_entry(d->node, ci, dir, port, bindir_for(d, p), buf, n);
    free(ci);
    return ok ? NULL : buf;
}

char *add_config_text(const struct dialog *d, const struct snapshot *s)
{
    char why[400];
    if (add_refusal(d, s, why, sizeof why))
        return NULL;
    if (local_of(d, d->node))
        return xstrdup("");
    const struct dlg_local *p = primary_of(d, s);
    char dir[sizeof d->add.dir];
    form_dir(d, dir, sizeof dir);
    char *ci = conninfo_for_node(p->conninfo, NULL, form_port(d));
    char *text = config_node_text(d->node, ci, dir, form_port(d), bindir_for(d, p));
    free(ci);
    return text;
}

/* One text field: its label, the value in an underlined box (its end when it does not fit)
 * and, when it has the keys, the cursor. */
static void form_field(struct dlg_out *o, const char *label, int lw, const char *value, int fw,
                       bool active)
{
    if (o->y >= o->g->h)
        return;
    int x = grid_text_clip(o->g, 0, o->y, lw, active ? CR_KEY : CR_DIM, 0, label);
    x = x + 1 > lw ? x + 1 : lw;
    if (fw > o->g->w - x)
        fw = o->g->w - x;
    if (fw < 2) {
        o->y++;
        return;
    }
    size_t len = strlen(value); /* the fields take ASCII only */
    const char *shown = len > (size_t)fw - 1 ? value + len - (size_t)(fw - 1) : value;
    grid_paint(o->g, (struct rect){x, o->y, fw, 1}, CR_HELP, ATTR_UNDERLINE);
    int n = grid_text(o->g, x, o->y, fw - 1, active ? CR_KEY : CR_HELP, ATTR_UNDERLINE, shown);
    if (active)
        grid_paint(o->g, (struct rect){x + n, o->y, 1, 1}, CR_HELP, ATTR_REVERSE);
    o->y++;
}

/* Which host the new node is made on: a configured node's (over ssh), else this one. */
static const char *host_of(const struct dialog *d, char *buf, size_t n)
{
    const struct dlg_local *l = local_of(d, d->node);
    if (l && strncmp(l->via, "ssh ", 4) == 0)
        str_printf(buf, n, "%s (over ssh, as that login)", l->via + 4);
    else
        str_copy(buf, n, "this host");
    return buf;
}

static void body(struct dlg_out *o, const struct dialog *d, const struct snapshot *s)
{
    const struct dlg_local *p = primary_of(d, s);
    const char *conf = d->ctx.config[0] ? d->ctx.config : "the config file";
    char host[300];
    host_of(d, host, sizeof host);
    dlg_wrap(o, 2, CR_HELP, 0, "A new standby of %s, cloned with pg_basebackup and watched here.",
             p ? p->name : "the primary");
    dlg_kv(o, LW, "host", CR_HELP, "%s", host);
    char *text = add_config_text(d, s);
    if (text && !text[0]) {
        dlg_kv(o, LW, "config", CR_HELP,
               "%s is in %s already, not built yet: it is built as "
               "configured, nothing is added",
               d->node, conf);
    } else if (text) {
        dlg_wrap(o, 2, CR_DIM, 0, "%s gets (no password: logins work as for %s):", conf,
                 p ? p->name : "the primary");
        /* the lines as they will be, long ones wrapped and indented */
        for (const char *t = text; *t && o->y < o->g->h;) {
            size_t len = strcspn(t, "\n");
            char line[1024];
            str_printf(line, sizeof line, "%.*s", (int)len, t);
            if (len)
                o->y += grid_wrap(o->g, 2, o->y, o->g->w - 2, CR_KEY, 0, line, 3);
            else
                dlg_blank(o);
            t += len + (t[len] == '\n');
        }
    } else {
        dlg_kv(o, LW, "config", CR_DIM, "shown once the fields below are valid");
    }
    free(text);
    dlg_kv(o, LW, "then", CR_HELP,
           "repltop resync %s --new: pg_basebackup from %s, its own port, cluster_name and "
           "application_name %s, start it, wait until it streams",
           d->node[0] ? d->node : "NAME", p ? p->name : "the primary",
           d->node[0] ? d->node : "NAME");
}

static void add_render(const struct dialog *d, const struct snapshot *s,
                       const struct run_state *run, double now, struct grid *g)
{
    (void)run;
    (void)now;
    struct dlg_out b, foot;
    int w = dlg_inner_width(g);
    dlg_out_init(&b, w, g->utf8);
    dlg_out_init(&foot, w, g->utf8);
    body(&b, d, s);
    const struct add_form *f = &d->add;
    form_field(&foot, "name", LW, d->node, NAME_LEN, f->field == ADD_NAME);
    form_field(&foot, "port", LW, f->port, 8, f->field == ADD_PORT);
    form_field(&foot, "directory", LW, f->dir, 64, f->field == ADD_DIR);
    char label[NAME_LEN + 32];
    str_printf(label, sizeof label, "Type %s to confirm:", d->node[0] ? d->node : "the name");
    int lw = text_width(label, g->utf8) + 1;
    form_field(&foot, label, lw > LW ? lw : LW, d->typed, NAME_LEN, f->field == ADD_CONFIRM);
    char why[400];
    const char *no = add_refusal(d, s, why, sizeof why);
    if (d->note[0])
        dlg_line(&foot, CR_WARNING, 0, "%s", d->note);
    else if (no)
        dlg_wrap(&foot, 2, CR_WARNING, 0, "%s", no);
    dlg_line(&foot, CR_DIM, 0, "Tab %s field   Enter %s   Esc cancel", glyph_up_down(g->utf8),
             f->field == ADD_CONFIRM ? "build it" : "next");
    char title[NAME_LEN + 32];
    str_printf(title, sizeof title, "New replica%s%s", d->node[0] ? " " : "", d->node);
    dlg_frame(g, title, CR_FOCUS, &b, &foot);
    dlg_out_free(&b);
    dlg_out_free(&foot);
}

/* What a field takes: names and ports no blank, ports digits only. */
static bool takes(enum add_field f, int key)
{
    if (f == ADD_PORT)
        return key >= '0' && key <= '9';
    if (f == ADD_DIR)
        return (key >= ' ' && key < 127) || key >= K_CHAR;
    return (key > ' ' && key < 127) || key >= K_CHAR;
}

/* The directory follows the name until the operator types one; the name of a configured node
 * that is not built yet (on this host or another) brings its port and directory. */
static void follow_name(struct dialog *d)
{
    const struct dlg_local *l = local_of(d, d->node);
    if (l && !l->filled && l->datadir[0] && l->port > 0) {
        str_printf(d->add.port, sizeof d->add.port, "%d", l->port);
        str_copy(d->add.dir, sizeof d->add.dir, l->datadir);
        d->add.dir_edited = false;
    } else if (!d->add.dir_edited && d->ctx.add_dir_of[0]) {
        str_printf(d->add.dir, sizeof d->add.dir, "%s/%s", d->ctx.add_dir_of, d->node);
    }
}

static void add_open(struct dialog *d, const struct snapshot *s)
{
    (void)s;
    memset(&d->add, 0, sizeof d->add);
    str_copy(d->node, sizeof d->node, d->ctx.add_name);
    if (d->ctx.add_port > 0)
        str_printf(d->add.port, sizeof d->add.port, "%d", d->ctx.add_port);
    str_copy(d->add.dir, sizeof d->add.dir, d->ctx.add_dir);
    char follows[sizeof d->add.dir];
    str_printf(follows, sizeof follows, "%s/%s", d->ctx.add_dir_of, d->node);
    d->add.dir_edited = !d->ctx.add_dir_of[0] || strcmp(follows, d->add.dir) != 0;
    d->add.field = ADD_NAME;
}

static unsigned add_key(struct dialog *d, const struct snapshot *s, const struct run_state *run,
                        int key)
{
    (void)run;
    struct add_form *f = &d->add;
    switch (key) {
    case K_ESC:
        dialog_close(d);
        return INTENT_REDRAW;
    case K_TAB:
    case K_DOWN:
        f->field = (f->field + 1) % ADD_NFIELDS;
        return INTENT_REDRAW;
    case K_BTAB:
    case K_UP:
        f->field = (f->field + ADD_NFIELDS - 1) % ADD_NFIELDS;
        return INTENT_REDRAW;
    case K_ENTER: {
        if (f->field != ADD_CONFIRM) {
            f->field++;
            return INTENT_REDRAW;
        }
        char why[400];
        return dlg_confirm(d, add_refusal(d, s, why, sizeof why));
    }
    default:
        break;
    }
    unsigned in = INTENT_NONE;
    switch (f->field) {
    case ADD_NAME:
        in = text_field_key(d->node, sizeof d->node, key, takes(ADD_NAME, key));
        follow_name(d);
        break;
    case ADD_PORT:
        in = text_field_key(f->port, sizeof f->port, key, takes(ADD_PORT, key));
        break;
    case ADD_DIR:
        in = text_field_key(f->dir, sizeof f->dir, key, takes(ADD_DIR, key));
        f->dir_edited |= in != INTENT_NONE;
        break;
    default:
        in = text_field_key(d->typed, sizeof d->typed, key, takes(ADD_CONFIRM, key));
        break;
    }
    return in | INTENT_REDRAW;
}

static int add_argv(const struct dialog *d, const char **argv, char *title, size_t titlen)
{
    int n = 0;
    argv[n++] = "resync";
    argv[n++] = "--new";
    argv[n++] = "--port";
    argv[n++] = d->add.port;
    argv[n++] = "--datadir";
    argv[n++] = d->add.dir;
    argv[n++] = "--confirmed=dashboard"; /* typed there: the audit log says so */
    argv[n++] = "--";
    argv[n++] = d->node;
    argv[n] = NULL;
    str_printf(title, titlen, "new replica %s", d->node);
    return n;
}

const struct dialog_class new_replica_dialog = {
    .name = "new replica",
    .cmd = CMD_ADD,
    .open = add_open,
    .render = add_render,
    .key = add_key,
    .argv = add_argv,
    .adds_nodes = true,
};
