# Figure 6: NVMe drives behind one PHB4 (issue 14): total throughput, the PHB link's busy share, TCE-cache hit rate and p99 DMA latency vs drives
results/many-drives.csv --x devices[0].count --y device.throughput_gbps --y link.upstream_utilization --y tce_cache.hit_rate --y device.latency_ns.p99
