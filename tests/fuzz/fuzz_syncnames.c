/* fuzz_syncnames: the synchronous_standby_names parser and formatter. Properties: when a value
 * parses, its canonical form formats (into SYNCNAMES_FORMAT_MAX bytes) and parses back to the
 * very same struct (explicit_method aside); removing a name keeps that true; an error is one
 * line. */
#include "fuzz.h"

#include "model/pg/syncnames.h"

static void round_trip(const struct syncnames *a, const char *what)
{
    char text[SYNCNAMES_FORMAT_MAX];
    if (!syncnames_format(a, text, sizeof text))
        fuzz_fail("%s: a parsed value does not format (method %d, num %d, %d names)", what,
                  (int)a->method, a->num, a->nnames);
    struct syncnames b;
    char err[300];
    if (!syncnames_parse(text, &b, err, sizeof err))
        fuzz_fail("%s: formatted \"%s\" does not parse: %s", what, text, err);
    if (!syncnames_equal(a, &b) || a->nnames != b.nnames)
        fuzz_fail("%s: \"%s\" parses to a different setting", what, text);
    for (int i = 0; i < a->nnames; i++)
        if (strcmp(a->names[i], b.names[i]) != 0)
            fuzz_fail("%s: name %d is \"%s\", back as \"%s\"", what, i, a->names[i], b.names[i]);
    if (a->method != SYNC_NONE && !b.explicit_method)
        fuzz_fail("%s: the canonical form \"%s\" has no FIRST/ANY", what, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fuzz_cstr(data, size);
    struct syncnames s;
    char err[300];
    if (syncnames_parse(src, &s, err, sizeof err)) {
        if (s.method != SYNC_NONE && (s.num < 1 || s.nnames < 1 || s.nnames > SYNC_MAX_NAMES))
            fuzz_fail("parsed num %d with %d names", s.num, s.nnames);
        round_trip(&s, "parse");
        if (s.nnames > 0) {
            char first[SYNC_NAME_LEN];
            memcpy(first, s.names[0], sizeof first);
            if (!syncnames_remove(&s, first))
                fuzz_fail("cannot remove the listed name \"%s\"", first);
            if (s.method != SYNC_NONE)
                round_trip(&s, "remove");
        }
    } else if (!err[0] || strchr(err, '\n')) {
        fuzz_fail("error message is empty or several lines: \"%s\"", err);
    }
    free(src);
    return 0;
}
