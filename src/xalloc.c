/* xalloc.c - allocation that stops the program with the byte count on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

static void oom(size_t n)
{
	fprintf(stderr, "ddwsim: out of memory allocating %zu bytes\n", n);
	outfile_cleanup();
	exit(1);
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

size_t st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b) {
		fprintf(stderr, "ddwsim: size overflow: %zu + %zu\n", a, b);
		outfile_cleanup();
		exit(1);
	}
	return a + b;
}

size_t st_mul(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b) {
		fprintf(stderr, "ddwsim: size overflow: %zu * %zu\n", a, b);
		outfile_cleanup();
		exit(1);
	}
	return a * b;
}
