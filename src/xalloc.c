/*
 * xalloc.c - allocation that stops the program with the byte count on
 * failure, and the program's one fatal exit (fatal(), below): every stop for
 * want of host memory, an overflowing size or a limit passed goes through it,
 * so temporary output files are always unlinked first.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

/* "ddwsim: <message>" on stderr, temporary outputs unlinked, exit 1. */
DDW_PRINTF(1, 2)
static _Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("ddwsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	outfile_cleanup();
	exit(DDW_EXIT_RUNTIME);
}

static _Noreturn void oom(size_t n)
{
	fatal("out of memory allocating %zu bytes", n);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(st_mul(nmemb, size));
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

_Static_assert(sizeof(size_t) <= sizeof(uint64_t), "a size fits the checked helpers");

size_t st_add(size_t a, size_t b)
{
	uint64_t r;

	if (ck_add(a, b, &r) || r > SIZE_MAX)
		fatal("size overflow: %zu + %zu", a, b);
	return (size_t)r;
}

size_t st_mul(size_t a, size_t b)
{
	uint64_t r;

	if (ck_mul(a, b, &r) || r > SIZE_MAX)
		fatal("size overflow: %zu * %zu", a, b);
	return (size_t)r;
}

void xfatal_limit(const char *what, uint64_t n)
{
	fatal("more than %" PRIu64 " %s", n, what);
}
