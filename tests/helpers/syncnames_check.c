/* syncnames_check: shared by the synchronous_standby_names tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "syncnames_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct syncnames parse_ok(const char *s)
{
    struct syncnames out;
    char err[256] = "";
    if (!syncnames_parse(s, &out, err, sizeof err))
        fail_msg("parse of '%s' failed: %s", s ? s : "(null)", err);
    return out;
}

void parse_fails(const char *s, const char *message)
{
    struct syncnames out, before;
    memset(&out, 0x5a, sizeof out);
    before = out;
    char err[512] = "";
    bool ok = syncnames_parse(s, &out, err, sizeof err);
    if (ok)
        fail_msg("'%s' parsed, expected: %s", s, message);
    assert_string_equal(err, message);
    assert_memory_equal(&out, &before, sizeof out);
}

void assert_names(const struct syncnames *s, const char *const *names, int n)
{
    assert_int_equal(s->nnames, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(s->names[i], names[i]);
}

/* Field by field, names byte-exact, unused names zero (memcmp would also see padding). */
void assert_same(const struct syncnames *a, const struct syncnames *b)
{
    assert_int_equal(a->method, b->method);
    assert_int_equal(a->num, b->num);
    assert_int_equal(a->explicit_method, b->explicit_method);
    assert_int_equal(a->nnames, b->nnames);
    assert_memory_equal(a->names, b->names, sizeof a->names);
}

void assert_formats_as(const struct syncnames *s, const char *expected)
{
    char buf[SYNCNAMES_FORMAT_MAX];
    assert_true(syncnames_format(s, buf, sizeof buf));
    assert_string_equal(buf, expected);
}

void many_names(char *buf, size_t size, int n)
{
    size_t len = (size_t)snprintf(buf, size, "ANY 1 (");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, size - len, "%ss%d", i ? ", " : "", i);
    snprintf(buf + len, size - len, ")");
}
