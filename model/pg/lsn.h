/* lsn: PostgreSQL WAL positions ("16/B374D848") as 64-bit numbers.
 * 0 is PostgreSQL's InvalidXLogRecPtr, and repltop uses it for "unknown". */
#ifndef REPLTOP_LSN_H
#define REPLTOP_LSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t lsn_t;

#define LSN_UNKNOWN ((lsn_t)0)
#define LSN_STRLEN  20 /* "FFFFFFFF/FFFFFFFF" + NUL, rounded up */

/* Parses "X/Y" (hex halves). Returns false, and leaves *out alone, on anything else. */
bool lsn_parse(const char *s, lsn_t *out);
/* Formats as PostgreSQL does ("0/409D0E8"); LSN_UNKNOWN formats as "" (callers print null/–). */
void lsn_format(lsn_t lsn, char *buf, size_t n);
/* a - b in bytes, or INT64_MIN when either is unknown. Negative when b is ahead. */
int64_t lsn_diff(lsn_t a, lsn_t b);
/* The timeline in a WAL file name ("000000020000000000000004" -> 2), or -1. */
int walfile_timeline(const char *walfile);
/* The first LSN of a WAL file ("000000020000000A00000004" with 16 MB segments -> A/4000000),
 * LSN_UNKNOWN for anything else. */
lsn_t walfile_start(const char *walfile, int64_t segment_size);

#endif
