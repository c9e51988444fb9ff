/*
 * fuzz_sweep.c - libFuzzer target: the sweep loader on one sweep file, as
 * `ddwsim sweep FILE --print` with stdout on /dev/null: it loads, validates,
 * counts the grid (at most 4096 points) and builds every point's command,
 * never running one. A line "#full" also reads the `full:` variant. The
 * results folder --print makes is removed after each input.
 */
#include <fcntl.h>
#include <dirent.h>

#include "ddwsim/sweep.h"
#include "fuzz.h"

/* --print makes RESULTS/.points/NAME and nothing else: removes them. */
static void fuzz_sweep_rm(const char *results)
{
	char dir[PATH_MAX + 16], sub[PATH_MAX + 16 + 256];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/.points", results);
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
				rmdir(sub);
			}
		closedir(d);
	}
	rmdir(dir);
	rmdir(results);
}

/* Whether a line of data[0..size) starts with "#full". */
static int fuzz_sweep_full(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 5 <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && !memcmp(data + i, "#full", 5))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX], results[PATH_MAX];
	struct sweep_opts o = { .file = path, .bin = "/nonexistent/ddwsim", .results = results,
				.jobs = 1, .print = true, .quiet = true, .max_points = 4096 };

	if (!path[0]) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			abort();
		close(null);
		fuzz_path(path, sizeof(path), "sweep.yaml");
		fuzz_path(results, sizeof(results), "results");
	}
	o.full = fuzz_sweep_full(data, size);
	if (fuzz_write(path, "", 0, data, size) == 0)
		sweep_run(&o);
	fuzz_sweep_rm(results);
	return 0;
}
