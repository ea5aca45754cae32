/* golden: the checks the rendering tests share on a screen rendered as text — it fits the
 * terminal, and it equals its golden file tests/golden/NAME-COLSxROWS.txt. */
#ifndef REPLTOP_TEST_GOLDEN_H
#define REPLTOP_TEST_GOLDEN_H

#include <stdbool.h>

/* Every line fits w columns, there are exactly h of them, and without utf8 every byte is ASCII. */
void assert_fits(const char *text, int w, int h, bool utf8);
/* text equals tests/golden/NAME-WxH.txt; fails the running test with both texts on stderr when
 * it does not. With REPLTOP_UPDATE_GOLDEN=1 the file is rewritten instead: read the diff before
 * committing it. */
void golden_check(const char *text, const char *name, int w, int h);
/* The same for any text and its golden file tests/golden/FILE. */
void golden_check_file(const char *text, const char *file);

#endif
