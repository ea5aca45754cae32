/* new_replica: what the new-replica form (the dialog of `a`, panels/new_replica.c) decides,
 * exposed for its tests. */
#ifndef REPLTOP_NEW_REPLICA_H
#define REPLTOP_NEW_REPLICA_H

#include "dialog_class.h"

#include <stddef.h>

/* The lines the new-replica form would add to the config file, as the command writes them: a
 * heap string, "" when its name is a configured node that only needs building, NULL when the
 * form cannot run. */
char *add_config_text(const struct dialog *d, const struct snapshot *s);
/* Why Enter cannot run the new-replica form (written into buf), or NULL. */
const char *add_refusal(const struct dialog *d, const struct snapshot *s, char *buf, size_t n);

#endif
