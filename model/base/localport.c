/* localport: a TCP port tried the way a server would take it, bind() on the loopback addresses. */
#include "model/base/localport.h"
#include "model/base/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool localport_taken(int port, char *why, size_t whylen)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    v6.sin6_addr = in6addr_loopback;
    const struct {
        int family;
        const struct sockaddr *sa;
        socklen_t len;
        const char *name;
    } tries[] = {{AF_INET, (const struct sockaddr *)&v4, sizeof v4, "127.0.0.1"},
                 {AF_INET6, (const struct sockaddr *)&v6, sizeof v6, "[::1]"}};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        int fd = socket(tries[i].family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue; /* no IPv6 here: nothing can listen on it either */
        /* as PostgreSQL does: connections to the port lingering in TIME_WAIT do not hold it */
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        int rc = bind(fd, tries[i].sa, tries[i].len);
        int e = errno;
        close(fd);
        if (rc != 0 && (e == EADDRINUSE || e == EACCES)) {
            str_printf(why, whylen, "port %d is taken on this host (%s:%d: %s)", port,
                       tries[i].name, port, strerror(e));
            return true;
        }
    }
    return false;
}
