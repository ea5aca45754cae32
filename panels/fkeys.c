/* fkeys: the bottom line, htop's function-key bar, generated from the key table — or, for a
 * few seconds, a message from the loop ("exported to ...") in its place. */
#include "view.h"
#include "model/base/util.h"

#include <string.h>

void fkeys_render(const struct view *v, struct grid *g, struct rect r)
{
    bool u = g->utf8;
    if (v->message[0]) {
        enum role role = CR_MESSAGE;
        unsigned attrs = 0;
        if (v->message_severity != SEV_OK) {
            role = severity_role(v->message_severity);
            attrs = ATTR_REVERSE;
        }
        grid_fill(g, r, role);
        grid_paint(g, r, role, attrs);
        grid_text_clip(g, r.x + 1, r.y, r.w - 2, role, attrs, v->message);
        return;
    }
    grid_fill(g, r, CR_KEYBAR);
    /* leave out the least important items until the rest fit */
    bool keep[32];
    int total = 0;
    int here = v->fleet_screen ? BAR_FLEET : v->fleet_size > 1 ? BAR_IN_FLEET : BAR_CLUSTER;
    for (int i = 0; i < key_nbar && i < 32; i++) {
        int w = key_bar[i].where;
        keep[i] = w == BAR_ALL || w == here || (w == BAR_CLUSTER && here == BAR_IN_FLEET);
        if (!keep[i])
            continue;
        total += text_width(key_bar[i].keys, u) + 1 + text_width(key_bar[i].label, u) + 2;
    }
    for (int prio = 9; prio > 0 && total > r.w; prio--) {
        for (int i = key_nbar - 1; i >= 0 && total > r.w; i--) {
            if (keep[i] && key_bar[i].prio == prio) {
                keep[i] = false;
                total -= text_width(key_bar[i].keys, u) + 1 + text_width(key_bar[i].label, u) + 2;
            }
        }
    }
    int x = r.x, end = r.x + r.w;
    for (int i = 0; i < key_nbar && i < 32; i++) {
        const struct bar_item *it = &key_bar[i];
        if (!keep[i] || ((v->read_only || v->replay) && cmd_operator(it->cmd)))
            continue; /* read-only, or a recording played back: no action keys */
        const char *label = it->label;
        if (it->cmd == CMD_PAUSE && v->paused)
            label = v->replay ? "Play" : "Resume";
        if (it->cmd == CMD_SLOWER && v->replay)
            label = "Speed";
        x += grid_text(g, x, r.y, end - x, CR_KEY, 0, it->keys);
        x += grid_text(g, x, r.y, end - x, CR_KEYBAR, 0, " ");
        x += grid_text(g, x, r.y, end - x, CR_KEYBAR, 0, label);
        x += grid_text(g, x, r.y, end - x, CR_KEYBAR, 0, "  ");
    }
}
