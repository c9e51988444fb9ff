# Figure 2: TCE-cache hit rate vs cache entries, one line per TCE size
results/tce-cache-entries.csv --x platform.tce_cache.entries --y tce_cache.hit_rate
