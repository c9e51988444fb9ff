/*
 * fuzz_config.c - libFuzzer target: config_load() on one YAML file. Each line
 * "#set a.b.c=VALUE" is also passed as a --set. The file sits where the
 * configs/ files do: platforms/, hosts/ and ../workloads/ resolve.
 */
#include "ddwsim/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];
	struct config cfg = { 0 };
	char *text = memcpy(malloc(size + 1), data, size), *sets[8], *save = NULL;
	unsigned n = 0;

	if (!path[0]) {
		mkdir(fuzz_path(path, sizeof(path), "configs"), 0700);
		fuzz_link("configs/platforms", "configs/platforms");
		fuzz_link("configs/hosts", "configs/hosts");
		fuzz_link("workloads", "workloads");
		fuzz_path(path, sizeof(path), "configs/fuzz.yaml");
	}
	text[size] = '\0';
	for (char *l = strtok_r(text, "\n", &save); l && n < 8; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "#set ", 5))
			sets[n++] = l + 5;
	if (fuzz_write(path, "", 0, data, size) == 0)
		config_load(&cfg, path, sets, n);
	config_release(&cfg);
	free(text);
	return 0;
}
