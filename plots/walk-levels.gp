# Figure 3: translation stall and walk latency vs TCE-table levels (1..5),
# for several memory latencies of one walk read: pipelined 64 B random reads
# over 64 MiB of 4K TCEs on PHB4 (64 walkers, 128-entry cache).
# Data: results/walk-levels.csv from bench/sweeps/walk-levels.yaml.
load 'plots/common.gp'
f = 'results/walk-levels.csv'
set key top left box
lat = "100 197 300"
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200,450 noenhanced; set output 'plots/walk-levels.png.tmp' }
	if (fmt eq "svg") { set terminal svg size 1200,450 noenhanced; set output 'plots/walk-levels.svg.tmp' }
	set multiplot layout 1,2 title "Walks vs table levels (PHB4, 64 walkers; bench/sweeps/walk-levels.yaml)"
	set xlabel 'TCE table levels'
	set xtics 1
	set title 'walk latency (p50)'
	set ylabel 'ns'
	# rows: memory latency outermost, 5 levels each
	plot for [i=1:3] f every ::(5*(i-1))::(5*i-1) using (column('modes[0].window.levels')):(column('translation.walk_latency_ns.p50')) with linespoints title word(lat, i).' ns per read'
	set title 'translation stall per DMA'
	set ylabel 'ns waited per DMA (walkers busy)'
	plot for [i=1:3] f every ::(5*(i-1))::(5*i-1) using (column('modes[0].window.levels')):(column('translation.stall_ns') / column('ios')) with linespoints title word(lat, i).' ns per read'
	unset multiplot
	set output		# all or nothing: written to .tmp, renamed when complete
	system(sprintf('mv plots/walk-levels.%s.tmp plots/walk-levels.%s', fmt, fmt))
}
