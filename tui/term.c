/* term: ncursesw behind a small interface; see term.h. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "term.h"
#include "model/base/util.h"
#include "panels/keys.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct term {
    SCREEN *screen;
    bool utf8;
    bool utf8_keys; /* the locale is UTF-8: characters above ASCII can be typed */
    bool full;
    struct grid *shown; /* what the screen holds now */
    attr_t attr[CR_COUNT];
    short pair[CR_COUNT];
};

static struct term *open_term; /* for the exit handler */

static void restore_at_exit(void)
{
    if (open_term)
        endwin();
}

struct term *term_open(char *err, size_t errlen)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        str_copy(err, errlen, "the dashboard needs a terminal (try `repltop status`)");
        return NULL;
    }
    setlocale(LC_ALL, "");
    const char *ascii = getenv("REPLTOP_ASCII");
    bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 && !(ascii && *ascii && *ascii != '0');
    SCREEN *sc = newterm(NULL, stdout, stdin);
    if (!sc) {
        const char *tn = getenv("TERM");
        str_printf(err, errlen, "cannot use the terminal (TERM=%s)", tn ? tn : "unset");
        return NULL;
    }
    set_term(sc);
    struct term *t = xcalloc(1, sizeof *t);
    t->screen = sc;
    t->utf8 = utf8;
    t->utf8_keys = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    t->full = true;
    t->shown = grid_new(0, 0, utf8);
    cbreak(); /* Ctrl-C still raises SIGINT, which the loop turns into "quit" */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    leaveok(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    open_term = t;
    static bool registered;
    if (!registered) {
        atexit(restore_at_exit);
        registered = true;
    }
    return t;
}

void term_close(struct term *t)
{
    if (!t)
        return;
    endwin();
    delscreen(t->screen);
    open_term = NULL;
    grid_free(t->shown);
    free(t);
}

void term_catch_ctrl_c(struct term *t, bool on)
{
    (void)t;
    if (on) {
        raw();
    } else {
        noraw();
        cbreak();
    }
}

bool term_utf8(const struct term *t)
{
    return t->utf8;
}

int term_fd(const struct term *t)
{
    (void)t;
    return STDIN_FILENO;
}

void term_size(const struct term *t, int *cols, int *rows)
{
    (void)t;
    *cols = COLS;
    *rows = LINES;
}

void term_resize(struct term *t)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
        resize_term(ws.ws_row, ws.ws_col);
    /* what the terminal shows after a resize is anyone's guess (it may have reflowed the
     * old screen): clear it and paint every cell */
    clearok(curscr, TRUE);
    t->full = true;
}

static attr_t curses_attrs(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & ATTR_BOLD)
        r |= A_BOLD;
    if (a & ATTR_DIM)
        r |= A_DIM;
    if (a & ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & ATTR_REVERSE)
        r |= A_REVERSE;
#ifdef A_ITALIC
    if (a & ATTR_ITALIC)
        r |= A_ITALIC;
#endif
    return r;
}

/* A theme colour on this terminal: bright colours become bold basic ones on 8-colour
 * terminals, and colours it does not have fall back to the terminal's default. */
static short map_color(int c, bool *bold)
{
    if (c < 0)
        return -1;
    if (c < COLORS)
        return (short)c;
    if (c >= 8 && c < 16) {
        *bold = true;
        return (short)(c - 8);
    }
    return -1;
}

void term_apply_theme(struct term *t, const struct theme *th)
{
    bool color = has_colors() && !th->no_color && COLOR_PAIRS > CR_COUNT;
    for (int i = 0; i < CR_COUNT; i++) {
        const struct style *s = &th->role[i];
        attr_t a = curses_attrs(s->attrs);
        t->pair[i] = 0;
        if (color) {
            bool bold = false, unused = false;
            short fg = map_color(s->fg, &bold), bg = map_color(s->bg, &unused);
            init_pair((short)(i + 1), fg, bg);
            t->pair[i] = (short)(i + 1);
            if (bold)
                a |= A_BOLD;
        }
        t->attr[i] = a;
    }
    t->full = true;
}

void term_invalidate(struct term *t)
{
    t->full = true;
    clearok(curscr, TRUE);
}

int term_draw(struct term *t, const struct grid *g)
{
    int written = 0;
    if (t->shown->w != g->w || t->shown->h != g->h) {
        grid_resize(t->shown, g->w, g->h);
        t->full = true;
    }
    int cols = g->w < COLS ? g->w : COLS;
    for (int y = 0; y < g->h && y < LINES; y++) {
        const struct cell *row = grid_at(g, 0, y);
        struct cell *shown = (struct cell *)grid_at(t->shown, 0, y);
        /* cells are canonical (grid.c): an unchanged row is one memcmp */
        if (!t->full && memcmp(row, shown, (size_t)cols * sizeof *row) == 0)
            continue;
        for (int x = 0; x < cols; x++) {
            const struct cell *c = &row[x];
            struct cell *old = &shown[x];
            if (!t->full && memcmp(c, old, sizeof *c) == 0)
                continue;
            *old = *c;
            if (c->width == 0)
                continue; /* the right half of a wide character drawn at x - 1 */
            int role = c->role < CR_COUNT ? c->role : CR_NORMAL;
            attr_set(t->attr[role] | curses_attrs(c->attrs), t->pair[role], NULL);
            mvaddstr(y, x, c->ch[0] ? c->ch : " ");
            written++;
        }
    }
    t->full = false;
    wnoutrefresh(stdscr);
    doupdate();
    return written;
}

int term_key(struct term *t)
{
    wint_t ch;
    int r = get_wch(&ch);
    if (r == ERR)
        return K_NONE;
    if (r == KEY_CODE_YES) {
        switch (ch) {
        case KEY_UP:
            return K_UP;
        case KEY_DOWN:
            return K_DOWN;
        case KEY_LEFT:
            return K_LEFT;
        case KEY_RIGHT:
            return K_RIGHT;
        case KEY_PPAGE:
            return K_PGUP;
        case KEY_NPAGE:
            return K_PGDN;
        case KEY_HOME:
            return K_HOME;
        case KEY_END:
            return K_END;
        case KEY_BTAB:
            return K_BTAB;
        case KEY_ENTER:
            return K_ENTER;
        case KEY_BACKSPACE:
            return K_BACKSPACE;
        case KEY_RESIZE:
            return K_RESIZE_EV;
        default:
            if (ch >= KEY_F(1) && ch <= KEY_F(10))
                return K_F1 + (int)(ch - KEY_F(1));
            return K_IGNORED;
        }
    }
    if (ch == '\r' || ch == '\n')
        return K_ENTER;
    if (ch < 128)
        return (int)ch;
    if (t->utf8_keys && ch <= 0x10FFFF && (ch < 0xD800 || ch > 0xDFFF))
        return K_CHAR + (int)ch;
    return K_IGNORED;
}
