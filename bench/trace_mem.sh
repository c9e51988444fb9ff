#!/bin/sh
# make trace-mem: a generated trace of about 100 million ops (nic_rx: 3 ops
# per packet) piped into a timed replay; prints the replay's peak RSS, which
# must stay under 64 MiB whatever the trace length (the readers stream).
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
PACKETS=${TRACE_MEM_PACKETS:-33333334}
LIMIT_KB=65536

echo "trace: nic_rx, $PACKETS packets = $((PACKETS * 3 + 512)) ops, text, through a pipe"
"$BIN" trace gen --config configs/default.yaml --set run.ios=$PACKETS - |
	/usr/bin/time -f "replay: peak RSS %M KiB, %e s" -o /tmp/ddwsim-trace-mem.$$ \
	"$BIN" -q --config bench/trace-stdin.yaml --format csv >/dev/null
cat /tmp/ddwsim-trace-mem.$$
rss=$(sed -n 's/replay: peak RSS \([0-9]*\) KiB.*/\1/p' /tmp/ddwsim-trace-mem.$$)
rm -f /tmp/ddwsim-trace-mem.$$
if [ "$rss" -lt $LIMIT_KB ]; then echo "ok: under 64 MiB"; else echo "MISS: over 64 MiB"; exit 1; fi
