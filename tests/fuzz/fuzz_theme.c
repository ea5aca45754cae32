/* fuzz_theme: the theme file parser (plain C, no terminal). Properties: every style it accepts
 * is a colour the terminal module can use (-1..255) with known attributes; a file it rejects
 * leaves the theme exactly as it was and says FILE:LINE on one line. */
#include "fuzz.h"

#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct theme t, before;
    theme_defaults(&t);
    before = t;
    char err[400] = "";
    if (theme_parse(&t, text, "fuzz.theme", err, sizeof err)) {
        for (int i = 0; i < CR_COUNT; i++) {
            const struct style *st = &t.role[i];
            if (st->fg < COLOR_DEFAULT || st->fg > 255 || st->bg < COLOR_DEFAULT || st->bg > 255)
                fuzz_fail("role %s has colours %d,%d", role_key((enum role)i), st->fg, st->bg);
            if (st->attrs & ~(ATTR_BOLD | ATTR_DIM | ATTR_UNDERLINE | ATTR_REVERSE | ATTR_ITALIC))
                fuzz_fail("role %s has attributes 0x%x", role_key((enum role)i), st->attrs);
        }
    } else {
        if (memcmp(&t, &before, sizeof t) != 0)
            fuzz_fail("a rejected theme changed the theme");
        if (strncmp(err, "fuzz.theme:", 11) != 0 || strchr(err, '\n'))
            fuzz_fail("error is not one FILE:LINE line: \"%s\"", err);
    }
    free(text);
    return 0;
}
