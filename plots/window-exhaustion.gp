# Figure 4: map failures vs buffers in flight: a NIC ring of 64 KiB buffers
# in the 1 GiB default window of 4K TCEs and in a 4 GiB DDW of 64K TCEs.
# Data: results/window-exhaustion.csv from bench/sweeps/window-exhaustion.yaml.
load 'plots/common.gp'
f = 'results/window-exhaustion.csv'
set key top left box
modes = "default-window-4k ddw-64k-4g"
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 900,540 noenhanced; set output 'plots/window-exhaustion.png.tmp' }
	if (fmt eq "svg") { set terminal svg size 900,540 noenhanced; set output 'plots/window-exhaustion.svg.tmp' }
	set title "Window exhaustion: failed maps vs 64 KiB buffers in flight\nbench/sweeps/window-exhaustion.yaml"
	set xlabel 'buffers in flight (ring size)'
	set ylabel 'failed maps (% of maps)'
	set logscale x 2
	set yrange [0:100]
	plot for [i=1:2] f every 2::(i-1) using (column('workload.ring_size')):(100.0 * column('map.failures') / column('map.calls')) with linespoints title word(modes, i)
	set output		# all or nothing: written to .tmp, renamed when complete
	system(sprintf('mv plots/window-exhaustion.%s.tmp plots/window-exhaustion.%s', fmt, fmt))
}
