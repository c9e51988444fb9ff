/*
 * fuzz_trace_bin.c - libFuzzer target: trace_open() on one .ddwb file, read to
 * its end. The input is the file after its 8-byte magic, which the harness
 * writes, so every input reaches the binary reader.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];

	if (!path[0])
		fuzz_path(path, sizeof(path), "fuzz.ddwb");
	if (fuzz_write(path, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN, data, size) == 0)
		fuzz_drain(path);
	return 0;
}
