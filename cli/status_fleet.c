/* status_fleet: one snapshot of every cluster of a fleet (status_fleet.h). */
#include "cli/status_fleet.h"
#include "cli/report.h"
#include "model/store/json_fleet.h"
#include "model/watch/fleet.h"
#include "model/base/text.h"
#include "model/base/util.h"

#include <stdlib.h>

int status_fleet_run(FILE *out, struct config_fleet *cf, bool json)
{
    struct config **cfgs = xcalloc((size_t)cf->n, sizeof *cfgs);
    for (int i = 0; i < cf->n; i++)
        cfgs[i] = &cf->cfgs[i];
    struct fleet *f = fleet_new(cfgs, cf->n);
    fleet_sample_once(f);
    int rc = (int)fleet_health(f);
    if (json) {
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
