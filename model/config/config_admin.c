/* config_admin: the conninfo an action uses (least privilege: watching and acting are two
 * roles, docs/DESIGN.md "Privileges"). */
#include "model/config/config.h"
#include "model/base/util.h"
#include "model/pg/conninfo.h"

#include <stdlib.h>

char *config_admin_conninfo(const struct config *c, const struct node_conf *node)
{
    if (node->admin)
        return xstrdup(node->admin);
    if (!c->admin_user)
        return node->conninfo ? xstrdup(node->conninfo) : NULL;
    char *with_user = conninfo_with(node->conninfo, "user", c->admin_user);
    char *out = with_user ? conninfo_with(with_user, "password", NULL) : NULL;
    free(with_user);
    return out;
}
