/* theme: what each colour role looks like, read from a text file of `role = fg,bg,attrs` lines.
 *
 *   # comment
 *   lag_warn = yellow,default,bold
 *   selected = 0,14,bold+underline      (numbers are terminal colour indexes 0-255)
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME (or
 * brightNAME), colorN / N. Attributes: none, bold, dim, underline, reverse, italic, joined
 * with + or |. bg and attrs may be left out. A role a file does not mention keeps the default
 * theme's style. Plain C, no terminal: the terminal module turns styles into curses pairs. */
#ifndef REPLTOP_THEME_H
#define REPLTOP_THEME_H

#include "panels/roles.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COLOR_DEFAULT (-1)

struct style {
    int16_t fg, bg; /* 0-255, COLOR_DEFAULT for the terminal's own */
    uint8_t attrs;  /* ATTR_* */
};

struct theme {
    char name[64];       /* "dark", or the file name without .theme */
    char path[PATH_MAX]; /* the file it came from, "" for the built-in default */
    bool no_color;       /* colours are dropped (NO_COLOR), attributes kept */
    struct style role[CR_COUNT];
};

/* The built-in default theme (the defaults of ROLES in roles.h). */
void theme_defaults(struct theme *t);
/* Parses theme text over t (roles it names replace t's). On the first bad line returns false
 * with "FILE:LINE: what is wrong" in err; t is then left as it was. */
bool theme_parse(struct theme *t, const char *text, const char *file, char *err, size_t errlen);
/* Reads a theme file over the defaults. */
bool theme_load_file(struct theme *t, const char *path, char *err, size_t errlen);
/* Finds NAME.theme in $XDG_CONFIG_HOME/repltop/themes (~/.config/...), REPLTOP_DATADIR/themes,
 * ./themes, then the themes/ directory beside the program; a name with a '/' or ending in
 * ".theme" is a path. False if not found. */
bool theme_find(const char *name, char *path, size_t n);
/* Finds and loads a theme by name or path. "default" or NULL without a file gives the built-in
 * theme. On failure t is the default theme and err says why (FILE:LINE for a bad file). */
bool theme_load(struct theme *t, const char *name, char *err, size_t errlen);

/* The themes `t` cycles through, in order; NULL-terminated. */
extern const char *const theme_builtin_names[];
/* The name after `name` in theme_builtin_names (wrapping; the first for unknown names). */
const char *theme_next_name(const char *name);

/* Parses one colour or an attribute list; exposed for tests. */
bool theme_parse_color(const char *s, int16_t *out);
bool theme_parse_attrs(const char *s, uint8_t *out);

#endif
