/* num: how repltop spells "unknown" in numbers. Nothing is ever a silent zero:
 * integers use NUM_UNKNOWN, doubles NAN, LSNs LSN_UNKNOWN, small counts -1. */
#ifndef REPLTOP_NUM_H
#define REPLTOP_NUM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define NUM_UNKNOWN INT64_MIN

static inline bool num_known(int64_t v)
{
    return v != NUM_UNKNOWN;
}

static inline bool dbl_known(double v)
{
    return !isnan(v);
}

#endif
