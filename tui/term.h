/* term: the terminal — the only file of repltop that includes curses.
 *
 * Opens a wide-character ncursesw screen (after setlocale, so UTF-8 line drawing works when the
 * locale is UTF-8), turns a theme into colour pairs, copies a grid to the screen touching only
 * the cells that changed, and turns curses keys into the K_* codes of panels/keys.h. term_close
 * (also run at exit) gives the terminal back as it was. */
#ifndef REPLTOP_TERM_H
#define REPLTOP_TERM_H

#include "panels/grid.h"
#include "tui/theme.h"

#include <stdbool.h>
#include <stddef.h>

struct term;

/* NULL with the reason in err when stdin/stdout is not a terminal or curses cannot start. */
struct term *term_open(char *err, size_t errlen);
void term_close(struct term *t);
/* Whether the locale's character set is UTF-8 (REPLTOP_ASCII=1 forces ASCII). */
bool term_utf8(const struct term *t);
/* The file descriptor keys arrive on, for poll(). */
int term_fd(const struct term *t);
void term_size(const struct term *t, int *cols, int *rows);
/* Asks the tty for its size and resizes curses (after SIGWINCH). */
void term_resize(struct term *t);
void term_apply_theme(struct term *t, const struct theme *th);
/* Copies the grid to the screen, writing only cells that differ from what is shown. Returns
 * how many cells were written. */
int term_draw(struct term *t, const struct grid *g);
/* The next draw rewrites every cell (Ctrl-L, a new theme). */
void term_invalidate(struct term *t);
/* on: Ctrl-C (and Ctrl-Z, Ctrl-\) arrive as keys instead of raising signals. While an
 * operator action runs its child is in our process group, and a terminal's SIGINT would stop
 * it halfway. off: back to the usual signals. */
void term_catch_ctrl_c(struct term *t, bool on);
/* The next key (K_* or a character), K_NONE when none is waiting. Never blocks. */
int term_key(struct term *t);

#endif
