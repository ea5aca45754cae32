# Helpers of the resync tests (it_resync.sh, it_resync_faults.sh); source after lib.sh and
# cluster_up. RCONF, when set, is the config file to use instead of the demo's.
J=$TEST_TMP/s.json
OUT=$TEST_TMP/out
resync() { "$REPLTOP" -c "${RCONF:-$CONF}" resync "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
# asides NODE KIND: how many DATADIR.repltop-KIND-* directories the node has
asides() { find "$DEMO_DIR" -maxdepth 1 -name "$1.repltop-$2-*" | wc -l; }
# node_is NODE JQ-CONDITION [CONF]: the node's entry in status --json satisfies the condition
node_is() {
    "$REPLTOP" -c "${3:-$CONF}" status --json >"$J"
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$J" >/dev/null
}
