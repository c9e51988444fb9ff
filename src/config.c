/*
 * config.c - YAML config to plain validated structs: the driver of
 * config_load(), and what its steps share.
 *
 * Steps of config_load(), one file each (config_int.h):
 *   1. config_load.c: load the main file with libyaml's document API, then
 *      each top-level section (platform, host, workload) that is a file name
 *      instead of a mapping, relative to the including file (chains allowed,
 *      cycles not).
 *   2. config_set.c: apply every --set a.b.c=VALUE to those documents: the
 *      scalar is replaced, or added with the mappings above it, and
 *      remembered as coming from the command line.
 *   3. config_walk.c: walk each section once against its schema table
 *      (config_schema.c): defaults first, then every key of the file, each
 *      checked for type and range. An error names the file, line and column
 *      of the bad value (libyaml's start_mark + 1) or the --set that gave it.
 *   4. config_check.c: check what no single key can: values that must agree
 *      with each other (page sizes the platform has, levels, table limits,
 *      cache shape).
 *
 * Every value's origin (file:line:col, "default" or "--set") is kept, so a
 * later check can still point at it and the report can print it
 * (config_print.c).
 *
 * Paths: a file name written in a file is relative to that file's folder; a
 * file name given with --set is relative to the working directory, like any
 * other path on the command line (cfg_file_of). --set used to resolve it
 * against the folder of whichever file the section came from, so the same
 * argument meant different files for different configs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

/* --- origins --- */

void cfg_origin_add(struct config *cfg, const char *path, const char *where)
{
	for (unsigned i = 0; i < cfg->norigins; i++) {
		if (!strcmp(cfg->origins[i].path, path)) {
			free(cfg->origins[i].where);
			cfg->origins[i].where = xstrdup(where);
			return;
		}
	}
	cfg->origins = xrealloc(cfg->origins, st_mul(cfg->norigins + 1, sizeof(*cfg->origins)));
	cfg->origins[cfg->norigins].path = xstrdup(path);
	cfg->origins[cfg->norigins].where = xstrdup(where);
	cfg->norigins++;
}

const char *cfg_origin_of(const struct config *cfg, const char *path)
{
	for (unsigned i = 0; i < cfg->norigins; i++)
		if (!strcmp(cfg->origins[i].path, path))
			return cfg->origins[i].where;
	return cfg->path;
}

bool config_is_default(const struct config *cfg, const char *path)
{
	return !strcmp(cfg_origin_of(cfg, path), "default");
}

const char *cfg_set_of(const struct loader *ld, const struct cfg_doc *d, int node)
{
	for (unsigned i = 0; i < ld->nsets; i++)
		if (ld->sets[i].doc == d && ld->sets[i].node == node)
			return ld->sets[i].text;
	return NULL;
}

void cfg_node_where(const struct loader *ld, const struct cfg_doc *d, int node, char *buf, size_t n)
{
	yaml_node_t *yn = yaml_document_get_node((yaml_document_t *)&d->doc, node);
	const char *set = cfg_set_of(ld, d, node);

	if (set) {
		snprintf(buf, n, "--set %s", set);
		return;
	}
	if (d->in_memory) {
		snprintf(buf, n, "%s", d->file);	/* a text the user never saw */
		return;
	}
	snprintf(buf, n, "%s:%lu:%lu", d->file, (unsigned long)yn->start_mark.line + 1,
		 (unsigned long)yn->start_mark.column + 1);
}

/* --- errors --- */

int cfg_err_at(const char *where, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		return ddw_error_at(where, "%s: %s", path, msg);
	return ddw_error_at(where, "%s", msg);
}

int cfg_err_node(const struct loader *ld, const struct cfg_doc *d, int node, const char *path,
		 const char *fmt, ...)
{
	char where[WHERE_MAX];
	char msg[1024];
	va_list ap;

	cfg_node_where(ld, d, node, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cfg_err_at(where, path, "%s", msg);
}

int cfg_err_path(const struct config *cfg, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cfg_err_at(cfg_origin_of(cfg, path), path, "%s", msg);
}

/* --- YAML nodes --- */

yaml_node_t *cfg_node(struct cfg_doc *d, int idx)
{
	return yaml_document_get_node(&d->doc, idx);
}

const char *cfg_scalar(struct cfg_doc *d, int idx)
{
	yaml_node_t *n = cfg_node(d, idx);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int cfg_map_get(struct cfg_doc *d, int m, const char *key)
{
	yaml_node_t *n = cfg_node(d, m);

	if (!n || n->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = cfg_scalar(d, p->key);

		if (k && !strcmp(k, key))
			return p->value;
	}
	return 0;
}

void cfg_key_path(char *out, size_t n, const char *path, const char *name)
{
	snprintf(out, n, "%s%s%s", path, *path ? "." : "", name);
}

/* --- files --- */

/* name relative to the folder of the file including, as a new string. */
static char *dir_join(const char *including, const char *name)
{
	const char *slash = strrchr(including, '/');
	size_t dl, n;
	char *out;

	if (name[0] == '/' || !slash)
		return xstrdup(name);
	dl = (size_t)(slash - including) + 1;
	n = st_add(st_add(dl, strlen(name)), 1);
	out = xmalloc(n);
	memcpy(out, including, dl);
	strcpy(out + dl, name);
	return out;
}

char *cfg_file_of(const struct loader *ld, struct cfg_doc *d, int node)
{
	const char *name = cfg_scalar(d, node);

	if (cfg_set_of(ld, d, node))
		return xstrdup(name);	/* a --set: as typed, from the working directory */
	return dir_join(d->file, name);
}

/* --- size text (parsed by num.c, NUM_SIZE) --- */

const char *config_size_str(uint64_t b, char *buf, size_t n)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (b && !(b & 1023) && u < 5) {
		b >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, n, "%llu", (unsigned long long)b);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)b, units[u]);
	return buf;
}

/* --- public --- */

const struct device_cfg *config_device(const struct config *cfg, unsigned dev)
{
	for (unsigned i = 0; i < cfg->ndevitems; i++)
		if (dev >= cfg->devices[i].first && dev - cfg->devices[i].first < cfg->devices[i].count)
			return &cfg->devices[i];
	return NULL;
}

void config_as_device(struct config *cfg, unsigned item)
{
	const struct device_cfg *d = &cfg->devices[item];

	snprintf(cfg->workload.generator, sizeof(cfg->workload.generator), "%s", d->generator);
	memcpy(cfg->workload.params, d->params, sizeof(cfg->workload.params));
	cfg->platform.pcie = d->pcie;
}

const struct pcie_cfg *config_pcie(const struct config *cfg, unsigned dev)
{
	const struct device_cfg *d = config_device(cfg, dev);

	return d ? &d->pcie : &cfg->platform.pcie;
}

int config_error_key(const struct config *cfg, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cfg_err_path(cfg, path, "%s", msg);
}

/* config_load() with the main file read from path, or held in text and called path. */
static int load(struct config *cfg, const char *path, const char *text, char *const *sets,
		unsigned nsets)
{
	struct loader *ld = xcalloc(1, sizeof(*ld));
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup(path);
	cfg->files_hash = FNV1A_BASIS;
	ld->cfg = cfg;
	if ((text ? cfg_load_text(ld, path, text) : cfg_load_files(ld, path)) < 0)
		goto out;
	for (unsigned i = 0; i < nsets; i++)
		if (cfg_apply_set(ld, sets[i]) < 0)
			goto out;
	if (cfg_walk_sections(ld) < 0 || cfg_check_all(cfg) < 0)
		goto out;
	rc = 0;
out:
	for (unsigned i = 0; i < ld->ndocs; i++) {
		yaml_document_delete(&ld->docs[i].doc);
		free(ld->docs[i].file);
	}
	free(ld);
	return rc;
}

int config_load(struct config *cfg, const char *path, char *const *sets, unsigned nsets)
{
	return load(cfg, path, NULL, sets, nsets);
}

int config_load_text(struct config *cfg, const char *name, const char *text, char *const *sets,
		     unsigned nsets)
{
	return load(cfg, name, text, sets, nsets);
}

void config_release(struct config *cfg)
{
	for (unsigned i = 0; i < cfg->norigins; i++) {
		free(cfg->origins[i].path);
		free(cfg->origins[i].where);
	}
	free(cfg->origins);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
