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

/* A config file as it is before it is rewritten: where it really is (a symbolic link is
 * followed: the link stays a link), its content, its stat and the config it holds, read as
 * loading reads it. */
struct current {
    char *real, *old;
    size_t len;
    struct stat st;
    struct config cfg;
};

/* Reads the file at path into cur; what is not done when it does not load is `nothing`
 * ("added", "changed"). False with err; current_done() either way. */
static bool read_current(const char *path, struct current *cur, const char *nothing, char *err,
                         size_t errlen)
{
    memset(cur, 0, sizeof *cur);
    config_init(&cur->cfg);
    cur->real = realpath(path, NULL);
    if (!cur->real) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    cur->old = read_all(cur->real, &cur->st, &cur->len, err, errlen);
    if (!cur->old)
        return false;
    if (memchr(cur->old, '\0', cur->len)) {
        str_printf(err, errlen, "%s holds a NUL byte: not a config file", path);
        return false;
    }
    if (!cur->len)
        return true;
    FILE *f = fmemopen(cur->old, cur->len, "r");
    if (!f) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    bool ok = config_load_stream(&cur->cfg, f, path, err, errlen);
    fclose(f);
    if (!ok) {
        size_t n = strlen(err);
        str_printf(err + n, errlen - n, " (fix the file first: nothing was %s)", nothing);
    }
    return ok;
}

static void current_done(struct current *cur)
{
    if (cur->old)
        explicit_bzero(cur->old, cur->len);
    free(cur->old);
    free(cur->real);
    config_done(&cur->cfg);
}

/* The written file did not read back (why): the old content goes back; err says both. */
static void put_back(const char *real, const char *old, size_t len, const char *why, char *err,
                     size_t errlen)
{
    struct stat st2;
    char restore[600] = "";
    if (stat(real, &st2) != 0 || !replace_file(real, &st2, old, len, NULL, restore, sizeof restore))
        str_printf(err, errlen, "%s; and the old content could not be put back: %s", why, restore);
    else
        str_printf(err, errlen, "%s; the old content is back", why);
}

bool config_append_node(const char *path, const char *name, const char *conninfo,
                        const char *datadir, int port, const char *bindir, char *err, size_t errlen)
{
    if (!config_check_entry(name, conninfo, datadir, port, bindir, err, errlen))
        return false;
    struct current cur;
    bool ok = read_current(path, &cur, "added", err, errlen);
    const char *real = cur.real, *old = cur.old;
    size_t len = cur.len;
    const struct node_conf *dup = ok ? config_find_node(&cur.cfg, name) : NULL;
    if (dup) {
        str_printf(err, errlen, "node \"%s\" is already in %s (%s)", name, path, dup->origin);
        ok = false;
    }
    struct entry e = {name, conninfo, datadir, bindir, port, cur.cfg.nnodes + 1};
    char *node = ok ? config_node_text(name, conninfo, datadir, port, bindir) : NULL;
    char *text = NULL;
    if (ok) {
        bool nl = len > 0 && old[len - 1] != '\n';
        text = xasprintf("%s%s\n%s", old, nl ? "\n" : "", node);
        ok = replace_file(real, &cur.st, text, strlen(text), &e, err, errlen);
    }
    /* the result, read again where it now is; the old content goes back if it does not load */
    char why[600];
    if (ok && !loads_with(real, &e, why, sizeof why)) {
        put_back(real, old, len, why, err, errlen);
        ok = false;
    }
    if (node)
        explicit_bzero(node, strlen(node));
    if (text)
        explicit_bzero(text, strlen(text));
    free(node);
    free(text);
    current_done(&cur);
    return ok;
}

/* Whether a line opens a section, and which ("repltop" for "[repltop]") into out. */
static bool line_section(const char *line, size_t len, char *out, size_t outlen)
{
    while (len && isspace((unsigned char)*line))
        line++, len--;
    if (!len || *line != '[')
        return false;
    const char *end = memchr(line, ']', len);
    if (!end)
        return false;
    const char *s = line + 1;
    while (s < end && isspace((unsigned char)*s))
        s++;
    const char *e = end;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    str_printf(out, outlen, "%.*s", (int)(e - s), s);
    return true;
}

/* Whether a line sets key ("key = ..." or "key: ..."). */
static bool line_sets(const char *line, size_t len, const char *key)
{
    while (len && isspace((unsigned char)*line))
        line++, len--;
    size_t k = strlen(key);
    if (len <= k || strncmp(line, key, k) != 0)
        return false;
    const char *p = line + k;
    while (p < line + len && (*p == ' ' || *p == '\t'))
        p++;
    return p < line + len && (*p == '=' || *p == ':');
}

bool config_set_setting(const char *path, const char *key, const char *value, char *err,
                        size_t errlen)
{
    char what[80];
    str_printf(what, sizeof what, "the value of %s", key);
    if (!ini_value_ok(what, value, err, errlen))
        return false;
    /* the file must load as it is: a broken file is the operator's to fix */
    struct current cur;
    bool ok = read_current(path, &cur, "changed", err, errlen);
    const char *real = cur.real, *old = cur.old;
    size_t len = cur.len;
    char *text = NULL;
    if (ok) {
        /* replace the key's line in [repltop], or add it right after the section's header, or
         * add the section at the top */
        char *setline = xasprintf("%s = %s\n", key, value);
        size_t replace_at = SIZE_MAX, replace_len = 0, insert_at = SIZE_MAX;
        bool in_section = false;
        char section[64];
        for (size_t pos = 0; pos < len;) {
            const char *line = old + pos;
            size_t n = strcspn(line, "\n");
            size_t next = pos + n + (line[n] == '\n');
            if (line_section(line, n, section, sizeof section)) {
                in_section = strcmp(section, "repltop") == 0;
                if (in_section && insert_at == SIZE_MAX)
                    insert_at = next;
            } else if (in_section && replace_at == SIZE_MAX && line_sets(line, n, key)) {
                replace_at = pos;
                replace_len = next - pos;
            }
            pos = next;
        }
        if (replace_at != SIZE_MAX)
            text = xasprintf("%.*s%s%s", (int)replace_at, old, setline,
                             old + replace_at + replace_len);
        else if (insert_at != SIZE_MAX)
            text = xasprintf("%.*s%s%s%s", (int)insert_at, old,
                             insert_at && old[insert_at - 1] != '\n' ? "\n" : "", setline,
                             old + insert_at);
        else
            text = xasprintf("[repltop]\n%s\n%s", setline, old);
        free(setline);
        ok = replace_file(real, &cur.st, text, strlen(text), NULL, err, errlen);
    }
    /* read it again: it must load, and a sync policy must read back as written */
    if (ok) {
        struct config back;
        config_init(&back);
        char why[600];
        bool good = config_load_file(&back, real, why, sizeof why);
        if (good && strcmp(key, "sync") == 0 &&
            (!back.sync_policy || strcmp(back.sync_policy, value) != 0)) {
            str_printf(why, sizeof why, "%s: %s does not read back as it was written", path, key);
            good = false;
        }
        config_done(&back);
        if (!good) {
            put_back(real, old, len, why, err, errlen);
            ok = false;
        }
    }
    if (text)
        explicit_bzero(text, strlen(text));
    free(text);
    current_done(&cur);
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
        n->ssh = f->ssh ? xstrdup(f->ssh) : NULL;
        n->ssh_options = f->ssh_options ? xstrdup(f->ssh_options) : NULL;
        n->docker = f->docker ? xstrdup(f->docker) : NULL;
        n->docker_host = f->docker_host ? xstrdup(f->docker_host) : NULL;
        n->admin = f->admin ? xstrdup(f->admin) : NULL;
        n->service = f->service ? xstrdup(f->service) : NULL;
        n->patroni = f->patroni ? xstrdup(f->patroni) : NULL;
        n->port = f->port;
        added++;
    }
    return added;
}
