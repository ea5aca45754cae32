/* golden: shared by the panel and dialog tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "golden.h"
#include "fixture.h"
#include "model/base/util.h"
#include "panels/grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assert_fits(const char *text, int w, int h, bool utf8)
{
    int lines = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        char line[4096];
        size_t len = (size_t)(nl - p);
        assert_true(len < sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        if (text_width(line, utf8) > w)
            fail_msg("line %d is %d columns wide (max %d): %s", lines + 1, text_width(line, utf8),
                     w, line);
        for (size_t i = 0; !utf8 && i < len; i++)
            if ((unsigned char)line[i] >= 0x80)
                fail_msg("line %d has a non-ASCII byte in ASCII mode: %s", lines + 1, line);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, h);
}

void golden_check(const char *text, const char *name, int w, int h)
{
    char file[256];
    str_printf(file, sizeof file, "%s-%dx%d.txt", name, w, h);
    golden_check_file(text, file);
}

void golden_check_file(const char *text, const char *file)
{
    char path[512];
    str_printf(path, sizeof path, "%s/tests/golden/%s", fixture_root(), file);
    const char *update = getenv("REPLTOP_UPDATE_GOLDEN");
    if (update && *update && strcmp(update, "0") != 0) {
        FILE *f = fopen(path, "w");
        if (!f)
            fail_msg("cannot write %s", path);
        fputs(text, f);
        fclose(f);
        return;
    }
    char *want = fixture_slurp(path);
    if (!want)
        fail_msg("%s is missing: run with REPLTOP_UPDATE_GOLDEN=1 to create it", path);
    if (strcmp(want, text) != 0) {
        fprintf(stderr, "--- %s\n%s--- rendered now\n%s", path, want, text);
        free(want);
        fail_msg("%s differs from the rendering (REPLTOP_UPDATE_GOLDEN=1 rewrites it)", path);
    }
    free(want);
}
