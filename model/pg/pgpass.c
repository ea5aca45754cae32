/* pgpass: libpq's password file lookup, answering only "is there a line for this". */
#include "model/pg/pgpass.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The rest of the line after a field that matches value, or NULL. */
static const char *field_matches(const char *p, const char *value)
{
    if (p[0] == '*' && p[1] == ':')
        return p + 2;
    const char *v = value;
    for (; *p; p++) {
        bool escaped = false;
        if (*p == '\\' && p[1]) {
            p++;
            escaped = true;
        }
        if (*p == ':' && !escaped)
            return *v == '\0' ? p + 1 : NULL;
        if (*v == '\0' || *p != *v)
            return NULL;
        v++;
    }
    return NULL; /* no password field */
}

static bool default_socket_dir(const char *host)
{
    return strcmp(host, "/var/run/postgresql") == 0 || strcmp(host, "/run/postgresql") == 0 ||
           strcmp(host, "/tmp") == 0;
}

bool pgpass_has_entry(const char *path, const char *host, const char *port, const char *dbname,
                      const char *user)
{
    if (str_empty(path) || str_empty(dbname) || str_empty(user))
        return false;
    if (str_empty(host) || default_socket_dir(host))
        host = "localhost";
    if (str_empty(port))
        port = "5432";
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)))
        return false;
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool found = false;
    while (!found && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        const char *p = field_matches(line, host);
        p = p ? field_matches(p, port) : NULL;
        p = p ? field_matches(p, dbname) : NULL;
        p = p ? field_matches(p, user) : NULL;
        found = p != NULL;
    }
    if (line)
        explicit_bzero(line, cap);
    free(line);
    fclose(f);
    return found;
}
