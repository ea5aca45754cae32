/* config_units: sizes ("16MB") and durations ("2s", "500ms", "1min") as the config file and the
 * command line write them (config.h). */
#include "model/config/config.h"
#include "model/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* A non-negative finite number, then blanks: *unit points at what follows it. */
static bool split_number(const char *s, double *v, const char **unit)
{
    if (str_empty(s))
        return false;
    errno = 0;
    char *end;
    *v = strtod(s, &end);
    if (errno || end == s || *v < 0 || !isfinite(*v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    *unit = end;
    return true;
}

bool config_parse_bytes(const char *s, int64_t *out)
{
    static const struct {
        const char *unit;
        int64_t mult;
    } units[] = {{"", 1},           {"b", 1},         {"kb", 1024},
                 {"k", 1024},       {"mb", 1 << 20},  {"m", 1 << 20},
                 {"gb", 1LL << 30}, {"g", 1LL << 30}, {"tb", 1LL << 40}};
    double v;
    const char *end;
    if (!split_number(s, &v, &end))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = v * (double)units[i].mult;
            if (bytes > 9e18)
                return false;
            *out = (int64_t)bytes;
            return true;
        }
    }
    return false;
}

bool config_parse_seconds(const char *s, double *out)
{
    double v;
    const char *end;
    if (!split_number(s, &v, &end))
        return false;
    if (*end == '\0' || strcasecmp(end, "s") == 0)
        *out = v;
    else if (strcasecmp(end, "ms") == 0)
        *out = v / 1000;
    else if (strcasecmp(end, "min") == 0)
        *out = v * 60;
    else
        return false;
    return true;
}
