#!/bin/sh
# make live-mem: the memory each live mapping holds in a replay (issue 13:
# at most 64 bytes functional, 160 timed; 10^8 live mappings under 8 GB),
# functional and timed at 2^20, functional at 10^8. For each
# config, peak RSS (/usr/bin/time %M) with its ring_size, less that with a
# small ring (the fixed part), divided by the difference in live mappings
# (ring_size x queues):
#   bench/live-mem.yaml      2^20 live (ring 2^20 against 1024), seconds
#   bench/live-mem-1e8.yaml  10^8 live (ring 10^6 x 100 queues against 10 x
#                            100), a minute or more and about 7 GB; skipped
#                            with LIVE_MEM_1E8=0
# Not part of make test.
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
OUT=/tmp/ddwsim-live-mem.$$
trap 'rm -f $OUT' EXIT

# peak_kib CONFIG RING: the run's peak RSS in KiB (and its time on stderr);
# $TIMING says which replay
peak_kib()
{
	/usr/bin/time -f "%M %e" -o $OUT "$BIN" -q --config "$1" --set run.timing=$TIMING \
		--set workload.ring_size="$2" >/dev/null
	cat $OUT >&2
	cut -d' ' -f1 $OUT
}

# measure CONFIG RING SMALL QUEUES: prints peak RSS and bytes per live mapping
measure()
{
	echo "$1, run.timing=$TIMING: ring_size $2 against $3, $4 queue(s) (peak KiB, s):" >&2
	big=$(peak_kib "$1" "$2")
	small=$(peak_kib "$1" "$3")
	awk -v b="$big" -v s="$small" -v n="$(( ($2 - $3) * $4 ))" 'BEGIN {
		printf "  peak RSS %.1f MiB (%.2f GB); %.1f bytes per live mapping (%d mappings)\n",
		       b / 1024, b * 1024 / 1e9, (b - s) * 1024 / n, n
	}'
}

TIMING=false measure bench/live-mem.yaml 1048576 1024 1
TIMING=true measure bench/live-mem.yaml 1048576 1024 1
TIMING=false
if [ "${LIVE_MEM_1E8:-1}" != 0 ]; then
	measure bench/live-mem-1e8.yaml 1000000 10 100
fi
