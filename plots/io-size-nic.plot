# Figure 1a: NIC receive, throughput and CPU per packet vs buffer and packet size
results/io-size-nic.csv --y device.throughput_gbps --y cpu.ns_per_io
