# Figure 1: device throughput and CPU time per I/O vs I/O size, for the
# default window, a dynamic 64K DDW and a direct 16M DDW, on a NIC receive
# workload and NVMe random reads (KVM guest costs, Gen3 x8 link).
# Data: results/io-size-nic.csv and results/io-size-nvme.csv from
# bench/sweeps/io-size-{nic,nvme}.yaml.
load 'plots/common.gp'
nic = 'results/io-size-nic.csv'
nvme = 'results/io-size-nvme.csv'
niccol = 'workload.buffer_size+workload.packet_min+workload.packet_max'
# rows are (point, mode) with the 3 modes in config order: mode i is every 3rd row from i
modes = "default-window ddw-dynamic ddw-direct"
set logscale x 2
set xtics ("512" 512, "1K" 1024, "2K" 2048, "4K" 4096, "8K" 8192, "16K" 16384, "32K" 32768, "64K" 65536, "128K" 131072, "256K" 262144, "512K" 524288, "1M" 1048576)
set key inside top left box
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200,850 noenhanced; set output 'plots/io-size.png.tmp' }
	if (fmt eq "svg") { set terminal svg size 1200,850 noenhanced; set output 'plots/io-size.svg.tmp' }
	set multiplot layout 2,2 title "Per-I/O mapping cost vs I/O size (qemu-pseries KVM guest, Gen3 x8; bench/sweeps/io-size-*.yaml)"
	set xrange [400:1.3e6]
	set key bottom right
	set title 'NIC receive: throughput'
	set xlabel 'buffer and packet size'
	set ylabel 'throughput (Gb/s)'
	set logscale y
	plot for [i=1:3] nic every 3::(i-1) using (bytes(strcol(niccol))):(column('device.throughput_gbps')) with linespoints title word(modes, i)
	set key top left
	set title 'NIC receive: CPU time per packet'
	set ylabel 'CPU ns per I/O (map + unmap)'
	plot for [i=1:3] nic every 3::(i-1) using (bytes(strcol(niccol))):(column('cpu.ns_per_io')) with linespoints title word(modes, i)
	set key bottom right
	set title 'NVMe random reads, QD 32: throughput'
	set xlabel 'block size'
	set ylabel 'throughput (Gb/s)'
	plot for [i=1:3] nvme every 3::(i-1) using (bytes(strcol('workload.block_size'))):(column('device.throughput_gbps')) with linespoints title word(modes, i)
	set key top left
	set title 'NVMe random reads, QD 32: CPU time per I/O'
	set ylabel 'CPU ns per I/O (map + unmap)'
	plot for [i=1:3] nvme every 3::(i-1) using (bytes(strcol('workload.block_size'))):(column('cpu.ns_per_io')) with linespoints title word(modes, i)
	unset multiplot
	set output		# all or nothing: written to .tmp, renamed when complete
	system(sprintf('mv plots/io-size.%s.tmp plots/io-size.%s', fmt, fmt))
}
