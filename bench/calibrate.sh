#!/bin/sh
# make calibrate: runs configs/calibration/*.yaml and prints, per check,
# ddwsim's figure, the published one (reference/numbers.md §3.2, §4), their
# ratio, the tolerance a reader would accept and the verdict; then, per case,
# the parameters that drive it, with where each value comes from (a value a
# calibration config sets is shown with that line's comment, which says
# whether it was fitted). Exit status 1 if a check misses.
#
# Tolerances: abs T  |got - published| <= T (unit as printed)
#             rel T  |got / published - 1| <= T
#             max T  got <= T (the published figure is a bound)
#             min T  got >= T
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
CAL=configs/calibration
fail=0

# field NAME: the value of column NAME in the CSV on stdin (first mode)
field() {
	awk -F, -v want="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == want) c = i }
			      NR==2 { print $c }'
}

check() {	# label got published kind tol unit
	line=$(awk -v l="$1" -v g="$2" -v p="$3" -v k="$4" -v t="$5" -v u="$6" 'BEGIN {
		r = (p + 0 != 0) ? sprintf("%.3f", g / p) : "-"
		if (k == "abs") { d = g - p; if (d < 0) d = -d; ok = d <= t + 0; tol = "+-" t }
		if (k == "rel") { ok = p + 0 != 0 && g / p - 1 <= t + 0 && 1 - g / p <= t + 0
				  tol = "+-" t * 100 "%" }
		if (k == "max") { ok = g + 0 <= t + 0; tol = "<=" t }
		if (k == "min") { ok = g + 0 >= t + 0; tol = ">=" t }
		if (u != "") tol = tol " " u
		printf "  %-38s got %10s  published %9s  ratio %6s  tolerance %-11s %s\n",
		       l, g, p, r, tol, ok ? "ok" : "MISS" }')
	echo "$line"
	case $line in *MISS) fail=1 ;; esac
}

# drives CONFIG KEY...: each key's value and source, as the report gives them
drives() {
	cfg=$1
	shift
	"$BIN" -q --config "$cfg" --format json | awk -v keys="$*" '
		BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) want["\"" k[i] "\":"] = i }
		$1 in want {
			match($0, /"value": "[^"]*"/); v = substr($0, RSTART + 10, RLENGTH - 11)
			match($0, /"unit": "[^"]*"/); u = substr($0, RSTART + 9, RLENGTH - 10)
			match($0, /"source": "[^"]*"/); s = substr($0, RSTART + 11, RLENGTH - 12)
			a = ($0 ~ /"assumed": true/) ? " [assumed]" : ""
			key = $1; gsub(/[":]/, "", key)
			out[want[$1]] = sprintf("%s = %s%s%s  (%s)", key, v, u == "" ? "" : " " u, a, s)
		}
		END { for (i = 1; i <= n; i++) if (i in out) print out[i] }' |
	while IFS= read -r l; do
		pos=$(echo "$l" | sed -n 's/.*(\([^():]*\.yaml\):\([0-9]*\):[0-9]*)$/\1 \2/p')
		note=""
		if [ -n "$pos" ]; then
			set -- $pos
			note=$(sed -n "${2}p" "$1" | sed -n 's/.*# *//p')
		fi
		echo "    drives it: $l${note:+ -- $note}"
	done
}

# to_bytes 512K: 524288
to_bytes() {
	awk -v w="$1" 'BEGIN { n = w + 0; u = substr(w, length(w));
		if (u == "K") n *= 1024; if (u == "M") n *= 1048576; print n }'
}

IOTLB=$CAL/pcie-bench-iotlb.yaml
echo "1. pcie-bench IOTLB knee, latency: 64 B random reads one at a time, 4K pages ($IOTLB)"
for row in "8K 538.0" "256K 538.0" "512K 562.7" "1M 694.3" "2M 760.3" "4M 820.9" "8M 860.4" "64M 898.0"; do
	set -- $row
	out=$("$BIN" -q --config $IOTLB --set workload.window=$1 --format csv)
	mean=$(echo "$out" | field device.latency_ns.mean)
	hit=$(echo "$out" | field tce_cache.hit_rate)
	check "window $1: mean latency" "$mean" "$2" abs 30 ns
	closed=$(awk -v n="$(to_bytes "$1")" 'BEGIN { m = 1 - 160 * 4096 / n; if (m < 0) m = 0;
						      printf "%.4f", m }')
	miss=$(awk -v h="$hit" 'BEGIN { printf "%.4f", 1 - h }')
	check "window $1: miss rate vs closed form" "$miss" "$closed" abs 0.01 ""
done
drives $IOTLB platform.tce_cache.entries platform.tce_cache.policy platform.walk.memory_latency_ns \
	platform.memory_latency_ns platform.pcie.latency_ns platform.tce_cache.hit_cycles

# 8–256 KB: the table gives the range 33.06–33.58 Gb/s; its middle is used
echo "1b. pcie-bench IOTLB knee, bandwidth: the same platform, 64 B random reads pipelined ($IOTLB)"
for row in "8K 33.32" "256K 33.32" "512K 22.87" "1M 15.36" "2M 12.18" "4M 10.73" "8M 10.19" "64M 9.84"; do
	set -- $row
	gbps=$("$BIN" -q --config $IOTLB --set workload.window=$1 --set workload.outstanding=0 \
	       --format csv | field device.throughput_gbps)
	check "window $1: 64 B read bandwidth" "$gbps" "$2" rel 0.10 Gb/s
done
# Why 512K misses, measured: the cache parameters that exist, each at 512K
# (and 1M for a capacity fitted to 512K), in both runs.
echo "  why 512K misses: uniform random 4K pages over a window miss max(0, 1 - entries x 4K / window) once"
echo "  warm, whatever the ways and the policy, and the latency and bandwidth runs draw the same pages:"
for c in "160 0 lru 512K" "160 4 lru 512K" "160 8 lru 512K" "160 0 fifo 512K" "160 0 random 512K" \
	 "104 0 lru 512K" "104 0 lru 1M"; do
	set -- $c
	ways=$2; [ "$ways" = 0 ] && ways=full
	lat=$("$BIN" -q --config $IOTLB --set workload.window=$4 --set platform.tce_cache.entries=$1 \
	      --set platform.tce_cache.ways=$2 --set platform.tce_cache.policy=$3 --format csv)
	bw=$("$BIN" -q --config $IOTLB --set workload.window=$4 --set platform.tce_cache.entries=$1 \
	     --set platform.tce_cache.ways=$2 --set platform.tce_cache.policy=$3 \
	     --set workload.outstanding=0 --format csv | field device.throughput_gbps)
	miss=$(echo "$lat" | field tce_cache.hit_rate | awk '{ printf "%.4f", 1 - $1 }')
	printf '    %4s: %3s entries, ways %-4s %-6s latency %6s ns, misses %s; bandwidth %6s Gb/s\n' \
	       "$4" "$1" "$ways" "$3" "$(echo "$lat" | field device.latency_ns.mean)" "$miss" "$bw"
done
echo "  published at 512K: latency 562.7 ns (7 % misses at 355 ns) and 64 B write bandwidth 24.27 Gb/s"
echo "  (as at 8K) show few misses; read bandwidth alone drops 31 %. No sourced mechanism with one set of"
echo "  parameters gives both tables there (README, Calibration), so 512K is left as a miss."
drives $IOTLB platform.tce_cache.busy_cycles platform.walk.busy_cycles platform.walk.max_outstanding \
	platform.walk.hit_under_miss platform.pcie.read_tags platform.pcie.gen platform.pcie.lanes \
	platform.pcie.mps

echo "2. KVM + VFIO on PowerNV PHB4, 100 GiB guest mapped into a huge window, an OPAL kill per TCE ($CAL/powernv-100g-kill-*.yaml)"
per=$("$BIN" -q --config $CAL/powernv-100g-kill-per-tce.yaml --format csv)
bat=$("$BIN" -q --config $CAL/powernv-100g-kill-batched.yaml --format csv)
per_ns=$(echo "$per" | field setup.time_ns)
per_s=$(awk -v n="$per_ns" 'BEGIN { printf "%.2f", n / 1e9 }')
check "PHB kill time, $(echo "$per" | field setup.kills) kills" "$per_s" 9 abs 1 s
ratio=$(awk -v a="$(echo "$bat" | field setup.time_ns)" -v b="$per_ns" 'BEGIN { printf "%.4f", a / b }')
# published: 20 s with a kill per TCE, under 10 s batched, so the ratio is a bound
check "per-hcall ($(echo "$bat" | field setup.kills)) / per-TCE kill time" "$ratio" 0.5 max 0.5 ""
drives $CAL/powernv-100g-kill-per-tce.yaml platform.kill.cpu_ns platform.kill.per_tce \
	platform.kill.opal platform.kill.scope platform.host_tce.ram_page_size

P9=$CAL/p9-kvm-1gbe-default-window.yaml
echo "3. P9 KVM, default window, virtual-mode H_PUT_TCE, 1 GbE, 1500 B frames ($P9)"
gbps=$("$BIN" -q --config $P9 --format csv | field device.throughput_gbps)
mbps=$(awk -v g="$gbps" 'BEGIN { printf "%.0f", g * 1000 }')
check "throughput (published: above 800 Mb/s)" "$mbps" 800 min 800 Mb/s
drives $P9 platform.hcall.entry_exit_cycles platform.hcall.put_tce_cycles host.cpu_mhz \
	host.cost.alloc_cycles
LINK=$CAL/pcie-model-link.yaml
echo "4. PCIe link against the pcie-bench model (pcie_bw.py, numbers.md §3.2), 64-bit addresses ($LINK)"
# size direction gen lanes mps published-Gb/s (numbers.md gives GB/s: x 8)
for row in "64K write 3 8 128 47.68" "64K write 3 8 256 52.96" "64K write 3 8 512 54.72" \
	   "64K write 4 16 128 188.16" "64K write 4 16 256 207.92" "64K write 4 16 512 218.96" \
	   "64K write 3 16 256 103.95" "64K read 3 16 256 105.46" "64K read 4 16 256 210.96" \
	   "64 write 3 16 256 82.69" "64 read 3 16 256 86.63"; do
	set -- $row
	n=2000
	[ "$1" = 64 ] && n=50000	# the first DMA's latency stays under 0.1 % of the span
	gbps=$("$BIN" -q --config $LINK --set workload.access=$1 --set workload.direction=$2 \
	       --set platform.pcie.gen=$3 --set platform.pcie.lanes=$4 --set platform.pcie.mps=$5 \
	       --set run.ios=$n --format csv | field device.throughput_gbps)
	check "Gen$3 x$4 MPS $5: $1 B ${2}s" "$gbps" "$6" rel 0.02 Gb/s
done
drives $LINK platform.pcie.mrrs platform.pcie.rcb platform.pcie.rcb_chunks platform.pcie.ecrc
exit $fail
