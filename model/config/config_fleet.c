/* config_fleet: several config files, one cluster each (config_fleet.h). */
#include "model/config/config_fleet.h"
#include "model/base/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void config_fleet_init(struct config_fleet *f)
{
    memset(f, 0, sizeof *f);
}

void config_fleet_done(struct config_fleet *f)
{
    for (int i = 0; i < f->n; i++)
        config_done(&f->cfgs[i]);
    free(f->cfgs);
    memset(f, 0, sizeof *f);
}

void config_fleet_default_name(const char *path, char *buf, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".conf") == 0)
        n -= 5;
    str_printf(buf, len, "%.*s", (int)n, base);
}

static bool load_one(struct config_fleet *f, const char *path, char *err, size_t errlen)
{
    f->cfgs = xrealloc(f->cfgs, (size_t)(f->n + 1) * sizeof *f->cfgs);
    struct config *c = &f->cfgs[f->n];
    config_init(c);
    if (!config_load_file(c, path, err, errlen)) {
        config_done(c);
        return false;
    }
    f->n++;
    if (!c->cluster_name) {
        char name[CONFIG_NAME_LEN + 8];
        config_fleet_default_name(path, name, sizeof name);
        char why[200];
        if (!config_valid_name(name, why, sizeof why) || strchr(name, ':') ||
            strlen(name) >= CONFIG_NAME_LEN) {
            str_printf(err, errlen,
                       "%s: the file's name cannot name a cluster (1 to %d characters, no ':' or "
                       "control characters): set [repltop] cluster = NAME",
                       path, CONFIG_NAME_LEN - 1);
            return false;
        }
        c->cluster_name = xstrdup(name);
    }
    for (int i = 0; i < f->n - 1; i++) {
        if (strcmp(f->cfgs[i].cluster_name, c->cluster_name) == 0) {
            str_printf(err, errlen,
                       "duplicate cluster name \"%s\": %s and %s (set [repltop] cluster = NAME "
                       "in one of them)",
                       c->cluster_name, f->cfgs[i].path, path);
            return false;
        }
    }
    return true;
}

static int conf_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* Every *.conf of dir in name order (hidden files left out, as conf.d folders do). The message
 * of an error starts "DIR: is a directory": -c DIR said only that before fleets existed. */
static bool load_dir(struct config_fleet *f, const char *dir, char *err, size_t errlen)
{
    static const char what[] = "is a directory (of cluster files, one *.conf each)";
    struct dirent **list = NULL;
    int n = scandir(dir, &list, conf_file, alphasort);
    if (n < 0) {
        str_printf(err, errlen, "%s: %s: %s", dir, what, strerror(errno));
        return false;
    }
    bool ok = n > 0;
    if (!ok)
        str_printf(err, errlen, "%s: %s with no *.conf file", dir, what);
    for (int i = 0; i < n; i++) {
        if (ok) {
            char path[4096], why[1024];
            size_t dl = strlen(dir);
            str_printf(path, sizeof path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                       list[i]->d_name);
            if (!load_one(f, path, why, sizeof why)) {
                str_printf(err, errlen, "%s: %s: %s", dir, what, why);
                ok = false;
            }
        }
        free(list[i]);
    }
    free(list);
    return ok;
}

bool config_fleet_load(struct config_fleet *f, const char *const *paths, int npaths, char *err,
                       size_t errlen)
{
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        bool dir = stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode);
        if (!(dir ? load_dir(f, paths[i], err, errlen) : load_one(f, paths[i], err, errlen)))
            return false;
    }
    return true;
}
