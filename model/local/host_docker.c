/* host_docker: the docker way to a node — the node's server is PID 1 of a container, reached
 * with the user's docker CLI (no Docker API client of ours), every word its own argument.
 *
 * A command runs with `docker exec -i -u postgres CONTAINER argv...` while the container runs,
 * and in a temporary container of the node's own image with its volumes on its network
 * (`docker run --rm -i --volumes-from CONTAINER --network NET -u postgres --entrypoint ...`)
 * while it is stopped: resync, rejoin and their file steps work on a stopped node's data.
 * The server is stopped and started with `docker stop` / `docker start` (pg_ctl stop inside
 * would end PID 1, and pg_ctl start cannot start a container). A killed server leaves a
 * postmaster.pid naming PID 1, which in a temporary container is the program itself (pg_rewind's
 * crash recovery then refuses to run): it is removed once docker inspect says the container is
 * not running. Its log is `docker logs`. */
#include "model/local/host.h"
#include "model/local/local_exec.h"
#include "model/local/local_node.h"
#include "model/pg/conninfo.h"
#include "model/base/proc.h"
#include "model/base/util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCKER_USER     "postgres" /* the image's data directory owner (Debian's and the official) */
#define DOCKER_MAX_ARGS 64

static int base_args(const struct host *h, char **args)
{
    int n = 0;
    args[n++] = xstrdup("docker");
    if (h->options) {
        args[n++] = xstrdup("-H");
        args[n++] = xstrdup(h->options);
    }
    return n;
}

/* Runs `docker [-H HOST] tail...` here; out gets what it printed (heap). The exit status. */
static int docker_run(const struct host *h, const char *const *tail, int timeout_s, char **out,
                      char *why, size_t whylen)
{
    char *args[DOCKER_MAX_ARGS];
    int n = base_args(h, args);
    for (int i = 0; tail[i] && n < DOCKER_MAX_ARGS - 1; i++)
        args[n++] = xstrdup(tail[i]);
    args[n] = NULL;
    struct proc_spec spec = {(const char *const *)args, NULL, NULL, NULL, NULL, 0};
    struct text_buf buf = {0};
    int rc = local_run_spec(&spec, "docker", timeout_s, NULL, NULL, &buf, why, whylen);
    for (int i = 0; i < n; i++)
        free(args[i]);
    if (out)
        *out = buf.text ? buf.text : xstrdup("");
    else
        free(buf.text);
    return rc;
}

/* docker inspect of the container with a Go template; out (heap) without its last newline. */
static bool inspect(const struct host *h, const char *format, char **out, char *why, size_t whylen)
{
    const char *tail[] = {"inspect", "--type", "container", "-f", format, "--", h->dest, NULL};
    int rc = docker_run(h, tail, 60, out, why, whylen);
    (*out)[strcspn(*out, "\n")] = '\0';
    if (rc != 0 && !why[0])
        str_printf(why, whylen, "docker inspect %s: %s", h->dest, *out);
    return rc == 0;
}

static bool docker_running(const struct local_node *ln)
{
    char *out, why[600] = "";
    bool running =
        inspect(&ln->host, "{{.State.Running}}", &out, why, sizeof why) && strcmp(out, "true") == 0;
    free(out);
    return running;
}

static char **docker_command(const struct host *h, const char *const *argv)
{
    char **args = xcalloc(DOCKER_MAX_ARGS + 16, sizeof *args);
    int n = base_args(h, args);
    char *facts = NULL, why[600] = "";
    /* running: exec in it; stopped: a temporary container of its image with its volumes. When
     * inspect fails (no such container), docker exec says why in docker's words. */
    bool ok = inspect(h, "{{.State.Running}} {{.Image}} {{.HostConfig.NetworkMode}}", &facts, why,
                      sizeof why);
    char running[8] = "", image[160] = "", net[160] = "";
    if (ok)
        sscanf(facts, "%7s %159s %159s", running, image, net);
    free(facts);
    int first = 0;
    if (!ok || strcmp(running, "true") == 0 || !image[0]) {
        args[n++] = xstrdup("exec");
        args[n++] = xstrdup("-i");
        args[n++] = xstrdup("-u");
        args[n++] = xstrdup(DOCKER_USER);
        args[n++] = xstrdup("--");
        args[n++] = xstrdup(h->dest);
    } else {
        args[n++] = xstrdup("run");
        args[n++] = xstrdup("--rm");
        args[n++] = xstrdup("-i");
        args[n++] = xstrdup("--volumes-from");
        args[n++] = xstrdup(h->dest);
        if (net[0]) {
            args[n++] = xstrdup("--network");
            args[n++] = xstrdup(net);
        }
        args[n++] = xstrdup("-u");
        args[n++] = xstrdup(DOCKER_USER);
        args[n++] = xstrdup("--entrypoint");
        args[n++] = xstrdup(argv[0]);
        args[n++] = xstrdup("--");
        args[n++] = xstrdup(image);
        first = 1;
    }
    for (int i = first; argv[i] && n < DOCKER_MAX_ARGS + 15; i++)
        args[n++] = xstrdup(argv[i]);
    args[n] = NULL;
    return args;
}

/* docker's own failures (the daemon, the container), not the program's: its messages. */
static bool docker_failed(const struct host *h, int status, const char *said, char *why, size_t n)
{
    bool own = status == 125 || strstr(said, "Cannot connect to the Docker daemon") ||
               strstr(said, "No such container") || strstr(said, "Error response from daemon") ||
               strstr(said, "is not running");
    if (!own)
        return false;
    str_printf(why, n, "docker %s failed: %s", h->dest, said[0] ? said : "exit status 125");
    return true;
}

/* The server's messages: docker logs (PID 1 writes to stderr). */
static char *docker_log(const struct local_node *ln)
{
    char *out = NULL, why[600] = "";
    const char *tail[] = {"logs", "--", ln->host.dest, NULL};
    if (docker_run(&ln->host, tail, 60, &out, why, sizeof why) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* With the container stopped, a postmaster.pid left by a kill is stale (it names PID 1). */
static void remove_stale_pid(const struct local_node *ln)
{
    if (docker_running(ln))
        return;
    char path[PATH_MAX + 16];
    str_printf(path, sizeof path, "%s/postmaster.pid", ln->datadir);
    if (host_test(&ln->host, HOST_EXISTS, path) && !docker_running(ln))
        host_remove(&ln->host, path, false);
}

static bool docker_stop(const struct local_node *ln, char *err, size_t errlen)
{
    char why[700] = "";
    if (docker_running(ln)) {
        /* the image's stop signal (SIGINT: a fast shutdown), then SIGKILL after 60 s */
        const char *tail[] = {"stop", "-t", "60", "--", ln->host.dest, NULL};
        int rc = docker_run(&ln->host, tail, 90, NULL, why, sizeof why);
        if (docker_running(ln)) {
            str_printf(err, errlen, "could not stop %s (docker stop %s): %s", ln->conf->name,
                       ln->host.dest, rc != 0 ? why : "it still runs");
            return false;
        }
    }
    remove_stale_pid(ln);
    return true;
}

/* The container's address on its network: the conninfo follows the container when repltop
 * filled it in (the address may change when the container starts again). */
static void follow_address(const struct local_node *ln)
{
    struct node_conf *nc = ln->conf;
    if (!nc->docker_addr)
        return;
    char ip[64];
    if (!host_docker_address(&ln->host, ip, sizeof ip))
        return;
    char *ci = conninfo_with(nc->conninfo, "host", ip);
    if (ci) {
        free(nc->conninfo);
        nc->conninfo = ci;
    }
}

static bool docker_start(const struct local_node *ln, char *err, size_t errlen)
{
    remove_stale_pid(ln);
    char *log = docker_log(ln);
    size_t before = log ? strlen(log) : 0;
    free(log);
    char why[700] = "";
    const char *tail[] = {"start", "--", ln->host.dest, NULL};
    if (docker_run(&ln->host, tail, 60, NULL, why, sizeof why) != 0) {
        str_printf(err, errlen, "could not start %s (docker start %s): %s", ln->conf->name,
                   ln->host.dest, why);
        return false;
    }
    follow_address(ln);
    /* ready, or still recovering (the wait for streaming goes on later), unless PID 1 ended */
    char *isready = xasprintf("%s/pg_isready", ln->bindir);
    const char *argv[] = {isready, "-q", NULL};
    bool running = true;
    for (int i = 0; i < 60 && (running = docker_running(ln)); i++) {
        if (host_exec(&ln->host, argv, NULL, 10, NULL, NULL, NULL, why, sizeof why) == 0)
            break;
        poll(NULL, 0, 250);
    }
    free(isready);
    if (running)
        return true;
    log = docker_log(ln);
    char cause[600] = "the container stopped";
    const char *since = log && strlen(log) >= before ? log + before : "";
    FILE *f = since[0] ? fmemopen((char *)since, strlen(since), "r") : NULL;
    if (f) {
        pg_log_failure_in(f, cause, sizeof cause);
        fclose(f);
    }
    free(log);
    str_printf(err, errlen, "%s did not start in its container %s: %s (see docker logs %s)",
               ln->conf->name, ln->host.dest, cause, ln->host.dest);
    return false;
}

static const struct host_way docker_way = {
    .kind = "docker",
    .command = docker_command,
    .failed = docker_failed,
    .running = docker_running,
    .stop = docker_stop,
    .start = docker_start,
    .log = docker_log,
    .noise = "WARNING: ",
    .extra_s = 90,
};

const struct host_way *host_docker_way(void)
{
    return &docker_way;
}

bool host_docker_address(const struct host *h, char *ip, size_t n)
{
    char *out, why[600] = "";
    bool ok = inspect(h, "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", &out, why,
                      sizeof why);
    out[strcspn(out, " ")] = '\0';
    ok = ok && out[0] && strlen(out) < n && strspn(out, "0123456789abcdef.:") == strlen(out);
    if (ok)
        str_copy(ip, n, out);
    free(out);
    return ok;
}

void host_docker_addresses(struct config *c)
{
    for (int i = 0; i < c->nnodes; i++) {
        struct node_conf *nc = &c->nodes[i];
        char host[256] = "", addr[256] = "";
        if (str_empty(nc->docker) || !nc->conninfo ||
            conninfo_get(nc->conninfo, "host", host, sizeof host) ||
            conninfo_get(nc->conninfo, "hostaddr", addr, sizeof addr))
            continue;
        struct host h = {&docker_way, nc->docker, nc->docker_host};
        char ip[64];
        /* a stopped container has no address: a socket path that cannot exist says so in
         * libpq's own error, and never reaches a server of this host */
        char *where =
            host_docker_address(&h, ip, sizeof ip)
                ? xstrdup(ip)
                : xasprintf("/nonexistent/docker-container-%s-is-not-running", nc->docker);
        char *ci = conninfo_with(nc->conninfo, "host", where);
        free(where);
        if (ci) {
            free(nc->conninfo);
            nc->conninfo = ci;
            nc->docker_addr = true;
        }
    }
}
