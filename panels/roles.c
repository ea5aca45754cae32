/* roles: the tables ROLES(X) expands into. */
#include "roles.h"

#include <string.h>

static const char *const keys[CR_COUNT] = {
#define CR_KEY(id, key, def) [CR_##id] = key,
    ROLES(CR_KEY)
#undef CR_KEY
};

static const char *const defaults[CR_COUNT] = {
#define CR_DEF(id, key, def) [CR_##id] = def,
    ROLES(CR_DEF)
#undef CR_DEF
};

const char *role_key(enum role r)
{
    return (unsigned)r < CR_COUNT ? keys[r] : "?";
}

int role_from_key(const char *key)
{
    for (int i = 0; i < CR_COUNT; i++)
        if (strcmp(keys[i], key) == 0)
            return i;
    return -1;
}

const char *role_default(enum role r)
{
    return (unsigned)r < CR_COUNT ? defaults[r] : "default,default";
}
