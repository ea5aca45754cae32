/* memory: a tiny key = value file per cluster. */
#include "model/watch/memory.h"
#include "model/base/files.h"
#include "model/base/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool memory_path(const char *sysid, char *buf, size_t n)
{
    if (str_empty(sysid))
        return false;
    for (const char *p = sysid; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    char dir[4000];
    state_dir_path(dir, sizeof dir);
    str_printf(buf, n, "%s/cluster-%s.conf", dir, sysid);
    return true;
}

bool memory_load(const char *sysid, struct cluster_memory *m)
{
    char path[4200];
    memset(m, 0, sizeof *m);
    if (!memory_path(sysid, path, sizeof path))
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[SETTING_LEN + 64];
    bool any = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strstr(line, " = ");
        if (!eq)
            continue;
        *eq = '\0';
        const char *v = eq + 3;
        if (strcmp(line, "primary") == 0)
            str_copy(m->primary, sizeof m->primary, v);
        else if (strcmp(line, "synchronous_standby_names") == 0)
            str_copy(m->synchronous_standby_names, sizeof m->synchronous_standby_names, v);
        else if (strcmp(line, "synchronous_commit") == 0)
            str_copy(m->synchronous_commit, sizeof m->synchronous_commit, v);
        else if (strcmp(line, "seen_at") == 0)
            m->seen_at = atof(v);
        else if (strcmp(line, "previous_primary") == 0)
            str_copy(m->previous_primary, sizeof m->previous_primary, v);
        else if (strcmp(line, "previous_synchronous_standby_names") == 0)
            str_copy(m->previous_synchronous_standby_names,
                     sizeof m->previous_synchronous_standby_names, v);
        else
            continue;
        any = true;
    }
    fclose(f);
    return any;
}

void memory_save(const struct snapshot *s)
{
    const struct node_snap *p = s->primary[0] ? snapshot_find(s, s->primary) : NULL;
    if (!p || !p->system_identifier[0])
        return;
    struct cluster_memory old;
    bool had = memory_load(p->system_identifier, &old);
    if (had && old.primary[0] && strcmp(old.primary, p->name) != 0) {
        str_copy(old.previous_primary, sizeof old.previous_primary, old.primary);
        str_copy(old.previous_synchronous_standby_names,
                 sizeof old.previous_synchronous_standby_names, old.synchronous_standby_names);
    }
    if (had && strcmp(old.primary, p->name) == 0 &&
        strcmp(old.synchronous_standby_names, p->synchronous_standby_names) == 0 &&
        strcmp(old.synchronous_commit, p->synchronous_commit) == 0)
        return;
    char path[4200], dir[4000], err[256];
    if (!memory_path(p->system_identifier, path, sizeof path))
        return;
    state_dir_path(dir, sizeof dir);
    if (!mkdir_p(dir, 0700, err, sizeof err)) /* as the audit log's */
        return;
    /* values are single-line settings; a newline would end the value early, never inject */
    char *text = xasprintf(
        "primary = %s\nsynchronous_standby_names = %s\nsynchronous_commit = %s\nseen_at = %.0f\n",
        p->name, p->synchronous_standby_names, p->synchronous_commit, s->taken_at);
    if (old.previous_primary[0]) {
        char *more = xasprintf("%sprevious_primary = %s\nprevious_synchronous_standby_names = %s\n",
                               text, old.previous_primary, old.previous_synchronous_standby_names);
        free(text);
        text = more;
    }
    /* atomic: a reader sees the old or the new file */
    file_write_atomic(path, text, 0600, FILE_OWNER_KEEP, err, sizeof err);
    free(text);
}
