#!/bin/sh
# make import-scale: both importers on 10^5 and 10^6 generated lines; the
# time ratio of the two sizes is about 10 when an importer is linear in its
# input (issue 11: 300,000 identical ftrace maps used to take over 60 s).
#   ftrace: maps of one page that are never unmapped, 256 devices in turn,
#           every device mapping the same bus addresses again and again;
#   qemu:   H_PUT_TCE, a translation and an H_STUFF_TCE of one page, with a
#           clear of the whole 1 GiB window every 1000 lines.
set -eu
BIN=${DDWSIM_BIN:-./ddwsim}
DIR=${BENCH_DIR:-build/bench}
mkdir -p "$DIR"

gen_ftrace() {	# $1 lines
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			d = i % 256
			printf "          <idle>-0       [000] ..s2.   %d.%06d: dma_map_page: 0000:%02x:%02x.%d dir=FROM_DEVICE dma_addr=%x size=2048 phys_addr=12340800 attrs=\n",
				100 + int(i / 1000000), i % 1000000, int(d / 32), int(d / 8) % 4, d % 8, 8192 + (i % 4096) * 4096
		}
	}'
}

gen_qemu() {	# $1 lines
	awk -v n="$1" 'BEGIN {
		printf "100@1.000000:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x40000000 tcevalue=0x0 npages=262144 ret=0\n"
		for (i = 1; i < n; i++) {
			t = sprintf("100@%d.%06d:", 2 + int(i / 1000000), i % 1000000)
			p = int(i / 3) % 200000 + 16
			if (i % 1000 == 0)
				printf "%sspapr_iommu_pci_stuff liobn=0x80000000 ioba=0x40000000 tcevalue=0x0 npages=262144 ret=0\n", t
			else if (i % 3 == 0)
				printf "%sspapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x%x ret=0\n", t, p * 4096, p * 4096 + 3
			else if (i % 3 == 1)
				printf "%sspapr_iommu_xlate liobn=0x80000000 0x%x -> 0x%x perm=3 mask=0xfff\n", t, p * 4096, p * 4096
			else
				printf "%sspapr_iommu_pci_stuff liobn=0x80000000 ioba=0x%x tcevalue=0x0 npages=1 ret=0\n", t, (p + 1) * 4096
		}
	}'
}

now() { date +%s.%N; }

timed() {	# $1 kind, $2 lines: seconds to import them
	log="$DIR/$1-$2.log"
	[ -s "$log" ] || gen_$1 "$2" >"$log"
	t0=$(now)
	"$BIN" trace import --from "$1" "$log" "$DIR/$1-$2.ddwb" 2>/dev/null
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

echo "machine: $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores"
for kind in ftrace qemu; do
	a=$(timed $kind 100000)
	b=$(timed $kind 1000000)
	awk -v k=$kind -v a="$a" -v b="$b" 'BEGIN {
		printf "%-6s 10^5 lines %7.3f s   10^6 lines %7.3f s   ratio %.1f (10 = linear)\n", k, a, b, (a > 0 ? b / a : 0) }'
done
