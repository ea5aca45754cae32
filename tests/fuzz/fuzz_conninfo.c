/* fuzz_conninfo: conninfo_scrub, which makes a conninfo safe to show and log. A secret is any
 * option libpq marks as one (dispchar "*": password, sslpassword). Properties:
 * - its output never depends on the password: the input with " password=A" appended and with
 *   " password=B" appended scrub to the same text (later keywords win in libpq);
 * - its output, parsed by libpq, has no secret and every other option of the input unchanged
 *   (so quoting cannot smuggle a password= in or out);
 * - a secret in the input (key=value or URI) never appears in the output, unless it could be
 *   made of other text there: part of a keyword or another value, or spanning two of them. */
#include "fuzz.h"

#include "model/pg/conninfo.h"

#include <libpq-fe.h>

#define OUT_MAX 8192

static const char *opt(PQconninfoOption *opts, const char *key)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val;
    return NULL;
}

static bool is_secret(const PQconninfoOption *o)
{
    return o->dispchar && strchr(o->dispchar, '*');
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The secret sec of the input appears in out although no keyword or other value holds it.
 * Without quotes, blanks, '=' or '\\' it can only sit inside one keyword or value of the
 * output, and those equal the input's; shorter than 4 bytes, it is too common to tell. */
static bool leaked(const char *sec, PQconninfoOption *before, const char *out)
{
    if (!sec || strlen(sec) < 4 || strpbrk(sec, "' \t\n\r\f\v=\\") || !strstr(out, sec))
        return false;
    for (PQconninfoOption *o = before; o->keyword; o++)
        if (strstr(o->keyword, sec) || (!is_secret(o) && o->val && strstr(o->val, sec)))
            return false;
    return true;
}

static void check_scrubbed(const char *in, const char *out)
{
    PQconninfoOption *before = PQconninfoParse(in, NULL);
    if (!before) {
        if (strcmp(out, "(hidden: not a valid conninfo)") != 0)
            fuzz_fail("an invalid conninfo scrubs to \"%s\"", out);
        return;
    }
    char *msg = NULL;
    PQconninfoOption *after = PQconninfoParse(out, &msg);
    if (!after)
        fuzz_fail("scrubbed output \"%s\" is not a conninfo: %s", out, msg ? msg : "?");
    for (PQconninfoOption *o = before; o->keyword; o++) {
        const char *now = opt(after, o->keyword);
        if (is_secret(o)) {
            if (now)
                fuzz_fail("scrubbed output has %s: \"%s\"", o->keyword, out);
            if (leaked(o->val, before, out))
                fuzz_fail("the %s \"%s\" is in the scrubbed output \"%s\"", o->keyword, o->val,
                          out);
        } else if (!same(o->val, now)) {
            fuzz_fail("option %s changed from \"%s\" to \"%s\"", o->keyword, o->val ? o->val : "",
                      now ? now : "(none)");
        }
    }
    PQconninfoFree(after);
    PQconninfoFree(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size);
    static char out[OUT_MAX], out_a[OUT_MAX], out_b[OUT_MAX];
    conninfo_scrub(in, out, sizeof out);
    if (strlen(out) < sizeof out - 1) /* a cut output need not parse */
        check_scrubbed(in, out);

    size_t len = strlen(in);
    char *a = malloc(len + 64), *b = malloc(len + 64);
    if (!a || !b)
        abort();
    snprintf(a, len + 64, "%s password=Aa1'\\\\sekrit", in);
    snprintf(b, len + 64, "%s password=other", in);
    conninfo_scrub(a, out_a, sizeof out_a);
    conninfo_scrub(b, out_b, sizeof out_b);
    /* only when libpq reads the appended text as the password (not inside a quote or a URI) */
    PQconninfoOption *pa = PQconninfoParse(a, NULL), *pb = PQconninfoParse(b, NULL);
    bool appended =
        pa && pb && same(opt(pa, "password"), "Aa1'\\sekrit") && same(opt(pb, "password"), "other");
    PQconninfoFree(pa);
    PQconninfoFree(pb);
    if (appended && strcmp(out_a, out_b) != 0)
        fuzz_fail("the scrubbed text depends on the password: \"%s\" vs \"%s\"", out_a, out_b);
    free(a);
    free(b);
    free(in);
    return 0;
}
