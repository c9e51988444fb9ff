# Figure 5: PHB4's page-kill escalation (HW560152): a NIC receive ring on
# bare-metal PHB4 with its descriptors in a long-lived mapping; every map and
# unmap kills either its pages (scope page) or the whole PE (scope pe).
# Data: results/kill-escalation.csv from bench/sweeps/kill-escalation.yaml.
load 'plots/common.gp'
f = 'results/kill-escalation.csv'
set key top left box
scopes = "page pe"
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200,450 noenhanced; set output 'plots/kill-escalation.png.tmp' }
	if (fmt eq "svg") { set terminal svg size 1200,450 noenhanced; set output 'plots/kill-escalation.svg.tmp' }
	set multiplot layout 1,2 title "Page kills vs PE kills on PHB4 (bench/sweeps/kill-escalation.yaml)"
	set xlabel 'receive ring size (descriptors)'
	set logscale x 2
	set title 'TCE-cache hit rate'
	set ylabel 'hits / lookups'
	set yrange [0:1]
	plot for [i=1:2] f every ::(4*(i-1))::(4*i-1) using (column('workload.ring_size')):(column('tce_cache.hit_rate')) with linespoints title 'kill scope '.word(scopes, i)
	set title 'mean DMA latency'
	set ylabel 'ns'
	set autoscale y
	plot for [i=1:2] f every ::(4*(i-1))::(4*i-1) using (column('workload.ring_size')):(column('device.latency_ns.mean')) with linespoints title 'kill scope '.word(scopes, i)
	unset multiplot
	set output		# all or nothing: written to .tmp, renamed when complete
	system(sprintf('mv plots/kill-escalation.%s.tmp plots/kill-escalation.%s', fmt, fmt))
}
