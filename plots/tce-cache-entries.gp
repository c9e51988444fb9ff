# Figure 2: TCE-cache hit rate vs cache entries, one curve per TCE size.
# Data: results/tce-cache-entries.csv from bench/sweeps/tce-cache-entries.yaml
# (configs/sweep-base.yaml: 64 B random reads over a 256 MiB buffer mapped
# once in a 4 GiB DDW, fully associative LRU).
load 'plots/common.gp'
f = 'results/tce-cache-entries.csv'
set title "TCE-cache hit rate vs entries (64 B random reads, 256 MiB buffer)\nbench/sweeps/tce-cache-entries.yaml"
set xlabel 'TCE-cache entries'
set ylabel 'hit rate (hits / lookups)'
set logscale x 2
set yrange [0:1.05]
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 900,540 noenhanced; set output 'plots/tce-cache-entries.png.tmp' }
	if (fmt eq "svg") { set terminal svg size 900,540 noenhanced; set output 'plots/tce-cache-entries.svg.tmp' }
	# rows: page size outermost, 8 entry counts each
	plot for [i=1:4] f every ::(8*(i-1))::(8*i-1) using (column('platform.tce_cache.entries')):(column('tce_cache.hit_rate')) with linespoints title word("4K 64K 2M 16M", i).' TCEs'
	set output		# all or nothing: written to .tmp, renamed when complete
	system(sprintf('mv plots/tce-cache-entries.%s.tmp plots/tce-cache-entries.%s', fmt, fmt))
}
