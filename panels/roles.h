/* roles: the colour roles of the screen, declared once.
 *
 * ROLES(X) is the only list: it makes the enum (CR_NORMAL...), the keys of theme files
 * ("normal = fg,bg,attrs") and the built-in default theme, whose text themes/default.theme
 * repeats. Panels colour cells by role; only the theme decides what a role looks like. */
#ifndef REPLTOP_ROLES_H
#define REPLTOP_ROLES_H

/* X(ID, key, "fg,bg,attrs" of the default theme) */
#define ROLES(X)                                                                                   \
    X(NORMAL, "normal", "default,default")                                                         \
    X(HEADER, "header", "default,default,bold")                                                    \
    X(TITLE, "title", "cyan,default,bold")                                                         \
    X(BORDER, "border", "blue,default")                                                            \
    X(FOCUS, "focus", "cyan,default,bold")                                                         \
    X(DIM, "dim", "default,default,dim")                                                           \
    X(SELECTED, "selected", "black,cyan")                                                          \
    X(KEY, "key", "default,default,bold")                                                          \
    X(KEYBAR, "keybar", "black,cyan")                                                              \
    X(MESSAGE, "message", "black,yellow")                                                          \
    X(PRIMARY, "primary", "magenta,default,bold")                                                  \
    X(STANDBY, "standby", "cyan,default")                                                          \
    X(OK, "ok", "green,default,bold")                                                              \
    X(WARNING, "warning", "yellow,default,bold")                                                   \
    X(CRITICAL, "critical", "red,default,bold")                                                    \
    X(DOWN, "down", "red,default,bold")                                                            \
    X(LAG_OK, "lag_ok", "green,default")                                                           \
    X(LAG_WARN, "lag_warn", "yellow,default,bold")                                                 \
    X(LAG_CRIT, "lag_crit", "red,default,bold")                                                    \
    X(SPARK, "spark", "cyan,default")                                                              \
    X(CANDIDATE, "candidate", "yellow,default,bold")                                               \
    X(HELP, "help", "default,default")

enum role {
#define CR_ENUM(id, key, def) CR_##id,
    ROLES(CR_ENUM)
#undef CR_ENUM
        CR_COUNT
};

/* Cell attributes, added to what the theme gives the role. */
enum {
    ATTR_BOLD = 1 << 0,
    ATTR_DIM = 1 << 1,
    ATTR_UNDERLINE = 1 << 2,
    ATTR_REVERSE = 1 << 3,
    ATTR_ITALIC = 1 << 4,
};

/* The theme-file key of a role ("lag_warn"), and the role of a key (-1 when none). */
const char *role_key(enum role r);
int role_from_key(const char *key);
/* The default theme's "fg,bg,attrs" for a role. */
const char *role_default(enum role r);

#endif
