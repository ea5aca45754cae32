/* fuzz_config: the INI config reader (inih, then our settings, node names and libpq's conninfo
 * check) and the final validation, on any file content. Properties: no crash, leak or UB; an
 * error is one line that starts with the file name; a loaded config is self-consistent. */
#include "fuzz.h"

#include "model/config/config.h"

static void check_loaded(const struct config *c)
{
    for (int i = 0; i < c->nnodes; i++) {
        const struct node_conf *n = &c->nodes[i];
        size_t len = strnlen(n->name, sizeof n->name);
        if (len == 0 || len >= sizeof n->name)
            fuzz_fail("node %d has a name of %zu bytes", i, len);
        if (n->port != -1 && (n->port < 1 || n->port > 65535))
            fuzz_fail("node %s has port %d", n->name, n->port);
        for (int k = 0; k < i; k++)
            if (strcmp(c->nodes[k].name, n->name) == 0)
                fuzz_fail("node %s is listed twice", n->name);
    }
    if (!(c->refresh_s >= 0.1 && c->refresh_s <= 3600))
        fuzz_fail("refresh %g out of range", c->refresh_s);
    if (c->connect_timeout_ms < 50 || c->query_timeout_ms < 50)
        fuzz_fail("deadline below 50 ms");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct config c;
    config_init(&c);
    char err[600] = "";
    bool ok = config_load_file(&c, path, err, sizeof err);
    if (ok) {
        check_loaded(&c);
        ok = config_validate(&c, err, sizeof err);
    }
    if (!ok) {
        if (!err[0])
            fuzz_fail("failure without a message");
        if (strchr(err, '\n'))
            fuzz_fail("message of more than one line: %s", err);
    }
    config_done(&c);
    return 0;
}
