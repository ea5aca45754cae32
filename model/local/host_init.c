/* host_init: which way reaches a node's host, from its [node NAME] section. Apart from the ways
 * themselves, so that none of them depends on the others. */
#include "model/local/host.h"
#include "model/base/util.h"

#include <string.h>

void host_init(struct host *h, const struct node_conf *nc)
{
    memset(h, 0, sizeof *h);
    if (nc && !str_empty(nc->ssh)) {
        h->way = host_ssh_way();
        h->dest = nc->ssh;
        h->options = nc->ssh_options;
    } else if (nc && !str_empty(nc->docker)) {
        h->way = host_docker_way();
        h->dest = nc->docker;
        h->options = nc->docker_host;
    }
}
