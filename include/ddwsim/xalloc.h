/* xalloc.h - host-memory allocation that cannot fail, and overflow-checked sizes. */
#ifndef DDWSIM_XALLOC_H
#define DDWSIM_XALLOC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Host memory (the simulator's own) is not a modelled resource: running out
 * of it stops the program with the byte count, as tmux's xmalloc does.
 * Modelled resources (TCEs, window slots, table levels) return errnos instead.
 *
 * This module is the program's one fatal exit: out of memory, a size
 * overflow, or a structure past its limit each print one "ddwsim: ..."
 * line, unlink the temporary output files (outfile_cleanup) and exit with
 * DDW_EXIT_RUNTIME (1). A module that must stop the program calls one of
 * these rather than exit(), so no fatal path leaves a ".tmp.<pid>" file.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Sizes that stop the program on overflow (Git's st_add/st_mul). */
size_t st_add(size_t a, size_t b);
size_t st_mul(size_t a, size_t b);

/*
 * Stops the program because more than n of what were needed at once:
 * "ddwsim: more than N WHAT" (e.g. what = "live mappings on one device"),
 * for limits that memory would reach first in practice (32-bit ids).
 */
_Noreturn void xfatal_limit(const char *what, uint64_t n);

#endif /* DDWSIM_XALLOC_H */
