/* fixture: shared by the panel and dialog tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "model/store/json.h"
#include "model/base/util.h"

#include <stdio.h>
#include <stdlib.h>

const char *fixture_root(void)
{
    const char *r = getenv("REPLTOP_ROOT");
    return r && *r ? r : ".";
}

char *fixture_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = xmalloc((size_t)(n > 0 ? n : 0) + 1);
    size_t got = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

struct snapshot *fixture_load(const char *name)
{
    char path[512], err[256];
    str_printf(path, sizeof path, "%s/tests/fixtures/%s.json", fixture_root(), name);
    char *text = fixture_slurp(path);
    if (!text)
        fail_msg("cannot read %s", path);
    struct snapshot *s = snapshot_from_json(text, err, sizeof err);
    free(text);
    if (!s)
        fail_msg("%s: %s", path, err);
    return s;
}
