# Figure 4: failed maps vs 64 KiB buffers in flight
results/window-exhaustion.csv --y map.failures --y map.calls
