/* schedule: the refresh timer of a watched cluster (see schedule.h). */
#include "model/watch/schedule.h"
#include "model/base/util.h"

#include <math.h>

#define GATHER_MS 5

/* Milliseconds until the next refresh. A whole number of seconds is counted from the last turn
 * of the wall-clock second, so that in the dashboard the refresh and the header clock's new
 * second come together and make one drawing, not two. */
static int64_t next_refresh_ms(double interval_s)
{
    int64_t ms = (int64_t)(interval_s * 1000);
    if (ms % 1000 != 0)
        return ms;
    double wall = clock_wall();
    int64_t next = ms - (int64_t)((wall - floor(wall)) * 1000); /* to a turn of the second */
    return next < ms / 2 ? next + 1000 : next;                  /* never much sooner than asked */
}

void schedule_init(struct schedule *sc, int64_t now_ms)
{
    sc->refreshing = false;
    sc->started = now_ms;
    sc->next = now_ms;
}

/* With 200 local servers each send wakes a backend that takes the CPU, and the whole burst took
 * 110-150 ms; between slices the caller answers its own descriptors (bench/RESULTS.md, 2). */
bool schedule_send(struct schedule *sc, struct fleet *f, double interval_s, bool paused,
                   int64_t now_ms, int slice_ms)
{
    if (!sc->refreshing && !paused && now_ms >= sc->next) {
        fleet_refresh_begin(f, now_ms);
        sc->refreshing = true;
        sc->started = now_ms;
        sc->next = now_ms + next_refresh_ms(interval_s);
    }
    return sc->refreshing && fleet_refresh_send(f, now_ms + slice_ms);
}

int schedule_due_ms(const struct schedule *sc, bool paused, int64_t now_ms)
{
    if (sc->refreshing || paused)
        return -1;
    return timeout_until(sc->next, now_ms);
}

int schedule_collect(struct schedule *sc, struct fleet *f, fleet_snapshot_fn fn, void *arg)
{
    if (!sc->refreshing)
        return 0;
    int n = fleet_collect(f, fn, arg);
    sc->refreshing = fleet_refreshing(f);
    return n;
}

void schedule_rebuilt(struct schedule *sc, const struct fleet *f, int64_t now_ms)
{
    sc->refreshing = fleet_refreshing(f);
    if (!sc->refreshing)
        sc->next = now_ms;
}

void schedule_gather(struct pollfd *pfds, int nfix, int timeout)
{
    int wait = timeout < 0 || timeout > GATHER_MS ? GATHER_MS : timeout;
    (void)poll(pfds, (nfds_t)nfix, wait); /* an error shows in the caller's full poll() */
}
