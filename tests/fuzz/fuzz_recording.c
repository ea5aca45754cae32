/* fuzz_recording: the NDJSON recording reader of --replay (whole file, line index, malformed
 * lines skipped with FILE:LINE) and every frame it indexes, written back as JSON. Properties: no
 * crash, leak or UB; every indexed frame parses again; warnings are one line each. */
#include "fuzz.h"

#include "model/store/json.h"
#include "model/store/record.h"

static void on_warn(void *arg, const char *message)
{
    (*(int *)arg)++;
    if (strchr(message, '\n'))
        fuzz_fail("a warning holds a newline: %s", message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    int warned = 0;
    char err[600] = "";
    struct recording *r = recording_load(path, on_warn, &warned, err, sizeof err);
    if (!r) {
        if (!err[0])
            fuzz_fail("rejected without a reason");
        return 0;
    }
    if (warned != r->skipped)
        fuzz_fail("%d warnings for %d skipped lines", warned, r->skipped);
    for (int i = 0; i < r->nframes; i++) {
        struct snapshot *s = recording_frame(r, i, err, sizeof err);
        if (!s)
            fuzz_fail("frame %d was indexed but does not parse: %s", i, err);
        char *json = snapshot_to_json(s, false);
        free(json);
        snapshot_free(s);
    }
    if (recording_frame(r, r->nframes, err, sizeof err))
        fuzz_fail("a frame past the end");
    recording_free(r);
    return 0;
}
