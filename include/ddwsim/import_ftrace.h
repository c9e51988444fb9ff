/* import_ftrace.h - Linux ftrace text (dma:* and iommu:* events) lifted to ddwsim DMA ops. */
#ifndef DDWSIM_IMPORT_FTRACE_H
#define DDWSIM_IMPORT_FTRACE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What one import read and wrote. Every line is blank, a '#' comment, an
 * event line (TASK-PID [CPU] ... TIMESTAMP: EVENT: ARGS) or another line
 * (trace-cmd's "cpus=4" header, "CPU:2 [LOST 7 EVENTS]"). Every event line
 * of a lifted event made ops, or is counted in unmatched_unmaps, failed_maps
 * or lost; the rest are ignored. The rules are in the header comment of
 * src/import_ftrace.c.
 */
struct import_ftrace_stats {
	uint64_t lines;			/* lines read, blank and comment lines included */
	uint64_t events;		/* event lines, of any event */
	uint64_t maps;			/* map and map_sg ops written */
	uint64_t unmaps;		/* unmap ops written */
	uint64_t dmas;			/* dma ops written: always 0, no event names a device access */
	uint64_t ignored;		/* event lines of other events, and other lines */
	uint64_t unmatched_unmaps;	/* unmap events that found no live mapping: no op */
	/* details: */
	uint64_t failed_maps;		/* map events whose dma address is DMA_MAPPING_ERROR: no op */
	uint64_t sg_merged;		/* map_sg ops of a dma_map_sg whose IOMMU merged elements */
	uint64_t sg_truncated;		/* map_sg ops of a dma_map_sg marked [TRUNCATED] */
	uint64_t lost;			/* lifted events printed as '[LINE TOO BIG]': no op */
};

/*
 * Reads Linux ftrace text (the output of `trace-cmd report`, or the tracefs
 * `trace` / `trace_pipe` file; "-" = stdin) and writes the ops to out
 * (format from its name: .ddwb binary, else .ddwt text), atomically.
 * with_time: give ops @time stamps (ps since the first event line).
 * Returns 0, or -1 after reporting `FILE:LINE: message` for a malformed line
 * of a lifted event (or an I/O error through ddw_error()); out is then not
 * created. st may be NULL; it is filled in either way, with what was read up
 * to the error. Oddities that do not stop the import (lost events, a
 * truncated sg list) are reported once each as "ddwsim: warning: FILE:LINE: ...".
 */
int import_ftrace(const char *in, const char *out, bool with_time, struct import_ftrace_stats *st);

#endif /* DDWSIM_IMPORT_FTRACE_H */
