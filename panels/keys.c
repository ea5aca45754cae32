/* keys: the binding table and what it says about itself. */
#include "keys.h"
#include "model/base/util.h"

#include <string.h>

const struct binding key_bindings[] = {
    {K_UP, CMD_UP},           {'k', CMD_UP},           {K_DOWN, CMD_DOWN},
    {'j', CMD_DOWN},          {K_PGUP, CMD_PAGE_UP},   {K_PGDN, CMD_PAGE_DOWN},
    {K_HOME, CMD_HOME},       {'g', CMD_HOME},         {K_END, CMD_END},
    {'G', CMD_END},           {K_LEFT, CMD_STEP_BACK}, {'h', CMD_STEP_BACK},
    {K_RIGHT, CMD_STEP_FWD},  {'l', CMD_STEP_FWD},     {K_TAB, CMD_NEXT_PANEL},
    {K_BTAB, CMD_PREV_PANEL}, {K_ENTER, CMD_DETAIL},   {'e', CMD_EXPORT},
    {'t', CMD_THEME},         {'+', CMD_SLOWER},       {'=', CMD_SLOWER},
    {'-', CMD_FASTER},        {' ', CMD_PAUSE},        {'?', CMD_HELP},
    {K_F1, CMD_HELP},         {K_CTRL_L, CMD_REDRAW},  {'q', CMD_QUIT},
    {K_F10, CMD_QUIT},        {'p', CMD_PROMOTE},      {'s', CMD_SYNC},
    {'r', CMD_RESYNC},        {'a', CMD_ADD},          {'J', CMD_REJOIN},
    {'S', CMD_SWITCHOVER},    {'n', CMD_NEXT_EVENT},   {'N', CMD_PREV_EVENT},
    {'/', CMD_FILTER},        {K_ESC, CMD_FLEET},
};
const int key_nbindings = (int)(sizeof key_bindings / sizeof key_bindings[0]);

const struct bar_item key_bar[] = {
    {"?", CMD_HELP, "Help", 0, BAR_ALL},
    {"Esc", CMD_FLEET, "Fleet", 0, BAR_IN_FLEET},
    {"Enter", CMD_DETAIL, "Detail", 2, BAR_CLUSTER},
    {"Enter", CMD_DETAIL, "Open", 0, BAR_FLEET},
    {"/", CMD_FILTER, "Filter", 0, BAR_FLEET},
    {"Tab", CMD_NEXT_PANEL, "Problems", 1, BAR_FLEET},
    {"e", CMD_EXPORT, "Export", 3, BAR_FLEET},
    {"Tab", CMD_NEXT_PANEL, "Panel", 3, BAR_CLUSTER},
    {"e", CMD_EXPORT, "Export", 1, BAR_CLUSTER},
    {"t", CMD_THEME, "Theme", 4, BAR_ALL},
    {"+-", CMD_SLOWER, "Interval", 5, BAR_ALL},
    {"Space", CMD_PAUSE, "Pause", 2, BAR_ALL},
    {"p", CMD_PROMOTE, "Promote", 3, BAR_CLUSTER},
    {"s", CMD_SYNC, "Sync", 4, BAR_CLUSTER},
    {"r", CMD_RESYNC, "Resync", 6, BAR_CLUSTER},
    {"J", CMD_REJOIN, "Rejoin", 8, BAR_CLUSTER},
    {"S", CMD_SWITCHOVER, "Switch", 7, BAR_CLUSTER},
    {"q", CMD_QUIT, "Quit", 0, BAR_ALL},
};
const int key_nbar = (int)(sizeof key_bar / sizeof key_bar[0]);

const struct help_line key_help[] = {
    {{CMD_UP, CMD_DOWN}, "select a node or cluster; scroll the focused panel"},
    {{CMD_PAGE_UP, CMD_PAGE_DOWN}, "a page up / down"},
    {{CMD_HOME, CMD_END}, "first / last node (replay: first / last snapshot)"},
    {{CMD_STEP_BACK, CMD_STEP_FWD}, "replay: previous / next snapshot"},
    {{CMD_NEXT_EVENT, CMD_PREV_EVENT}, "replay: next / previous change of the problems"},
    {{CMD_NEXT_PANEL, CMD_PREV_PANEL}, "next / previous panel (fleet: the problems)"},
    {{CMD_DETAIL, CMD_FLEET}, "detail on / off; fleet: open a cluster / back to it"},
    {{CMD_FILTER, CMD_NONE}, NULL},
    {{CMD_EXPORT, CMD_NONE}, NULL},
    {{CMD_THEME, CMD_NONE}, NULL},
    {{CMD_SLOWER, CMD_FASTER}, "slower / faster refresh (replay: playback)"},
    {{CMD_PAUSE, CMD_NONE}, NULL},
    {{CMD_HELP, CMD_REDRAW}, "this help, any key closes it / repaint the screen"},
    {{CMD_QUIT, CMD_NONE}, NULL},
    {{CMD_PROMOTE, CMD_NONE}, NULL},
    {{CMD_SYNC, CMD_NONE}, NULL},
    {{CMD_RESYNC, CMD_NONE}, NULL},
    {{CMD_ADD, CMD_NONE}, NULL},
    {{CMD_REJOIN, CMD_NONE}, NULL},
    {{CMD_SWITCHOVER, CMD_NONE}, NULL},
};
const int key_nhelp = (int)(sizeof key_help / sizeof key_help[0]);

static const struct {
    const char *name, *help;
    bool op;
} actions[CMD_COUNT] = {
#define CMD_INFO(id, name, help, op) [CMD_##id] = {name, help, op},
    KEY_CMDS(CMD_INFO)
#undef CMD_INFO
};

enum key_cmd keys_cmd(int key)
{
    /* a table indexed by key would be faster; thirty comparisons per key press are not */
    for (int i = 0; i < key_nbindings; i++)
        if (key_bindings[i].key == key)
            return key_bindings[i].cmd;
    if (key == '\n' || key == '\r')
        return CMD_DETAIL;
    return CMD_NONE;
}

const char *cmd_name(enum key_cmd a)
{
    return (unsigned)a < CMD_COUNT ? actions[a].name : "";
}

const char *cmd_help(enum key_cmd a)
{
    return (unsigned)a < CMD_COUNT ? actions[a].help : "";
}

bool cmd_operator(enum key_cmd a)
{
    return (unsigned)a < CMD_COUNT && actions[a].op;
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

void cmd_keys(enum key_cmd a, bool utf8, char *buf, int n)
{
    int len = 0;
    buf[0] = '\0';
    for (int i = 0; i < key_nbindings && len < n; i++) {
        if (key_bindings[i].cmd != a)
            continue;
        str_printf(buf + len, (size_t)(n - len), "%s%s", len ? " " : "",
                   key_label(key_bindings[i].key, utf8));
        len += (int)strlen(buf + len);
    }
}
