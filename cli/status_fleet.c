/* status_fleet: one snapshot of every cluster of a fleet (status_fleet.h). */
#include "cli/status_fleet.h"
#include "cli/report.h"
#include "model/store/json_fleet.h"
#include "model/watch/fleet.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <stdlib.h>

/* The plugin states from best to worst, for a fleet: a cluster where no node answered
 * (UNKNOWN) is worse than a warning, not as bad as a critical problem somewhere. */
static int check_rank(int state)
{
    static const int rank[] = {0, 1, 3, 2}; /* OK, WARNING, CRITICAL, UNKNOWN */
    return rank[state];
}

/* status --check on a fleet: the first line is the fleet's (worst state, how many clusters are
 * in each, the failing ones named, perfdata with the counts); then one line per cluster that is
 * not OK, worst first (the plugins' long output). */
static int check_fleet(FILE *out, const struct fleet *f)
{
    int n = fleet_count(f), count[4] = {0}, worst = 0;
    int *state = xcalloc((size_t)n, sizeof *state), answering = 0, nodes = 0;
    for (int i = 0; i < n; i++) {
        const struct snapshot *s = fleet_snapshot(f, i);
        char text[8];
        int more;
        state[i] = s ? report_check_state(s, text, sizeof text, &more) : 3;
        count[state[i]]++;
        if (check_rank(state[i]) > check_rank(worst))
            worst = state[i];
        answering += snapshot_answering(s);
        nodes += s ? s->nnodes : fleet_config(f, i)->nnodes;
    }
    fprintf(out, "REPLTOP %s - ", report_check_name(worst));
    if (worst == 0)
        fprintf(out, "%d clusters OK, %d of %d nodes answered", n, answering, nodes);
    else
        fprintf(out, "%d of %d clusters not OK: %d critical, %d warning, %d unknown", n - count[0],
                n, count[2], count[1], count[3]);
    fprintf(out,
            " | 'clusters'=%d 'clusters_ok'=%d 'clusters_warning'=%d 'clusters_critical'=%d "
            "'clusters_unknown'=%d 'nodes'=%d 'nodes_answering'=%d\n",
            n, count[0], count[1], count[2], count[3], nodes, answering);
    for (int rank = 3; rank > 0; rank--)
        for (int i = 0; i < n; i++) {
            if (check_rank(state[i]) != rank)
                continue;
            const struct snapshot *s = fleet_snapshot(f, i);
            char text[4 * (ERROR_LEN + 64)];
            int more = 0;
            if (s)
                report_check_state(s, text, sizeof text, &more);
            else
                str_copy(text, sizeof text, "no refresh completed");
            char *name = text_escape_dup(fleet_name(f, i));
            fprintf(out, "%s %s: %s", report_check_name(state[i]), name, text);
            if (more > 0)
                fprintf(out, " (+%d more)", more);
            fputc('\n', out);
            free(name);
        }
    free(state);
    return worst;
}

int status_fleet_run(FILE *out, struct config_fleet *cf, enum status_form form)
{
    struct config **cfgs = xcalloc((size_t)cf->n, sizeof *cfgs);
    for (int i = 0; i < cf->n; i++)
        cfgs[i] = &cf->cfgs[i];
    struct fleet *f = fleet_new(cfgs, cf->n);
    fleet_sample_once(f);
    int rc = (int)fleet_health(f);
    if (form == STATUS_CHECK) {
        rc = check_fleet(out, f);
    } else if (form == STATUS_JSON) {
        char *text = fleet_to_json(f, true);
        fprintf(out, "%s\n", text);
        free(text);
    } else {
        for (int i = 0; i < fleet_count(f); i++) {
            const struct snapshot *s = fleet_snapshot(f, i);
            char *name = text_escape_dup(fleet_name(f, i));
            fprintf(out, "%s== cluster %s: %s, %d of %d nodes answered\n", i ? "\n" : "", name,
                    s ? severity_name(s->health) : "unknown", snapshot_answering(s),
                    s ? s->nnodes : cf->cfgs[i].nnodes);
            free(name);
            if (s)
                report_print(out, s);
        }
    }
    fleet_free(f);
    free(cfgs);
    return rc;
}
