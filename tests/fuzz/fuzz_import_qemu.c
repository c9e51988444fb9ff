/*
 * fuzz_import_qemu.c - libFuzzer target: import_qemu() on one QEMU trace log.
 * Bit 0 of the input's size turns on time stamps, bit 1 picks a .ddwb output
 * (else .ddwt). A trace the import wrote must read back without an error.
 */
#include "ddwsim/import.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[PATH_MAX], out[2][PATH_MAX];
	const char *o = out[size >> 1 & 1];
	struct import_stats st;

	if (!in[0]) {
		fuzz_path(in, sizeof(in), "fuzz.log");
		fuzz_path(out[0], sizeof(out[0]), "out.ddwt");
		fuzz_path(out[1], sizeof(out[1]), "out.ddwb");
	}
	if (fuzz_write(in, "", 0, data, size) == 0 && import_qemu(in, o, size & 1, &st) == 0) {
		if (fuzz_drain(o) != 0)
			abort();	/* the import wrote a trace the reader rejects */
		unlink(o);
	}
	return 0;
}
