#!/bin/sh
# Memory per live mapping (issue 13: at most 64 B functional, 160 B timed):
# bench/live-mem.yaml keeps 2^20 nic_rx buffers mapped; the peak RSS with
# workload.ring_size=2^20 less that with 1024, divided by 2^20 - 1024, is what
# each live mapping holds, in the functional replay and in the timed one.
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT

rss() {	# rss TIMING RING: peak RSS in KiB
	/usr/bin/time -f %M -o "$TMP" "$BIN" -q --config bench/live-mem.yaml \
		--set run.timing="$1" --set workload.ring_size="$2" --format csv >/dev/null
	tail -1 "$TMP"
}

for timing in false true; do
	big=$(rss $timing 1048576)
	small=$(rss $timing 1024)
	awk -v t="$timing" -v b="$big" -v s="$small" 'BEGIN {
		printf "%-10s peak RSS %7d KiB with 2^20 live, %5d KiB with 1024: %.1f bytes per live mapping\n",
		       t == "true" ? "timed" : "functional", b, s, (b - s) * 1024 / (1048576 - 1024) }'
done
