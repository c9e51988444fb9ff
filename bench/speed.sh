#!/bin/sh
# make speed: the simulator's own speed on a run of at least 50 million
# PCIe requests, functional (counts only) and timed. The last two lines are
#   functional_lookups_per_s N
#   timed_requests_per_s N
# so results can be compared across commits (same machine).
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
CFG=bench/speed.yaml
IOS=${SPEED_IOS:-200000}	# x 256 requests per DMA = 51.2 M requests

field() {
	awk -F, -v want="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == want) c = i }
			      NR==2 { print $c }'
}

now() { date +%s.%N; }

echo "machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown cpu), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "ddwsim: $("$BIN" --version), one process, one core"

t0=$(now)
f=$("$BIN" -q --config $CFG --set run.ios=$IOS --set run.timing=false --format csv)
t1=$(now)
g=$("$BIN" -q --config $CFG --set run.ios=$IOS --set run.timing=true --format csv)
t2=$(now)

fl=$(echo "$f" | field tce_cache.lookups)
tr=$(echo "$g" | field requests)
ev=$(echo "$g" | field events 2>/dev/null || echo 0)
awk -v n="$fl" -v a="$t0" -v b="$t1" 'BEGIN { printf "functional: %d lookups in %.2f s\n", n, b - a }'
awk -v n="$tr" -v a="$t1" -v b="$t2" 'BEGIN { printf "timed:      %d requests in %.2f s\n", n, b - a }'
awk -v n="$fl" -v a="$t0" -v b="$t1" 'BEGIN { printf "functional_lookups_per_s %d\n", n / (b - a) }'
awk -v n="$tr" -v a="$t1" -v b="$t2" 'BEGIN { printf "timed_requests_per_s %d\n", n / (b - a) }'
