/* resolve: one asynchronous lookup per node, polled from the main loop. */
#include "model/watch/resolve.h"
#include "model/pg/conninfo.h"
#include "model/base/util.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct resolve {
    struct gaicb cb; /* written by glibc's resolver thread until the lookup ends */
    struct addrinfo hints;
    char host[256];
};

bool resolve_needed(const char *conninfo, char *host, size_t n)
{
    char addr[256] = "";
    if (conninfo_get(conninfo, "hostaddr", addr, sizeof addr) && addr[0])
        return false;
    if (!conninfo_get(conninfo, "host", host, n) || !host[0])
        return false;
    if (host[0] == '/' || host[0] == '@' || strchr(host, ','))
        return false;
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1)
        return false;
    return true;
}

struct resolve *resolve_start(const char *host)
{
    struct resolve *r = xcalloc(1, sizeof *r);
    str_copy(r->host, sizeof r->host, host);
    r->hints.ai_family = AF_UNSPEC;
    r->hints.ai_socktype = SOCK_STREAM;
    r->cb.ar_name = r->host;
    r->cb.ar_request = &r->hints;
    struct gaicb *list[1] = {&r->cb};
    if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

int resolve_poll(struct resolve *r, char *addr, size_t n, char *err, size_t errlen)
{
    int rc = gai_error(&r->cb);
    if (rc == EAI_INPROGRESS)
        return 0;
    if (rc != 0 || !r->cb.ar_result) {
        str_printf(err, errlen, "could not translate host name \"%s\" to address: %s", r->host,
                   gai_strerror(rc));
        return -1;
    }
    /* every address, as libpq would try them in turn: "a1,a2,..." */
    size_t len = 0;
    int count = 0;
    addr[0] = '\0';
    for (const struct addrinfo *ai = r->cb.ar_result; ai && count < 8; ai = ai->ai_next) {
        char one[INET6_ADDRSTRLEN];
        const void *src = ai->ai_family == AF_INET6
                              ? (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
                              : (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            !inet_ntop(ai->ai_family, src, one, sizeof one))
            continue;
        char needle[INET6_ADDRSTRLEN + 2];
        str_printf(needle, sizeof needle, ",%s,", one);
        char hay[1024];
        str_printf(hay, sizeof hay, ",%s,", addr);
        if (strstr(hay, needle) || len + strlen(one) + 2 > n)
            continue; /* getaddrinfo repeats an address per protocol */
        len += (size_t)snprintf(addr + len, n - len, "%s%s", count ? "," : "", one);
        count++;
    }
    if (count == 0) {
        str_printf(err, errlen, "no usable address for \"%s\"", r->host);
        return -1;
    }
    return count;
}

void resolve_free(struct resolve *r)
{
    if (!r)
        return;
    if (gai_error(&r->cb) == EAI_INPROGRESS && gai_cancel(&r->cb) != EAI_CANCELED) {
        /* glibc is still writing into r: wait for it rather than free memory it uses */
        const struct gaicb *list[1] = {&r->cb};
        struct timespec ts = {5, 0};
        if (gai_suspend(list, 1, &ts) != 0 && gai_error(&r->cb) == EAI_INPROGRESS)
            return; /* a deliberate leak beats a use-after-free */
    }
    if (r->cb.ar_result)
        freeaddrinfo(r->cb.ar_result);
    free(r);
}
