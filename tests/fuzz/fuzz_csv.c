/*
 * fuzz_csv.c - libFuzzer target: one CSV through csv_read() and, when it
 * reads, the figure `ddwsim plot` would make of it (plot_script(), no
 * gnuplot). What it checks beyond no crash: every line of the script that
 * holds data is numbers only, so nothing of the input runs in gnuplot.
 */
#include "fuzz.h"
#include "ddwsim/plot.h"

/* Between "<< EOD" and "EOD", every byte is a digit, '.', '-', 'e', 'E', '+', "NaN", ' ' or a line end. */
static void check_data(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, "<< EOD\n"))) {
		const char *stop = strstr(p + 7, "\nEOD\n");

		if (!stop)
			abort();
		for (const char *q = p + 7; q < stop; q++)
			if (!strchr("0123456789.-+eENa \n", *q))
				abort();
		p = stop;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];
	struct plot_opts o = { .out = "fig.svg" };
	char *script;
	size_t len;

	if (!path[0])
		fuzz_path(path, sizeof(path), "fuzz.csv");
	if (fuzz_write(path, "", 0, data, size) < 0)
		return 0;
	o.csv = path;
	if (plot_script(&o, &script, &len) == 0)
		check_data(script);
	free(script);
	return 0;
}
