/* grid: an off-screen screen of cells — one character (a UTF-8 cluster), a colour role and
 * attributes each — that panels draw into and tui/term copies to the terminal.
 *
 * It knows nothing of the tty, so tests render panels into a grid and read it back with
 * grid_to_text(). In ASCII mode (the locale is not UTF-8) every drawing helper falls back to
 * plain ASCII: '+', '-', '|' boxes, ".:-=+*#%@" sparklines, '?' for other characters. */
#ifndef REPLTOP_GRID_H
#define REPLTOP_GRID_H

#include "roles.h"

#include <stdbool.h>
#include <stdint.h>

#define CELL_BYTES 12 /* one code point of up to 4 bytes plus a few combining marks */

struct cell {
    char ch[CELL_BYTES]; /* UTF-8, NUL-terminated; "" for the right half of a wide character */
    uint8_t role;        /* enum role */
    uint8_t attrs;       /* ATTR_* */
    uint8_t width;       /* 1, 2 (a wide character), 0 (right half of one) */
};

struct grid {
    int w, h;
    int y0;     /* a window (grid_window) shows rows y0 .. y0 + h - 1 of taller content */
    int stride; /* cells from one row to the next: w, or the whole grid's for a window */
    bool utf8;
    struct cell *cells;
};

struct rect {
    int x, y, w, h;
};

struct grid *grid_new(int w, int h, bool utf8);
/* A scrolled panel's window into g: drawing into win at row y (the content's row numbers)
 * draws into rectangle r of g at row y - y0 when it falls inside r, and is dropped otherwise, at
 * almost no cost. A panel draws all its lines into it, to count them. win is not allocated
 * (never grid_free or grid_resize it). With g NULL, or r not inside g, nothing is drawn:
 * a window that only measures. */
void grid_window(struct grid *win, struct grid *g, struct rect r, int y0);
void grid_free(struct grid *g);
/* Resizes and clears. */
void grid_resize(struct grid *g, int w, int h);
void grid_clear(struct grid *g, enum role r);
const struct cell *grid_at(const struct grid *g, int x, int y);
bool cell_equal(const struct cell *a, const struct cell *b);

/* Fills a rectangle with blanks of a role. */
void grid_fill(struct grid *g, struct rect r, enum role role);
/* Changes role and attributes of the cells of a rectangle, keeping their characters. */
void grid_paint(struct grid *g, struct rect r, enum role role, unsigned attrs);

/* Writes UTF-8 text at x,y, at most maxw columns (clipped to the grid); returns the columns
 * written. Control characters and invalid UTF-8 show escaped (model/base/text.h, "\x1b"); a wide
 * character that does not fit is left out. */
int grid_text(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs,
              const char *s);
/* Like grid_text, but a text longer than maxw ends in "…" ("~" in ASCII). */
int grid_text_clip(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs,
                   const char *s);
/* Right-aligns text in a field of w columns (clipped at the left edge of the field). */
void grid_text_right(struct grid *g, int x, int y, int w, enum role role, unsigned attrs,
                     const char *s);
int grid_textf(struct grid *g, int x, int y, int maxw, enum role role, unsigned attrs,
               const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Writes text wrapped at blanks over at most max_lines lines of w columns (the last one cut
 * with an ellipsis when the text is longer); returns the lines used (at least 1). */
int grid_wrap(struct grid *g, int x, int y, int w, enum role role, unsigned attrs, const char *text,
              int max_lines);

/* A box around r with an optional title in its top border. */
void grid_box(struct grid *g, struct rect r, enum role border, const char *title,
              enum role title_role);
void grid_hline(struct grid *g, int x, int y, int w, enum role role);

/* A sparkline of n values (NAN: no sample, drawn blank) scaled to 0..max (max <= 0: the
 * largest value), right-aligned in w columns so the newest sample is at the right. */
void grid_spark(struct grid *g, int x, int y, int w, const double *v, int n, double max,
                enum role role);

/* Copies src's rows [sy, sy + dst_rect.h) into dst at dst_rect (for scrolling panels). */
void grid_blit(struct grid *dst, struct rect dst_rect, const struct grid *src, int sy);

/* The grid as text: one line per row, trailing blanks removed. Caller frees. */
char *grid_to_text(const struct grid *g);

/* Display columns of UTF-8 text in this grid's mode. */
int text_width(const char *s, bool utf8);

/* Common glyphs, UTF-8 or ASCII. */
const char *glyph_dash(bool utf8);     /* unknown value: "–" or "-" */
const char *glyph_star(bool utf8);     /* best failover candidate: "★" or "*" */
const char *glyph_ellipsis(bool utf8); /* "…" or "~" */
const char *glyph_up_down(bool utf8);  /* "↑↓" or "Up/Dn" */
const char *glyph_enter(bool utf8);    /* "⏎" or "Enter" */
const char *glyph_arrow(bool utf8);    /* "→" or "->" */
const char *glyph_pointer(bool utf8);  /* selection marker "▶" or ">" */
const char *glyph_times(bool utf8);    /* "×" or "x" */

#endif
