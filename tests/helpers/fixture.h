/* fixture: what the rendering tests share — the repository root, whole files, and snapshots
 * read from tests/fixtures/NAME.json. */
#ifndef REPLTOP_TEST_FIXTURE_H
#define REPLTOP_TEST_FIXTURE_H

#include "model/watch/snapshot.h"

/* $REPLTOP_ROOT (set by tests/run_all.sh), else "." */
const char *fixture_root(void);
/* The whole file as a NUL-terminated heap string, NULL when it cannot be read. */
char *fixture_slurp(const char *path);
/* tests/fixtures/NAME.json as a snapshot; fails the running test when it cannot. */
struct snapshot *fixture_load(const char *name);

#endif
