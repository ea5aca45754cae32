/* local_run: PostgreSQL's programs run as the data directory's owner — here, or on the node's
 * host through its way (host.h). */
#include "model/local/local_run.h"
#include "model/local/host.h"
#include "model/base/util.h"

#include <limits.h>

int local_run(const struct local_node *ln, const char *const *argv, const char *const *env,
              int timeout_s, local_line_fn on_line, void *ctx, char *why, size_t whylen)
{
    if (host_remote(&ln->host))
        return host_run_program(ln, argv, env, timeout_s, on_line, ctx, why, whylen);
    char path[PATH_MAX + 64];
    /* an absolute program (pg_ctlcluster, systemctl: local_server.c) runs as named */
    if (argv[0][0] == '/')
        str_copy(path, sizeof path, argv[0]);
    else
        str_printf(path, sizeof path, "%s/%s", ln->bindir, argv[0]);
    const char *args[40];
    int n = 0;
    args[n++] = path;
    for (int i = 1; argv[i] && n < 39; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    struct proc_spec spec = {args, env, ln->run_as, NULL, NULL, 0};
    return local_run_spec(&spec, argv[0], timeout_s, on_line, ctx, NULL, why, whylen);
}
