/* dialog_class: what the dialogs share — the box, lines, the confirmation field, the progress
 * bar, the text fields. */
#include "dialog_class.h"
#include "view.h"
#include "model/base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DLG_W     96 /* the widest a dialog gets */
#define DLG_LINES 96 /* body lines a dialog may write (more are dropped) */

/* ---- drawing ---- */

static int box_width(const struct grid *g)
{
    return g->w - 4 < DLG_W ? g->w - 4 : DLG_W;
}

int dlg_inner_width(const struct grid *g)
{
    return box_width(g) - 4;
}

void dlg_out_init(struct dlg_out *o, int w, bool utf8)
{
    o->g = grid_new(w > 1 ? w : 1, DLG_LINES, utf8);
    grid_clear(o->g, CR_HELP);
    o->y = 0;
}

void dlg_out_free(struct dlg_out *o)
{
    grid_free(o->g);
    o->g = NULL;
}

void dlg_line(struct dlg_out *o, enum role role, unsigned attrs, const char *fmt, ...)
{
    if (o->y >= o->g->h)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    grid_text_clip(o->g, 0, o->y++, o->g->w, role, attrs, buf);
}

void dlg_wrap(struct dlg_out *o, int max, enum role role, unsigned attrs, const char *fmt, ...)
{
    if (o->y >= o->g->h)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (max > o->g->h - o->y)
        max = o->g->h - o->y;
    o->y += grid_wrap(o->g, 0, o->y, o->g->w, role, attrs, buf, max);
}

void dlg_blank(struct dlg_out *o)
{
    if (o->y < o->g->h)
        o->y++;
}

void dlg_kv(struct dlg_out *o, int lw, const char *label, enum role role, const char *fmt, ...)
{
    if (o->y >= o->g->h)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    grid_text_clip(o->g, 0, o->y, lw - 1, CR_DIM, 0, label);
    o->y += grid_wrap(o->g, lw, o->y, o->g->w - lw, role, 0, buf, 3);
}

void dlg_frame(struct grid *g, const char *title, enum role border, const struct dlg_out *body,
               const struct dlg_out *foot)
{
    int w = box_width(g);
    int nfoot = foot ? foot->y : 0;
    int want = 2 + body->y + (nfoot ? nfoot + 1 : 0);
    int room = g->h - 3; /* leave the header's first line, the last border and the key bar */
    int h = want < room ? want : room;
    /* low on the screen, so the header and the node table stay in view when there is room */
    struct rect box = {(g->w - w) / 2, g->h - 2 - h, w, h};
    if (box.y < 1)
        box.y = 1;
    grid_fill(g, box, CR_HELP);
    grid_box(g, box, border, title, CR_TITLE);
    struct rect in = {box.x + 2, box.y + 1, box.w - 4, box.h - 2};
    int body_h = in.h - (nfoot ? nfoot + 1 : 0);
    if (body_h < 0)
        body_h = 0;
    grid_blit(g, (struct rect){in.x, in.y, in.w, body_h}, body->g, 0);
    if (body->y > body_h && body_h > 0)
        grid_text_right(g, box.x + 1, box.y + box.h - 1, box.w - 3, CR_DIM, 0,
                        " more: enlarge the terminal ");
    if (nfoot) {
        int fy = in.y + in.h - nfoot;
        grid_hline(g, in.x, fy - 1, in.w, CR_BORDER);
        grid_blit(g, (struct rect){in.x, fy, in.w, nfoot}, foot->g, 0);
    }
}

const char *dlg_expected(const struct dialog *d)
{
    return d->cls && d->cls->of_cluster ? "yes" : d->node;
}

void dlg_field(struct dlg_out *o, const struct dialog *d)
{
    if (o->y >= o->g->h)
        return;
    const char *want = dlg_expected(d);
    bool match = strcmp(d->typed, want) == 0;
    int x = grid_textf(o->g, 0, o->y, o->g->w, CR_HELP, 0, "Type %s to confirm: ", want);
    int fw = text_width(want, o->g->utf8) + 2;
    if (fw < 16)
        fw = 16;
    if (x + fw > o->g->w)
        fw = o->g->w - x;
    grid_paint(o->g, (struct rect){x, o->y, fw, 1}, CR_HELP, ATTR_UNDERLINE);
    int n = grid_text_clip(o->g, x, o->y, fw - 1, match ? CR_OK : CR_KEY, ATTR_UNDERLINE, d->typed);
    grid_paint(o->g, (struct rect){x + n, o->y, 1, 1}, CR_HELP, ATTR_REVERSE); /* the cursor */
    o->y++;
}

void run_progress_text(const struct run_state *run, double now, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!run || run->total_kb <= 0)
        return;
    long long done = run->done_kb > run->total_kb ? run->total_kb : run->done_kb;
    int pct = (int)(done * 100 / run->total_kb);
    char d[32], t[32], eta[32] = "";
    format_bytes(done * 1024, d, sizeof d);
    format_bytes(run->total_kb * 1024, t, sizeof t);
    double elapsed = now - run->rate_t0;
    if (done >= run->total_kb) {
        str_copy(eta, sizeof eta, "  copied");
    } else if (run->active && elapsed >= 1 && done > run->rate_kb0) {
        double rate = (double)(done - run->rate_kb0) / elapsed;
        char left[24];
        fmt_duration((double)(run->total_kb - done) / rate, left, sizeof left);
        str_printf(eta, sizeof eta, "  ETA %s", left);
    }
    str_printf(buf, n, "%d%%  %s of %s%s", pct, d, t, eta);
}

void dlg_progress(struct dlg_out *o, const struct run_state *run, double now)
{
    if (!run || run->total_kb <= 0 || o->y >= o->g->h)
        return;
    char text[128];
    run_progress_text(run, now, text, sizeof text);
    int bw = o->g->w - text_width(text, o->g->utf8) - 3;
    if (bw > 40)
        bw = 40;
    int x = 0;
    if (bw >= 10) {
        long long done = run->done_kb > run->total_kb ? run->total_kb : run->done_kb;
        int fill = (int)(done * (bw - 2) / run->total_kb);
        bool u = o->g->utf8;
        grid_text(o->g, 0, o->y, 1, CR_HELP, 0, "[");
        for (int i = 0; i < bw - 2; i++)
            grid_text(o->g, 1 + i, o->y, 1, i < fill ? CR_OK : CR_DIM, 0,
                      i < fill ? (u ? "█" : "#") : (u ? "░" : "."));
        grid_text(o->g, bw - 1, o->y, 1, CR_HELP, 0, "]");
        x = bw + 1;
    }
    grid_text_clip(o->g, x, o->y, o->g->w - x, CR_HELP, 0, text);
    o->y++;
}

bool text_field_append(char *buf, size_t n, int key)
{
    char enc[4];
    int k = 0;
    if (key >= ' ' && key < 127) {
        enc[k++] = (char)key;
    } else if (key >= K_CHAR + 0x80 && key <= K_CHAR + 0x10FFFF) {
        unsigned cp = (unsigned)(key - K_CHAR);
        if (cp < 0x800) {
            enc[k++] = (char)(0xC0 | cp >> 6);
        } else if (cp < 0x10000) {
            enc[k++] = (char)(0xE0 | cp >> 12);
            enc[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
        } else {
            enc[k++] = (char)(0xF0 | cp >> 18);
            enc[k++] = (char)(0x80 | (cp >> 12 & 0x3F));
            enc[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
        }
        enc[k++] = (char)(0x80 | (cp & 0x3F));
    } else {
        return false;
    }
    size_t len = strlen(buf);
    if (len + (size_t)k + 1 > n)
        return false;
    memcpy(buf + len, enc, (size_t)k);
    buf[len + (size_t)k] = '\0';
    return true;
}

void text_field_backspace(char *buf)
{
    size_t len = strlen(buf);
    while (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0x80)
        len--; /* continuation bytes of the last character */
    if (len > 0)
        len--;
    buf[len] = '\0';
}

unsigned text_field_key(char *buf, size_t n, int key, bool takes)
{
    if (key == K_BACKSPACE || key == K_DEL || key == K_BS)
        text_field_backspace(buf);
    else if (key == K_CTRL_U)
        buf[0] = '\0';
    else if (takes)
        text_field_append(buf, n, key);
    else
        return INTENT_NONE;
    return INTENT_REDRAW;
}

unsigned dlg_field_key(struct dialog *d, int key)
{
    /* a node name may have spaces */
    return text_field_key(d->typed, sizeof d->typed, key,
                          (key >= ' ' && key < 127) || key >= K_CHAR);
}

unsigned dlg_confirm(struct dialog *d, const char *no)
{
    if (no)
        str_copy(d->note, sizeof d->note, no);
    else if (strcmp(d->typed, dlg_expected(d)) != 0)
        str_printf(d->note, sizeof d->note, "type %s exactly to confirm", dlg_expected(d));
    else
        return INTENT_RUN;
    return INTENT_REDRAW;
}

void dlg_confirm_lines(struct dlg_out *foot, const struct dialog *d, const char *no, int max)
{
    if (!no)
        dlg_field(foot, d);
    if (d->note[0])
        dlg_wrap(foot, max, CR_WARNING, 0, "%s", d->note);
    else if (no)
        dlg_wrap(foot, max, CR_WARNING, 0, "%s", no);
}

unsigned dlg_node_key(struct dialog *d, int key, const char *no)
{
    if (key == K_ESC) {
        dialog_close(d);
        return INTENT_REDRAW;
    }
    if (key == K_ENTER)
        return dlg_confirm(d, no);
    return dlg_field_key(d, key) | INTENT_REDRAW;
}

int dlg_node_argv(const char *verb, const struct dialog *d, const char **argv, char *title,
                  size_t titlen)
{
    int n = 0;
    argv[n++] = verb;
    argv[n++] = "--confirmed=dashboard";
    argv[n++] = "--";
    argv[n++] = d->node;
    argv[n] = NULL;
    str_printf(title, titlen, "%s %s", verb, d->node);
    return n;
}

void dialog_close(struct dialog *d)
{
    d->cls = NULL;
    d->confirming = false;
    d->typed[0] = '\0';
    d->note[0] = '\0';
}
