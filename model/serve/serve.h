/* serve: `repltop serve --listen ADDR:PORT` — the dashboard's monitoring without a screen,
 * answering Prometheus (GET /metrics) and scripts (GET /snapshot.json).
 *
 * One poll() loop, as the dashboard's: every node's socket (model/watch/cluster), the refresh
 * schedule (model/watch/schedule), the HTTP server's descriptor (httpd) and a self-pipe for
 * SIGINT, SIGTERM and SIGHUP. A request is answered from the last complete snapshot, with its
 * age (repltop_snapshot_age_seconds): it never waits for a refresh, so a hung node delays no
 * scrape (docs/DESIGN.md section 2.11). */
#ifndef REPLTOP_SERVE_H
#define REPLTOP_SERVE_H

#include "model/config/config.h"
#include "model/serve/httpd.h"

/* Watches the n clusters of cfgs (one config per cluster, as -c gives them: a fleet, or a
 * fleet of one) and serves them at listen until SIGINT, SIGTERM or SIGHUP; each cluster's
 * series have its name (`[repltop] cluster =`, else serve_cluster_name of its file) as the
 * label cluster. A config may grow (members Patroni adds). The exit status: 0 stopped by a
 * signal, 3 when it cannot listen there, 1 when its loop failed (said in one line on stderr). */
int serve_run(struct config *cfgs, int n, const struct httpd_addr *listen);

/* The `cluster` label for a config read from path: the file's name without its directory and
 * .conf ("/etc/repltop/prod.conf": "prod"), "default" without a file. */
void serve_cluster_name(const char *path, char *buf, size_t n);

#endif
