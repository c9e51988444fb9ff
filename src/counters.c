/* counters.c - adding counters, and the names of window-operation errnos. */
#include <errno.h>
#include <stddef.h>

#include "ddwsim/counters.h"

void counters_add(struct mode_stats *a, const struct mode_stats *b)
{
	uint64_t *x = (uint64_t *)a;
	const uint64_t *y = (const uint64_t *)b;

	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		x[i] += y[i];
}

enum win_err win_err_of(int err)
{
	switch (err < 0 ? -err : err) {
	case EINVAL: return WIN_ERR_EINVAL;
	case ENOSPC: return WIN_ERR_ENOSPC;
	case ENOMEM: return WIN_ERR_ENOMEM;
	case EPERM: return WIN_ERR_EPERM;
	default: return WIN_ERR_OTHER;
	}
}

const char *win_err_name(enum win_err e)
{
	static const char *const names[WIN_ERR_COUNT] = {
		"EINVAL", "ENOSPC", "ENOMEM", "EPERM", "other", "RTAS_PARAM_ERROR", "RTAS_HW_ERROR",
	};

	return (unsigned)e < WIN_ERR_COUNT ? names[e] : "other";
}
