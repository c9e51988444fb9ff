# Figure 5: page kills vs PE kills on PHB4 (HW560152) vs ring size
results/kill-escalation.csv --x workload.ring_size --y cpu.ns_per_io --y device.throughput_gbps --y tce_cache.hit_rate
