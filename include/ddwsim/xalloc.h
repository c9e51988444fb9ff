/* xalloc.h - host-memory allocation that cannot fail, and overflow-checked sizes. */
#ifndef DDWSIM_XALLOC_H
#define DDWSIM_XALLOC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Host memory (the simulator's own) is not a modelled resource: running out
 * of it stops the program with the byte count, as tmux's xmalloc does.
 * Modelled resources (TCEs, window slots, table levels) return errnos instead.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Sizes that stop the program on overflow (Git's st_add/st_mul). */
size_t st_add(size_t a, size_t b);
size_t st_mul(size_t a, size_t b);

#endif /* DDWSIM_XALLOC_H */
