/*
 * fuzz_trace_text.c - libFuzzer target: trace_open() on one .ddwt file, read
 * to its end. Inputs that start like the .ddwb magic are fuzz_trace_bin's.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];
	size_t m = size < TRACE_BIN_MAGIC_LEN ? size : TRACE_BIN_MAGIC_LEN;

	if (m && !memcmp(data, TRACE_BIN_MAGIC, m))
		return -1;	/* the binary reader would take it: not this corpus */
	if (!path[0])
		fuzz_path(path, sizeof(path), "fuzz.ddwt");
	if (fuzz_write(path, "", 0, data, size) == 0)
		fuzz_drain(path);
	return 0;
}
