/* config_int.h - what the steps of config_load() share: the loader, origins, errors, YAML access. */
#ifndef DDWSIM_CONFIG_INT_H
#define DDWSIM_CONFIG_INT_H

/*
 * config_load() runs four steps, one file each, over one struct loader:
 *
 *   config_load.c   1. the main file and the files its sections name (includes)
 *   config_set.c    2. each --set a.b.c=VALUE, applied to those documents
 *   config_walk.c   3. each section walked once against its schema table
 *   config_check.c  4. values that must agree with each other
 *
 * config.c holds the driver and what the steps share (below); config_print.c
 * turns the filled struct config back into the report's parameter list.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <yaml.h>

#include "ddwsim/config.h"
#include "ddwsim/err.h"
#include "ddwsim/config_schema.h"

#define MAX_DOCS	16			/* files loaded: the main one and its includes */
#define MAX_SETS	64			/* --set options */
#define MAX_OVERRIDES	(MAX_SETS * 8)		/* nodes the --sets made (keys and mappings too) */
#define PATH_MAX_LEN	256			/* a key path: "modes[1].window.page_size" */
#define WHERE_MAX	(PATH_MAX_LEN + 64)	/* "FILE:LINE:COL" or "--set K=V" */

struct cfg_origin {
	char *path;		/* "platform.tce_cache.entries" */
	char *where;		/* "configs/x.yaml:3:11", "--set k=v" or "default" */
};

struct cfg_doc {
	char *file;		/* as the user or the including file named it */
	yaml_document_t doc;
	dev_t dev;		/* with ino: the file's identity, for circular includes */
	ino_t ino;
	bool in_memory;		/* no file: config_load_text(); errors name it without LINE:COL */
};

struct override {
	struct cfg_doc *doc;
	int node;		/* node index the --set created */
	const char *text;	/* the --set argument */
};

struct loader {
	struct config *cfg;
	struct cfg_doc docs[MAX_DOCS];	/* docs[0] is the main file */
	unsigned ndocs;
	struct override sets[MAX_OVERRIDES];
	unsigned nsets;
	/* top-level sections after includes: doc and node (0 = absent) */
	struct cfg_doc *sec_doc[SEC_COUNT];
	int sec_node[SEC_COUNT];
	/* a section written {include: FILE, ...}: the file's mapping (sec_* is then
	 * the overlay, walked after it without defaults) */
	struct cfg_doc *base_doc[SEC_COUNT];
	int base_node[SEC_COUNT];
	bool overlay;			/* walking an overlay: no defaults, nothing required */
};

/* --- the steps; each returns 0, or -1 after printing the error --- */

/* A value that may be a file name or {include: FILE, ...}, resolved (config_load.c). */
struct cfg_resolved {
	struct cfg_doc *d;		/* its mapping (the overlay, with include) */
	int node;
	struct cfg_doc *bd;		/* {include: FILE, ...}: FILE's mapping, else NULL, 0 */
	int bnode;
};
/*
 * Resolves value node of d, named key in messages: a mapping (itself), a
 * file name (followed, through files that hold file names, to a mapping),
 * or {include: FILE, key: value...} (the mapping, and FILE's under it).
 */
int cfg_resolve(struct loader *ld, const char *key, struct cfg_doc *d, int node,
		struct cfg_resolved *out);

int cfg_load_files(struct loader *ld, const char *path);	/* config_load.c */
int cfg_load_text(struct loader *ld, const char *name, const char *text);	/* config_load.c */
int cfg_apply_set(struct loader *ld, const char *text);		/* config_set.c */
int cfg_walk_sections(struct loader *ld);			/* config_walk.c */
int cfg_check_all(struct config *c);				/* config_check.c */

/* --- origins: where each value came from (config.c) --- */

/* Records (or replaces) the origin of path: "FILE:LINE:COL", "--set K=V" or "default". */
void cfg_origin_add(struct config *cfg, const char *path, const char *where);
/* The origin of path; the main file's name if none was recorded. */
const char *cfg_origin_of(const struct config *cfg, const char *path);
/* The --set argument that made node of d, or NULL if a file holds it. */
const char *cfg_set_of(const struct loader *ld, const struct cfg_doc *d, int node);
/* "FILE:LINE:COL" of node (libyaml's start_mark + 1), or "--set K=V" if a --set made it. */
void cfg_node_where(const struct loader *ld, const struct cfg_doc *d, int node, char *buf, size_t n);

/* --- errors: "WHERE: key.path: message" on stderr; each returns -1 (config.c) --- */

int cfg_err_at(const char *where, const char *path, const char *fmt, ...) DDW_PRINTF(3, 4);
/* WHERE is node's place (cfg_node_where). */
int cfg_err_node(const struct loader *ld, const struct cfg_doc *d, int node, const char *path,
		 const char *fmt, ...) DDW_PRINTF(5, 6);
/* WHERE is the origin of a value already walked, found by its path. */
int cfg_err_path(const struct config *cfg, const char *path, const char *fmt, ...) DDW_PRINTF(3, 4);

/* --- YAML nodes and files (config.c) --- */

yaml_node_t *cfg_node(struct cfg_doc *d, int idx);
/* The text of scalar node idx, or NULL if it is not a scalar. */
const char *cfg_scalar(struct cfg_doc *d, int idx);
/* Value node of key in mapping node m, or 0. */
int cfg_map_get(struct cfg_doc *d, int m, const char *key);
/* out = "path.name", or "name" when path is empty. */
void cfg_key_path(char *out, size_t n, const char *path, const char *name);
/*
 * The file named by scalar node of d, as a new string the caller frees.
 * A name written in a file is relative to that file's folder; a name given
 * with --set is relative to the working directory, as any command-line path.
 */
char *cfg_file_of(const struct loader *ld, struct cfg_doc *d, int node);

#endif /* DDWSIM_CONFIG_INT_H */
