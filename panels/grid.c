/* grid: cells, UTF-8 decoding with display widths, and the small drawing helpers. */
#include "grid.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ---- */

static int utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

struct range {
    uint32_t lo, hi;
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return true;
    return false;
}

/* Display width of a code point: 0 (combining), 1, or 2 (East Asian wide, emoji). A fixed
 * table rather than wcwidth(), so tests do not depend on the locale. */
static int cp_width(uint32_t cp)
{
    static const struct range zero[] = {{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd},
                                        {0x0610, 0x061a}, {0x064b, 0x065f}, {0x200b, 0x200f},
                                        {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}};
    static const struct range wide[] = {{0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},
                                        {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
                                        {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe30, 0xfe4f},
                                        {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
                                        {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd}};
    if (cp < 0x300)
        return 1;
    if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
}

/* What a code point kept by text_unit becomes on screen in this mode. */
static uint32_t cp_shown(uint32_t cp, bool utf8)
{
    if (!utf8 && cp >= 0x80)
        return '?';
    return cp;
}

/* The next unit of s as the characters it is drawn with: a code point (*n = 1), or the
 * characters of its escape (text.h: "\x1b" is 4 characters of width 1). Returns its bytes. */
static size_t next_shown(const char *s, bool utf8, uint32_t out[TEXT_ESC_MAX], int *n)
{
    if (*s >= 0x20 && *s < 0x7f) { /* printable ASCII, most of what is drawn: as it is */
        out[0] = (unsigned char)*s;
        *n = 1;
        return 1;
    }
    uint32_t cp;
    char esc[TEXT_ESC_MAX];
    size_t len = text_unit(s, &cp, esc);
    if (!esc[0]) {
        out[0] = cp_shown(cp, utf8);
        *n = 1;
        return len;
    }
    for (*n = 0; esc[*n]; (*n)++)
        out[*n] = (unsigned char)esc[*n];
    return len;
}

int text_width(const char *s, bool utf8)
{
    int w = 0, n;
    uint32_t cps[TEXT_ESC_MAX];
    while (s && *s >= 0x20 && *s < 0x7f) { /* printable ASCII: one column each */
        w++;
        s++;
    }
    while (s && *s) {
        s += next_shown(s, utf8, cps, &n);
        for (int i = 0; i < n; i++)
            w += cp_width(cps[i]);
    }
    return w;
}

/* ---- the grid ---- */

/* Cells are kept canonical — every byte after the character's NUL is zero — so that a row
 * compares with one memcmp (term_draw) and a cell is written with one struct store. */
static void blank(struct cell *c, enum role r)
{
    *c = (struct cell){.ch = {' '}, .role = (uint8_t)r, .width = 1};
}

/* n copies of c from dst: the filled part is copied onto the rest, doubling each time (a
 * screen is 10 000 cells; one store each cost more than the panels' drawing). */
static void cells_set(struct cell *dst, int n, struct cell c)
{
    if (n <= 0)
        return;
    dst[0] = c;
    for (int done = 1; done < n;) {
        int k = done < n - done ? done : n - done;
        memcpy(dst + done, dst, (size_t)k * sizeof *dst);
        done += k;
    }
}

struct grid *grid_new(int w, int h, bool utf8)
{
    struct grid *g = xcalloc(1, sizeof *g);
    g->utf8 = utf8;
    grid_resize(g, w, h);
    return g;
}

void grid_window(struct grid *win, struct grid *g, struct rect r, int y0)
{
    memset(win, 0, sizeof *win);
    win->utf8 = g ? g->utf8 : false;
    win->y0 = y0;
    if (!g || r.x < 0 || r.y < 0 || r.w <= 0 || r.h <= 0 || r.x + r.w > g->w || r.y + r.h > g->h) {
        win->w = r.w > 0 ? r.w : 0; /* measures only */
        return;
    }
    win->w = r.w;
    win->h = r.h;
    win->stride = g->stride;
    win->cells = &g->cells[r.y * g->stride + r.x];
}

void grid_free(struct grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g);
}

void grid_resize(struct grid *g, int w, int h)
{
    g->w = w > 0 ? w : 0;
    g->h = h > 0 ? h : 0;
    g->stride = g->w;
    free(g->cells);
    size_t ncells = (size_t)g->w * (size_t)g->h;
    g->cells = xmalloc((ncells ? ncells : 1) * sizeof *g->cells);
    grid_clear(g, CR_NORMAL);
}

void grid_clear(struct grid *g, enum role r)
{
    struct cell c;
    blank(&c, r);
    cells_set(g->cells, g->w * g->h, c);
}

const struct cell *grid_at(const struct grid *g, int x, int y)
{
    y -= g->y0;
    if (x < 0 || y < 0 || x >= g->w || y >= g->h)
        return NULL;
    return &g->cells[y * g->stride + x];
}

static struct cell *cell_at(struct grid *g, int x, int y)
{
    return (struct cell *)grid_at(g, x, y);
}

bool cell_equal(const struct cell *a, const struct cell *b)
{
    return a->role == b->role && a->attrs == b->attrs && a->width == b->width &&
           strcmp(a->ch, b->ch) == 0;
}

/* One character as a canonical cell (see blank). */
static struct cell make_cell(const char *ch, int w, enum role role, unsigned attrs)
{
    struct cell n = {.role = (uint8_t)role, .attrs = (uint8_t)attrs, .width = (uint8_t)w};
    if (ch[0] && !ch[1])
        n.ch[0] = ch[0]; /* the usual ASCII character, without a string copy */
    else
        memcpy(n.ch, ch, strnlen(ch, CELL_BYTES - 1));
    return n;
}

/* Puts one character of width w (1 or 2) at x,y, repairing wide characters it cuts. */
static void put(struct grid *g, int x, int y, const char *ch, int w, enum role role, unsigned attrs)
{
    struct cell *c = cell_at(g, x, y);
    if (!c || (w == 2 && x + 1 >= g->w))
        return;
    if (c->width == 0 && x > 0) /* overwriting the right half of a wide character */
        blank(c - 1, (enum role)c[-1].role);
    if (c->width == 2 && w == 1 && x + 1 < g->w) /* and its left half */
        blank(c + 1, (enum role)c[1].role);
    if (w == 2 && x + 2 < g->w && c[1].width == 2)
        blank(c + 2, (enum role)c[2].role);
    *c = make_cell(ch, w, role, attrs);
    if (w == 2)
        c[1] = (struct cell){.role = (uint8_t)role, .attrs = (uint8_t)attrs};
}

/* w cells of one character of width 1 from x,y. Only the first and the last can cut a wide
 * character outside the run: those go through put, the inner ones are stored as they are. */
static void fill_row(struct grid *g, int x, int y, int w, const char *ch, enum role role)
{
    int x0 = x < 0 ? 0 : x, x1 = x + w > g->w ? g->w : x + w;
    struct cell *row = cell_at(g, 0, y);
    if (!row || x0 >= x1)
        return;
    put(g, x0, y, ch, 1, role, 0);
    if (x1 - 1 > x0)
        put(g, x1 - 1, y, ch, 1, role, 0); /* before the inner ones: its repair may blank one */
    cells_set(row + x0 + 1, x1 - x0 - 2, make_cell(ch, 1, role, 0));
}

void grid_fill(struct grid *g, struct rect r, enum role role)
{
    for (int y = r.y; y < r.y + r.h; y++)
        fill_row(g, r.x, y, r.w, " ", role);
}

void grid_paint(struct grid *g, struct rect r, enum role role, unsigned attrs)
{
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            struct cell *c = cell_at(g, x, y);
            if (c) {
                c->role = (uint8_t)role;
                c->attrs = (uint8_t)attrs;
            }
        }
    }
}

int grid_text(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs, const char *s)
{
    int col = 0, n;
    struct cell *last = NULL;
    uint32_t cps[TEXT_ESC_MAX];
    if (y < g->y0 || y >= g->y0 + g->h)
        return 0;
    while (s && *s) {
        if (*s >= 0x20 && *s < 0x7f && (unsigned char)s[1] < 0x80) {
            /* printable ASCII not followed by a combining mark: one cell, no decoding */
            if (col + 1 > maxw || x + col + 1 > g->w)
                return col;
            if (x + col >= 0) {
                char ch[2] = {*s, '\0'};
                put(g, x + col, y, ch, 1, role, attrs);
                last = cell_at(g, x + col, y);
            }
            col++;
            s++;
            continue;
        }
        s += next_shown(s, g->utf8, cps, &n);
        for (int i = 0; i < n; i++) {
            int w = cp_width(cps[i]);
            char buf[5] = "";
            buf[utf8_put(cps[i], buf)] = '\0';
            if (w == 0) { /* a combining mark joins the character before it */
                if (last && strlen(last->ch) + strlen(buf) < sizeof last->ch)
                    strcat(last->ch, buf);
                continue;
            }
            if (col + w > maxw || x + col + w > g->w)
                return col;
            if (x + col >= 0) {
                put(g, x + col, y, buf, w, role, attrs);
                last = cell_at(g, x + col, y);
            }
            col += w;
        }
    }
    return col;
}

int grid_text_clip(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs,
                   const char *s)
{
    if (maxw <= 0)
        return 0;
    if (text_width(s, g->utf8) <= maxw)
        return grid_text(g, x, y, maxw, role, attrs, s);
    int n = grid_text(g, x, y, maxw - 1, role, attrs, s);
    return n + grid_text(g, x + n, y, 1, role, attrs, glyph_ellipsis(g->utf8));
}

void grid_text_right(struct grid *g, int x, int y, int w, enum role role, unsigned attrs,
                     const char *s)
{
    int tw = text_width(s, g->utf8);
    if (tw <= w)
        grid_text(g, x + w - tw, y, w, role, attrs, s);
    else
        grid_text_clip(g, x, y, w, role, attrs, s);
}

int grid_textf(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs,
               const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return grid_text(g, x, y, maxw, role, attrs, buf);
}

int grid_wrap(struct grid *g, int x, int y, int w, enum role role, unsigned attrs, const char *text,
              int max_lines)
{
    int lines = 0;
    const char *p = text;
    while (*p && lines < max_lines) {
        while (*p == ' ')
            p++;
        /* find the longest prefix that fits, ending at a blank when possible */
        const char *end = p, *cut = NULL;
        int cols = 0;
        while (*end) {
            int len = 1;
            while ((end[len] & 0xc0) == 0x80)
                len++;
            char ch[8] = "";
            memcpy(ch, end, (size_t)len < sizeof ch - 1 ? (size_t)len : sizeof ch - 1);
            int cw = text_width(ch, g->utf8);
            if (cols + cw > w)
                break;
            cols += cw;
            end += len;
            if (*end == ' ')
                cut = end;
        }
        if (*end && cut && lines + 1 < max_lines)
            end = cut;
        char buf[1024];
        size_t n = (size_t)(end - p) < sizeof buf - 1 ? (size_t)(end - p) : sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (lines + 1 == max_lines && *end)
            grid_text_clip(g, x, y + lines, w, role, attrs, p);
        else
            grid_text(g, x, y + lines, w, role, attrs, buf);
        lines++;
        p = end;
    }
    return lines ? lines : 1;
}

void grid_hline(struct grid *g, int x, int y, int w, enum role role)
{
    fill_row(g, x, y, w, g->utf8 ? "─" : "-", role);
}

void grid_box(struct grid *g, struct rect r, enum role border, const char *title,
              enum role title_role)
{
    if (r.w < 2 || r.h < 2)
        return;
    bool u = g->utf8;
    int x2 = r.x + r.w - 1, y2 = r.y + r.h - 1;
    grid_hline(g, r.x + 1, r.y, r.w - 2, border);
    grid_hline(g, r.x + 1, y2, r.w - 2, border);
    for (int y = r.y + 1; y < y2; y++) {
        put(g, r.x, y, u ? "│" : "|", 1, border, 0);
        put(g, x2, y, u ? "│" : "|", 1, border, 0);
    }
    put(g, r.x, r.y, u ? "┌" : "+", 1, border, 0);
    put(g, x2, r.y, u ? "┐" : "+", 1, border, 0);
    put(g, r.x, y2, u ? "└" : "+", 1, border, 0);
    put(g, x2, y2, u ? "┘" : "+", 1, border, 0);
    if (title && *title && r.w > 6) {
        int n = grid_text(g, r.x + 2, r.y, 1, title_role, 0, " ");
        n += grid_text_clip(g, r.x + 2 + n, r.y, r.w - 6, title_role, 0, title);
        grid_text(g, r.x + 2 + n, r.y, 1, title_role, 0, " ");
    }
}

void grid_spark(struct grid *g, int x, int y, int w, const double *v, int n, double max,
                enum role role)
{
    static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii[] = "._-=+*#@";
    if (w <= 0)
        return;
    if (max <= 0)
        for (int i = 0; i < n; i++)
            if (!isnan(v[i]) && v[i] > max)
                max = v[i];
    int first = n > w ? n - w : 0;
    int x0 = x + w - (n - first);
    for (int i = first; i < n; i++) {
        int cx = x0 + i - first;
        if (isnan(v[i])) {
            put(g, cx, y, " ", 1, role, 0);
            continue;
        }
        int level = max > 0 && v[i] > 0 ? (int)(v[i] / max * 8) : 0;
        if (level > 7)
            level = 7;
        if (level < 0)
            level = 0;
        char a[2] = {ascii[level], '\0'};
        put(g, cx, y, g->utf8 ? bars[level] : a, 1, role, 0);
    }
}

void grid_blit(struct grid *dst, struct rect r, const struct grid *src, int sy)
{
    /* columns x0 .. x1 - 1 of the rectangle are on dst; n of them from src */
    int x0 = r.x < 0 ? -r.x : 0, x1 = r.x + r.w > dst->w ? dst->w - r.x : r.w;
    for (int y = 0; y < r.h && x0 < x1; y++) {
        struct cell *d = cell_at(dst, r.x + x0, r.y + y);
        if (!d)
            continue;
        const struct cell *s = grid_at(src, x0, sy + y);
        int n = !s ? 0 : (x1 < src->w ? x1 : src->w) - x0;
        if (n > 0)
            memcpy(d, s, (size_t)n * sizeof *d);
        for (int x = n > 0 ? n : 0; x < x1 - x0; x++)
            blank(&d[x], CR_NORMAL);
        /* a wide character cut by either edge */
        if (n > 0 && d[0].width == 0)
            blank(&d[0], (enum role)d[0].role);
        if (n >= x1 - x0 && d[x1 - x0 - 1].width == 2)
            blank(&d[x1 - x0 - 1], (enum role)d[x1 - x0 - 1].role);
    }
}

char *grid_to_text(const struct grid *g)
{
    size_t cap = (size_t)g->h * ((size_t)g->w * CELL_BYTES + 1) + 1, len = 0;
    char *out = xmalloc(cap);
    for (int y = 0; y < g->h; y++) {
        size_t keep = len;
        for (int x = 0; x < g->w; x++) {
            const struct cell *c = &g->cells[y * g->stride + x];
            size_t n = strlen(c->ch);
            memcpy(out + len, c->ch, n);
            len += n;
            if (n && strcmp(c->ch, " ") != 0)
                keep = len;
        }
        len = keep;
        out[len++] = '\n';
    }
    out[len] = '\0';
    return out;
}

const char *glyph_dash(bool utf8)
{
    return utf8 ? "–" : "-";
}

const char *glyph_star(bool utf8)
{
    return utf8 ? "★" : "*";
}

const char *glyph_ellipsis(bool utf8)
{
    return utf8 ? "…" : "~";
}

const char *glyph_up_down(bool utf8)
{
    return utf8 ? "↑↓" : "Up/Dn";
}

const char *glyph_enter(bool utf8)
{
    return utf8 ? "⏎" : "Enter";
}

const char *glyph_arrow(bool utf8)
{
    return utf8 ? "→" : "->";
}

const char *glyph_pointer(bool utf8)
{
    return utf8 ? "▶" : ">";
}

const char *glyph_times(bool utf8)
{
    return utf8 ? "×" : "x";
}
