/* json_put: unknown-is-null JSON fields (json_put.h). */
#include "model/store/json_put.h"
#include "model/base/num.h"

void json_put_str(cJSON *o, const char *key, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

void json_put_i64(cJSON *o, const char *key, int64_t v)
{
    if (num_known(v))
        cJSON_AddNumberToObject(o, key, (double)v);
    else
        cJSON_AddNullToObject(o, key);
}

void json_put_int(cJSON *o, const char *key, int v)
{
    json_put_i64(o, key, v < 0 ? NUM_UNKNOWN : v);
}

void json_put_tristate(cJSON *o, const char *key, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddBoolToObject(o, key, v);
}
