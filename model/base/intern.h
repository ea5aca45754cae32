/* intern: one shared copy of each distinct string, for the values that every node's snapshot
 * carries and that are seldom set and mostly empty (synchronous_standby_names: up to 1 kB,
 * three copies a node, "" on standbys). Struct copies then copy a pointer. The copies live as
 * long as the process: only settings go there, whose distinct values are few. */
#ifndef REPLTOP_INTERN_H
#define REPLTOP_INTERN_H

/* The shared copy of s (NULL: ""); never NULL, never to be freed or written. */
const char *str_intern(const char *s);

#endif
