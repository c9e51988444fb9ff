/* err.c - ddw_error()/ddw_warn() and errno names. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ddwsim/err.h"

static bool status_open;	/* a progress line is on stderr's last line */

void ddw_status_line(bool open)
{
	status_open = open;
}

/* A message starts on a clean line: a progress line there is erased first. */
static void clear_status(void)
{
	if (status_open)
		fputs("\r\033[K", stderr);
	status_open = false;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	clear_status();
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int ddw_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ddwsim: ", fmt, ap);
	va_end(ap);
	return -1;
}

int ddw_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ddwsim: warning: ", fmt, ap);
	va_end(ap);
	return -1;
}

int ddw_verror_at(const char *where, const char *fmt, va_list ap)
{
	clear_status();
	fprintf(stderr, "%s: ", where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return -1;
}

int ddw_error_at(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	return -1;
}

int ddw_error_line(const char *path, uint64_t line, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%" PRIu64, path, line);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	return -1;
}

void ddw_warn_once_line(unsigned *reported, unsigned kind, const char *path, uint64_t line,
			const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (*reported & (1u << kind))
		return;
	*reported |= 1u << kind;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ddw_warn("%s:%" PRIu64 ": %s (reported once)", path, line, msg);
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
	{ ENOTTY, "ENOTTY" }, { E2BIG, "E2BIG" },
};

const char *ddw_errno_name(int err)
{
	static char buf[4][16];
	static unsigned next;
	char *b;

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	b = buf[next++ % 4];
	snprintf(b, sizeof(buf[0]), "E%d", err);
	return b;
}
