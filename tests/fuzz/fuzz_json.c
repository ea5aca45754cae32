/* fuzz_json: the snapshot JSON reader (--replay, tests) and the writer on what it read.
 * Properties: what snapshot_from_json accepts, snapshot_to_json writes (pretty and as one NDJSON
 * line) and snapshot_from_json reads back with the same nodes and problems. */
#include "fuzz.h"

#include "model/store/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char err[300] = "";
    struct snapshot *s = snapshot_from_json(text, err, sizeof err);
    if (!s) {
        if (!err[0])
            fuzz_fail("rejected without a reason");
        free(text);
        return 0;
    }
    char *pretty = snapshot_to_json(s, true);
    char *line = snapshot_to_json(s, false);
    if (strchr(line, '\n'))
        fuzz_fail("an NDJSON line holds a newline");
    struct snapshot *back = snapshot_from_json(line, err, sizeof err);
    if (!back)
        fuzz_fail("snapshot_from_json rejects what snapshot_to_json wrote: %s", err);
    if (back->nnodes != s->nnodes || back->nproblems != s->nproblems)
        fuzz_fail("read back %d nodes, %d problems instead of %d, %d", back->nnodes,
                  back->nproblems, s->nnodes, s->nproblems);
    for (int i = 0; i < s->nnodes; i++)
        if (strcmp(back->nodes[i].name, s->nodes[i].name) != 0)
            fuzz_fail("node %d is \"%s\", read back as \"%s\"", i, s->nodes[i].name,
                      back->nodes[i].name);
    snapshot_free(back);
    free(line);
    free(pretty);
    snapshot_free(s);
    free(text);
    return 0;
}
