#!/bin/sh
# make calibrate: runs configs/calibration/*.yaml and prints, per case,
# ddwsim's figure next to the published one (reference/numbers.md §4) and
# whether it is within the stated tolerance. Exit status 1 if a case misses.
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
CAL=configs/calibration
fail=0

# field NAME: the value of column NAME in the CSV on stdin (first mode)
field() {
	awk -F, -v want="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == want) c = i }
			      NR==2 { print $c }'
}

check() {	# label got want tol unit
	verdict=$(awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d;
						     print (d <= t) ? "ok" : "MISS" }')
	[ "$verdict" = ok ] || fail=1
	printf '  %-34s ddwsim %12s  published %10s  tolerance %8s %-5s %s\n' "$1" "$2" "$3" "$4" "$5" "$verdict"
}

echo "1. pcie-bench IOTLB knee: 64 B random reads, 4K pages, 160-entry LRU, 355 ns miss ($CAL/pcie-bench-iotlb.yaml)"
for row in "8K 538.0" "256K 538.0" "512K 562.7" "1M 694.3" "2M 760.3" "4M 820.9" "8M 860.4" "64M 898.0"; do
	set -- $row
	out=$("$BIN" -q --config $CAL/pcie-bench-iotlb.yaml --set workload.window=$1 --format csv)
	mean=$(echo "$out" | field device.latency_ns.mean)
	hit=$(echo "$out" | field tce_cache.hit_rate)
	check "window $1: mean latency" "$mean" "$2" 30 ns
	closed=$(awk -v w="$1" 'BEGIN { n = w + 0; u = substr(w, length(w));
		if (u == "K") n *= 1024; if (u == "M") n *= 1048576;
		m = 1 - 160 * 4096 / n; if (m < 0) m = 0; printf "%.4f", m }')
	miss=$(awk -v h="$hit" 'BEGIN { printf "%.4f", 1 - h }')
	check "window $1: miss rate vs closed form" "$miss" "$closed" 0.01 ""
done

echo "2. KVM + VFIO on PowerNV PHB4, 100 GiB guest mapped into a huge window, an OPAL kill per TCE ($CAL/powernv-100g-kill-*.yaml)"
per=$("$BIN" -q --config $CAL/powernv-100g-kill-per-tce.yaml --format csv)
bat=$("$BIN" -q --config $CAL/powernv-100g-kill-batched.yaml --format csv)
per_ns=$(echo "$per" | field setup.time_ns)
per_s=$(awk -v n="$per_ns" 'BEGIN { printf "%.2f", n / 1e9 }')
check "PHB kill time, $(echo "$per" | field setup.kills) kills" "$per_s" 9 1 s
ratio=$(awk -v a="$(echo "$bat" | field setup.time_ns)" -v b="$per_ns" 'BEGIN { printf "%.4f", a / b }')
check "per-hcall ($(echo "$bat" | field setup.kills)) / per-TCE kill time" "$ratio" 0.25 0.25 "(<=0.5)"

echo "3. P9 KVM, default window, virtual-mode H_PUT_TCE, 1 GbE, 1500 B frames ($CAL/p9-kvm-1gbe-default-window.yaml)"
gbps=$("$BIN" -q --config $CAL/p9-kvm-1gbe-default-window.yaml --format csv | field device.throughput_gbps)
mbps=$(awk -v g="$gbps" 'BEGIN { printf "%.0f", g * 1000 }')
check "throughput (Mb/s, must exceed 800)" "$mbps" 1100 300 "(>800)"
exit $fail
