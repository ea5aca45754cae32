/* keys: the one table of what each key does (htop's keys[ch] = command). The loop dispatches
 * with it, and the help overlay and the function-key bar are generated from it, so the three
 * never disagree. Plain data: no curses — tui/term translates terminal keys into K_* codes.
 *
 * `j`/`k` keep their vi meaning (down/up); rejoin, which the design put on `j`, is `J`. The
 * operator actions p, s, r, a, J, S (switchover) open a dialog (panels/dialog.h); inside a dialog
 * keys are the dialog's own (a name is typed there), listed at its bottom. */
#ifndef REPLTOP_KEYS_H
#define REPLTOP_KEYS_H

#include <stdbool.h>

/* Keys that are not characters; characters are their own code (ASCII). */
enum {
    K_IGNORED = -2, /* a key repltop does not use */
    K_NONE = -1,    /* no key waiting */
    K_CTRL_C = 3,
    K_CTRL_F = 6,
    K_BS = 8, /* Ctrl-H */
    K_TAB = 9,
    K_CTRL_L = 12,
    K_CTRL_T = 20,
    K_CTRL_U = 21,
    K_ESC = 27,
    K_DEL = 127, /* what most terminals send for Backspace */
    K_ENTER = 0x100,
    K_UP,
    K_DOWN,
    K_LEFT,
    K_RIGHT,
    K_PGUP,
    K_PGDN,
    K_HOME,
    K_END,
    K_BTAB,
    K_F1,
    K_F2,
    K_F3,
    K_F4,
    K_F5,
    K_F6,
    K_F7,
    K_F8,
    K_F9,
    K_F10,
    K_BACKSPACE, /* curses' KEY_BACKSPACE */
    K_RESIZE_EV, /* the terminal changed size */
    K_CODE_MAX,
    /* K_CHAR + a Unicode code point above ASCII, typed in a UTF-8 locale (a node name) */
    K_CHAR = 0x200000
};

/* The key commands, enum key_cmd (not to be confused with struct action, an operator action
 * that runs: model/ops/action.h). X(ID, name, help text, an operator action: opens a dialog) */
#define KEY_CMDS(X)                                                                                \
    X(NONE, "", "", false)                                                                         \
    X(UP, "up", "select the node above; scroll up in other panels", false)                         \
    X(DOWN, "down", "select the node below; scroll down in other panels", false)                   \
    X(PAGE_UP, "page up", "a page up", false)                                                      \
    X(PAGE_DOWN, "page down", "a page down", false)                                                \
    X(HOME, "first", "first node (replay: first snapshot)", false)                                 \
    X(END, "last", "last node (replay: last snapshot)", false)                                     \
    X(STEP_BACK, "step back", "replay: previous snapshot", false)                                  \
    X(STEP_FWD, "step forward", "replay: next snapshot", false)                                    \
    X(NEXT_EVENT, "next event", "replay: the next snapshot whose problems change", false)          \
    X(PREV_EVENT, "previous event", "replay: the previous snapshot whose problems change", false)  \
    X(NEXT_PANEL, "panel", "focus the next panel (nodes, detail, problems)", false)                \
    X(PREV_PANEL, "previous panel", "focus the previous panel", false)                             \
    X(DETAIL, "detail", "show or hide the detail panel", false)                                    \
    X(EXPORT, "export", "the snapshot (fleet: all) as JSON to ./repltop-*.json", false)            \
    X(THEME, "theme", "next colour theme", false)                                                  \
    X(SLOWER, "interval+", "longer refresh interval (replay: slower)", false)                      \
    X(FASTER, "interval-", "shorter refresh interval (replay: faster)", false)                     \
    X(PAUSE, "pause", "pause or resume refreshing (replay: playback)", false)                      \
    X(HELP, "help", "this help; any key closes it", false)                                         \
    X(REDRAW, "redraw", "repaint the whole screen", false)                                         \
    X(QUIT, "quit", "leave repltop", false)                                                        \
    X(PROMOTE, "promote", "promote the selected standby", true)                                    \
    X(SYNC, "sync list", "edit the synchronous standby list", true)                                \
    X(RESYNC, "resync", "rebuild the selected standby (pg_basebackup)", true)                      \
    X(ADD, "add replica", "build a new replica from the config (pg_basebackup)", true)             \
    X(REJOIN, "rejoin", "the selected old primary back as a standby", true)                        \
    X(SWITCHOVER, "switchover", "planned: the selected standby becomes the primary", true)         \
    X(FILTER, "filter", "fleet screen: only the clusters whose name holds it", false)              \
    X(FLEET, "fleet", "back to the fleet screen (several clusters)", false)

enum key_cmd {
#define CMD_ENUM(id, name, help, op) CMD_##id,
    KEY_CMDS(CMD_ENUM)
#undef CMD_ENUM
        CMD_COUNT
};

struct binding {
    int key;
    enum key_cmd cmd;
};

/* Every binding, in the order the help lists them. */
extern const struct binding key_bindings[];
extern const int key_nbindings;

/* One item of the function-key bar. */
struct bar_item {
    const char *keys; /* the key as shown ("?", "Tab", "+-") */
    enum key_cmd cmd;
    const char *label;
    int prio;  /* when the bar is too narrow, items with the highest number go first */
    int where; /* BAR_* */
};
enum {
    BAR_ALL = 0,     /* every screen */
    BAR_CLUSTER = 1, /* a cluster's dashboard */
    BAR_FLEET = 2,   /* the fleet screen */
    BAR_IN_FLEET = 3 /* a cluster's dashboard opened from the fleet screen */
};
extern const struct bar_item key_bar[];
extern const int key_nbar;

/* One line of the help overlay: one command, or two that go together ("up / down"); text NULL
 * means the command's own help. */
struct help_line {
    enum key_cmd cmd[2];
    const char *text;
};
extern const struct help_line key_help[];
extern const int key_nhelp;

/* The command of a key (CMD_NONE when unbound). */
enum key_cmd keys_cmd(int key);
const char *cmd_name(enum key_cmd a);
const char *cmd_help(enum key_cmd a);
/* Whether the command is an operator action (opens a dialog, runs a command). */
bool cmd_operator(enum key_cmd a);
/* A key as shown to the user: "k", "↑" ("Up"), "Tab", "Space", "F10", "Ctrl-L". */
const char *key_label(int key, bool utf8);
/* All keys of a command, joined with spaces ("↑ k"), into buf. */
void cmd_keys(enum key_cmd a, bool utf8, char *buf, int n);

#endif
