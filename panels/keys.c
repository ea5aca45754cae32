/* keys: the binding table and what it says about itself. */
#include "keys.h"
#include "model/base/util.h"

#include <string.h>

const struct binding key_bindings[] = {
    {K_UP, ACT_UP},           {'k', ACT_UP},           {K_DOWN, ACT_DOWN},
    {'j', ACT_DOWN},          {K_PGUP, ACT_PAGE_UP},   {K_PGDN, ACT_PAGE_DOWN},
    {K_HOME, ACT_HOME},       {'g', ACT_HOME},         {K_END, ACT_END},
    {'G', ACT_END},           {K_LEFT, ACT_STEP_BACK}, {'h', ACT_STEP_BACK},
    {K_RIGHT, ACT_STEP_FWD},  {'l', ACT_STEP_FWD},     {K_TAB, ACT_NEXT_PANEL},
    {K_BTAB, ACT_PREV_PANEL}, {K_ENTER, ACT_DETAIL},   {'e', ACT_EXPORT},
    {'t', ACT_THEME},         {'+', ACT_SLOWER},       {'=', ACT_SLOWER},
    {'-', ACT_FASTER},        {' ', ACT_PAUSE},        {'?', ACT_HELP},
    {K_F1, ACT_HELP},         {K_CTRL_L, ACT_REDRAW},  {'q', ACT_QUIT},
    {K_F10, ACT_QUIT},        {'p', ACT_PROMOTE},      {'s', ACT_SYNC},
    {'r', ACT_RESYNC},        {'a', ACT_ADD},          {'J', ACT_REJOIN},
};
const int key_nbindings = (int)(sizeof key_bindings / sizeof key_bindings[0]);

const struct bar_item key_bar[] = {
    {"?", ACT_HELP, "Help", 0},          {"Enter", ACT_DETAIL, "Detail", 2},
    {"Tab", ACT_NEXT_PANEL, "Panel", 3}, {"e", ACT_EXPORT, "Export", 1},
    {"t", ACT_THEME, "Theme", 4},        {"+-", ACT_SLOWER, "Interval", 5},
    {"Space", ACT_PAUSE, "Pause", 2},    {"p", ACT_PROMOTE, "Promote", 3},
    {"s", ACT_SYNC, "Sync", 4},          {"r", ACT_RESYNC, "Resync", 6},
    {"J", ACT_REJOIN, "Rejoin", 7},      {"q", ACT_QUIT, "Quit", 0},
};
const int key_nbar = (int)(sizeof key_bar / sizeof key_bar[0]);

const struct help_line key_help[] = {
    {{ACT_UP, ACT_DOWN}, "select a node; scroll the focused panel"},
    {{ACT_PAGE_UP, ACT_PAGE_DOWN}, "a page up / down"},
    {{ACT_HOME, ACT_END}, "first / last node (replay: first / last snapshot)"},
    {{ACT_STEP_BACK, ACT_STEP_FWD}, "replay: previous / next snapshot"},
    {{ACT_NEXT_PANEL, ACT_PREV_PANEL}, "focus the next / previous panel"},
    {{ACT_DETAIL, ACT_NONE}, NULL},
    {{ACT_EXPORT, ACT_NONE}, NULL},
    {{ACT_THEME, ACT_NONE}, NULL},
    {{ACT_SLOWER, ACT_FASTER}, "slower / faster refresh (replay: playback)"},
    {{ACT_PAUSE, ACT_NONE}, NULL},
    {{ACT_HELP, ACT_NONE}, NULL},
    {{ACT_REDRAW, ACT_NONE}, NULL},
    {{ACT_QUIT, ACT_NONE}, NULL},
    {{ACT_PROMOTE, ACT_NONE}, NULL},
    {{ACT_SYNC, ACT_NONE}, NULL},
    {{ACT_RESYNC, ACT_NONE}, NULL},
    {{ACT_ADD, ACT_NONE}, NULL},
    {{ACT_REJOIN, ACT_NONE}, NULL},
};
const int key_nhelp = (int)(sizeof key_help / sizeof key_help[0]);

static const struct {
    const char *name, *help;
    bool op;
} actions[ACT_COUNT] = {
#define ACTION_INFO(id, name, help, op) [ACT_##id] = {name, help, op},
    ACTIONS(ACTION_INFO)
#undef ACTION_INFO
};

enum action keys_action(int key)
{
    /* a table indexed by key would be faster; thirty comparisons per key press are not */
    for (int i = 0; i < key_nbindings; i++)
        if (key_bindings[i].key == key)
            return key_bindings[i].act;
    if (key == '\n' || key == '\r')
        return ACT_DETAIL;
    return ACT_NONE;
}

const char *action_name(enum action a)
{
    return (unsigned)a < ACT_COUNT ? actions[a].name : "";
}

const char *action_help(enum action a)
{
    return (unsigned)a < ACT_COUNT ? actions[a].help : "";
}

bool action_operator(enum action a)
{
    return (unsigned)a < ACT_COUNT && actions[a].op;
}

const char *key_label(int key, bool utf8)
{
    static char buf[4];
    switch (key) {
    case K_UP:
        return utf8 ? "↑" : "Up";
    case K_DOWN:
        return utf8 ? "↓" : "Down";
    case K_LEFT:
        return utf8 ? "←" : "Left";
    case K_RIGHT:
        return utf8 ? "→" : "Right";
    case K_PGUP:
        return "PgUp";
    case K_PGDN:
        return "PgDn";
    case K_HOME:
        return "Home";
    case K_END:
        return "End";
    case K_TAB:
        return "Tab";
    case K_BTAB:
        return "S-Tab";
    case K_ENTER:
        return "Enter";
    case K_ESC:
        return "Esc";
    case K_CTRL_L:
        return "^L";
    case ' ':
        return "Space";
    case K_F1:
        return "F1";
    case K_F10:
        return "F10";
    default:
        if (key > ' ' && key < 127) {
            buf[0] = (char)key;
            buf[1] = '\0';
            return buf;
        }
        return "?";
    }
}

void action_keys(enum action a, bool utf8, char *buf, int n)
{
    int len = 0;
    buf[0] = '\0';
    for (int i = 0; i < key_nbindings && len < n; i++) {
        if (key_bindings[i].act != a)
            continue;
        str_printf(buf + len, (size_t)(n - len), "%s%s", len ? " " : "",
                   key_label(key_bindings[i].key, utf8));
        len += (int)strlen(buf + len);
    }
}
