/* err.h - error and warning messages in one style, and the exit-code enum. */
#ifndef DDWSIM_ERR_H
#define DDWSIM_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DDW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DDW_PRINTF(f, a)
#endif

enum ddw_exit {
	DDW_EXIT_OK = 0,	/* success */
	DDW_EXIT_RUNTIME = 1,	/* runtime error: I/O, bad trace record, ... */
	DDW_EXIT_USAGE = 2,	/* usage or config error */
};

/*
 * Messages go to stderr as "ddwsim: <message>": lower case, no final period,
 * the problem first, the subject quoted. Both return -1 so that a caller can
 * report and return in one line.
 */
int ddw_error(const char *fmt, ...) DDW_PRINTF(1, 2);
int ddw_warn(const char *fmt, ...) DDW_PRINTF(1, 2);

/*
 * An error in a user's file: "WHERE: message" with no prefix, WHERE being
 * "FILE:LINE:COL", "FILE:LINE", "FILE: record N" or "--set K=V", so editors
 * can jump to it. Returns -1.
 */
int ddw_error_at(const char *where, const char *fmt, ...) DDW_PRINTF(2, 3);
int ddw_verror_at(const char *where, const char *fmt, va_list ap);

/* ddw_error_at with WHERE = "PATH:LINE". Returns -1. */
int ddw_error_line(const char *path, uint64_t line, const char *fmt, ...) DDW_PRINTF(3, 4);

/*
 * The first warning of one kind: "ddwsim: warning: PATH:LINE: message
 * (reported once)", then nothing for that kind. *reported holds 1 << kind
 * for each kind already reported; kind < 32.
 */
void ddw_warn_once_line(unsigned *reported, unsigned kind, const char *path, uint64_t line,
			const char *fmt, ...) DDW_PRINTF(5, 6);

/*
 * A progress line (progress.c) is open on stderr (true) or was cleared
 * (false): the next message erases it first, so it starts on a clean line.
 */
void ddw_status_line(bool open);

/* "EINVAL" for EINVAL (positive or negative); "E<number>" if unknown. */
const char *ddw_errno_name(int err);

#endif /* DDWSIM_ERR_H */
