/* config_append: adds a node to the config file — atomically, and only what reads back
 * exactly as it was written (inih strips blanks, cuts comments and long section names). */
#include "model/config/config.h"
#include "model/base/files.h"
#include "model/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The longest line the reader takes: fgets into INI_MAX_LINE bytes, the newline included. */
#define LINE_MAX_CHARS (INI_MAX_LINE - 2)
/* inih copies a section name into 50 bytes: "node " and the name must fit in 49. */
#define SECTION_NAME_MAX 44

/* Whether inih gives a value back as written: it strips surrounding blanks, a ';' after a
 * blank starts a comment, and a line break would end the value. */
static bool ini_value_ok(const char *what, const char *v, char *err, size_t errlen)
{
    if (str_empty(v)) {
        str_printf(err, errlen, "%s is empty", what);
        return false;
    }
    size_t len = strlen(v);
    if (isspace((unsigned char)v[0]) || isspace((unsigned char)v[len - 1])) {
        str_printf(err, errlen, "%s starts or ends with a blank (the config reader drops it)",
                   what);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            str_printf(err, errlen, "%s contains a control character", what);
            return false;
        }
        if (*p == ';' && p > (const unsigned char *)v && isspace(p[-1])) {
            str_printf(err, errlen,
                       "%s contains \" ;\", which the config reader takes for a comment", what);
            return false;
        }
    }
    return true;
}

bool config_check_entry(const char *name, const char *conninfo, const char *datadir, int port,
                        const char *bindir, char *err, size_t errlen)
{
    if (!config_valid_name(name, err, errlen))
        return false;
    if (strlen(name) > SECTION_NAME_MAX) {
        str_printf(err, errlen,
                   "node name \"%s\" is longer than %d characters ([node NAME] "
                   "must fit the config reader's section names)",
                   name, SECTION_NAME_MAX);
        return false;
    }
    if (strpbrk(name, "=:;#[]") || isspace((unsigned char)name[0]) ||
        isspace((unsigned char)name[strlen(name) - 1])) {
        str_printf(err, errlen,
                   "node name \"%s\" cannot be written to the config: no = : ; # [ ] and no "
                   "blank at either end",
                   name);
        return false;
    }
    char what[CONFIG_NAME_LEN + 64];
    str_printf(what, sizeof what, "the connection string of %s", name);
    if (!ini_value_ok(what, conninfo, err, errlen) || !config_check_conninfo(conninfo, err, errlen))
        return false;
    str_printf(what, sizeof what, "the datadir of %s", name);
    if (datadir && !ini_value_ok(what, datadir, err, errlen))
        return false;
    str_printf(what, sizeof what, "the bindir of %s", name);
    if (bindir && !ini_value_ok(what, bindir, err, errlen))
        return false;
    if (port > 65535) {
        str_printf(err, errlen, "port must be a number from 1 to 65535, not %d", port);
        return false;
    }
    char *text = config_node_text(name, conninfo, datadir, port, bindir);
    bool ok = true;
    for (const char *line = text; ok && *line;) {
        size_t len = strcspn(line, "\n");
        if (len > LINE_MAX_CHARS) {
            /* the line may hold a password: say which one, not what it says */
            str_printf(err, errlen,
                       "the line \"%.*s ...\" would be %zu characters, the config reader takes "
                       "at most %d (use a service file for long conninfos, or a shorter path)",
                       (int)strcspn(line, "="), line, len, LINE_MAX_CHARS);
            ok = false;
        }
        line += len + (line[len] == '\n');
    }
    free(text);
    return ok;
}

char *config_node_text(const char *name, const char *conninfo, const char *datadir, int port,
                       const char *bindir)
{
    char *text = xasprintf("[nodes]\n%s = %s\n", name, conninfo);
    if (!datadir && port <= 0 && !bindir)
        return text;
    char portline[32] = "";
    if (port > 0)
        str_printf(portline, sizeof portline, "port = %d\n", port);
    char *more = xasprintf("%s\n[node %s]\n%s%s%s%s%s%s%s", text, name, datadir ? "datadir = " : "",
                           datadir ? datadir : "", datadir ? "\n" : "", portline,
                           bindir ? "bindir = " : "", bindir ? bindir : "", bindir ? "\n" : "");
    free(text);
    return more;
}

/* The whole file, and what it was when read (to notice a concurrent change). */
static char *read_all(const char *path, struct stat *st, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st->st_mode)) {
        str_printf(err, errlen, "%s is not a regular file", path);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st->st_size + 1, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            str_printf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A node as config_append_node writes it. */
struct entry {
    const char *name, *conninfo, *datadir, *bindir;
    int port;
    int nnodes; /* how many nodes the file must then have */
};

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether the file at path loads and holds the entry exactly as it was given. */
static bool loads_with(const char *path, const struct entry *e, char *err, size_t errlen)
{
    struct config c;
    config_init(&c);
    bool ok = config_load_file(&c, path, err, errlen);
    const struct node_conf *n = ok ? config_find_node(&c, e->name) : NULL;
    if (ok && (!n || !same_str(n->conninfo, e->conninfo) || !same_str(n->datadir, e->datadir) ||
               !same_str(n->bindir, e->bindir) || n->port != (e->port > 0 ? e->port : -1) ||
               c.nnodes != e->nnodes)) {
        str_printf(err, errlen, "%s: node %s does not read back as it was written", path, e->name);
        ok = false;
    }
    config_done(&c);
    return ok;
}

/* Replaces path (a regular file, not a link) with text: a temp file beside it with the old
 * file's mode and owner, flushed, then renamed over it, so that a crash leaves either file
 * whole. With check, the temp file must load with the node as given before it replaces path;
 * a change of path since it was read (was) is refused. */
static bool replace_file(const char *path, const struct stat *was, const char *text, size_t len,
                         const struct entry *check, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 64];
    if (!file_write_temp(path, text, len, was->st_mode & 07777,
                         (struct file_owner){was->st_uid, was->st_gid}, tmp, sizeof tmp, err,
                         errlen))
        return false;
    if (check && !loads_with(tmp, check, err, errlen)) {
        unlink(tmp);
        return false;
    }
    /* someone else's change since we read it would be lost: refuse instead */
    struct stat again;
    if (stat(path, &again) != 0 || again.st_ino != was->st_ino || again.st_size != was->st_size ||
        again.st_mtim.tv_sec != was->st_mtim.tv_sec ||
        again.st_mtim.tv_nsec != was->st_mtim.tv_nsec) {
        str_printf(err, errlen,
                   "%s changed while it was being rewritten: nothing written, run "
                   "again",
                   path);
        unlink(tmp);
        return false;
    }
    return file_commit(tmp, path, err, errlen);
}

bool config_append_node(const char *path, const char *name, const char *conninfo,
                        const char *datadir, int port, const char *bindir, char *err, size_t errlen)
{
    if (!config_check_entry(name, conninfo, datadir, port, bindir, err, errlen))
        return false;
    /* the file itself, where a symbolic link points: the link stays a link */
    char *real = realpath(path, NULL);
    if (!real) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    size_t len = 0;
    char *old = read_all(real, &st, &len, err, errlen);
    struct config cur;
    config_init(&cur);
    bool ok = old != NULL;
    if (ok && memchr(old, '\0', len)) {
        str_printf(err, errlen, "%s holds a NUL byte: not a config file", path);
        ok = false;
    }
    /* what is in the file now, read as loading reads it */
    FILE *f = ok && len ? fmemopen(old, len, "r") : NULL;
    if (ok && len && !f) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok && f && !config_load_stream(&cur, f, path, err, errlen)) {
        size_t n = strlen(err);
        str_printf(err + n, errlen - n, " (fix the file first: nothing was added)");
        ok = false;
    }
    if (f)
        fclose(f);
    const struct node_conf *dup = ok ? config_find_node(&cur, name) : NULL;
    if (dup) {
        str_printf(err, errlen, "node \"%s\" is already in %s (%s)", name, path, dup->origin);
        ok = false;
    }
    struct entry e = {name, conninfo, datadir, bindir, port, cur.nnodes + 1};
    config_done(&cur);
    char *node = ok ? config_node_text(name, conninfo, datadir, port, bindir) : NULL;
    char *text = NULL;
    if (ok) {
        bool nl = len > 0 && old[len - 1] != '\n';
        text = xasprintf("%s%s\n%s", old, nl ? "\n" : "", node);
        ok = replace_file(real, &st, text, strlen(text), &e, err, errlen);
    }
    /* the result, read again where it now is; the old content goes back if it does not load */
    char why[600];
    if (ok && !loads_with(real, &e, why, sizeof why)) {
        struct stat st2;
        char restore[600] = "";
        if (stat(real, &st2) != 0 ||
            !replace_file(real, &st2, old, len, NULL, restore, sizeof restore))
            str_printf(err, errlen, "%s; and the old content could not be put back: %s", why,
                       restore);
        else
            str_printf(err, errlen, "%s; the old content is back", why);
        ok = false;
    }
    if (node)
        explicit_bzero(node, strlen(node));
    if (text)
        explicit_bzero(text, strlen(text));
    if (old)
        explicit_bzero(old, len);
    free(node);
    free(text);
    free(old);
    free(real);
    return ok;
}

int config_add_new_nodes(struct config *c, const struct config *from)
{
    int added = 0;
    char err[400];
    for (int i = 0; i < from->nnodes; i++) {
        const struct node_conf *f = &from->nodes[i];
        if (!f->conninfo || config_find_node(c, f->name) ||
            !config_add_node(c, f->name, f->conninfo, f->origin, err, sizeof err))
            continue;
        struct node_conf *n = config_find_node(c, f->name);
        n->datadir = f->datadir ? xstrdup(f->datadir) : NULL;
        n->bindir = f->bindir ? xstrdup(f->bindir) : NULL;
        n->port = f->port;
        added++;
    }
    return added;
}
