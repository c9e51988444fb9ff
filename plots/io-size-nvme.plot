# Figure 1b: NVMe random reads at QD 32, throughput and CPU per I/O vs block size
results/io-size-nvme.csv --y device.throughput_gbps --y cpu.ns_per_io
