# Figure 3: walk latency and translation stall vs table levels, one line per memory latency
results/walk-levels.csv --x modes[0].window.levels --y translation.walk_latency_ns.p50 --y translation.stall_ns
