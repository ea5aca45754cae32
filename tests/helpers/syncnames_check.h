/* syncnames_check: the assertions the synchronous_standby_names tests share — parse or fail
 * exactly so, compare names and whole structs, the canonical form — and a long-list builder. */
#ifndef REPLTOP_TEST_SYNCNAMES_CHECK_H
#define REPLTOP_TEST_SYNCNAMES_CHECK_H

#include "model/pg/syncnames.h"

#include <stddef.h>

/* Parses s, failing the test with the parser's message when it does not parse. */
struct syncnames parse_ok(const char *s);
/* Asserts that s is rejected with exactly this message, and that the output was left alone. */
void parse_fails(const char *s, const char *message);
/* The list holds exactly these n names, in this order, byte-exact. */
void assert_names(const struct syncnames *s, const char *const *names, int n);
/* Field by field, names byte-exact, unused names zero (memcmp would also see padding). */
void assert_same(const struct syncnames *a, const struct syncnames *b);
/* syncnames_format() succeeds and writes exactly expected. */
void assert_formats_as(const struct syncnames *s, const char *expected);
/* Builds "ANY 1 (s0, s1, ...)" with n names. */
void many_names(char *buf, size_t size, int n);

#endif
