/*
 * config.c - YAML config to plain validated structs.
 *
 * Steps of config_load():
 *   1. Load the main file with libyaml's document API, then each top-level
 *      section (platform, host, workload) that is a file name instead of a
 *      mapping, relative to the including file (chains allowed, cycles not).
 *   2. Apply every --set a.b.c=VALUE to those documents: the scalar is
 *      replaced, or added with the mappings above it, and remembered as
 *      coming from the command line.
 *   3. Walk each section once against its schema table (config_schema.c):
 *      defaults first, then every key of the file, each checked for type and
 *      range. An error names the file, line and column of the bad value
 *      (libyaml's start_mark + 1) or the --set that gave it.
 *   4. Check what no single key can: values that must agree with each other
 *      (page sizes the platform has, levels, table limits, cache shape).
 *
 * Every value's origin (file:line:col, "default" or "--set") is kept, so a
 * later check can still point at it and the report can print it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "ddwsim/config.h"
#include "ddwsim/err.h"
#include "ddwsim/synth.h"
#include "ddwsim/tce_table.h"
#include "ddwsim/xalloc.h"
#include "config_schema.h"

#define MAX_DOCS	16
#define MAX_SETS	64
#define MAX_OVERRIDES	(MAX_SETS * 8)
#define PATH_MAX_LEN	256

struct cfg_origin {
	char *path;		/* "platform.tce_cache.entries" */
	char *where;		/* "configs/x.yaml:3:11", "--set k=v" or "default" */
};

struct cfg_doc {
	char *file;		/* as the user or the including file named it */
	yaml_document_t doc;
};

struct override {
	struct cfg_doc *doc;
	int node;		/* scalar node index the --set created */
	const char *text;	/* the --set argument */
};

struct loader {
	struct config *cfg;
	struct cfg_doc docs[MAX_DOCS];
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

/* --- origins and errors --- */

static void origin_add(struct config *cfg, const char *path, const char *where)
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

static const char *origin_of(const struct config *cfg, const char *path)
{
	for (unsigned i = 0; i < cfg->norigins; i++)
		if (!strcmp(cfg->origins[i].path, path))
			return cfg->origins[i].where;
	return cfg->path;
}

/* "FILE:LINE:COL" of node, or the --set that made it. */
static void node_where(const struct loader *ld, const struct cfg_doc *d, int node,
		       char *buf, size_t n)
{
	yaml_node_t *yn = yaml_document_get_node((yaml_document_t *)&d->doc, node);

	for (unsigned i = 0; i < ld->nsets; i++) {
		if (ld->sets[i].doc == d && ld->sets[i].node == node) {
			snprintf(buf, n, "--set %s", ld->sets[i].text);
			return;
		}
	}
	snprintf(buf, n, "%s:%lu:%lu", d->file, (unsigned long)yn->start_mark.line + 1,
		 (unsigned long)yn->start_mark.column + 1);
}

static int DDW_PRINTF(3, 4) err_at(const char *where, const char *path, const char *fmt, ...)
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

static int DDW_PRINTF(5, 6) err_node(const struct loader *ld, const struct cfg_doc *d, int node,
				     const char *path, const char *fmt, ...)
{
	char where[PATH_MAX_LEN + 64];
	char msg[1024];
	va_list ap;

	node_where(ld, d, node, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(where, path, "%s", msg);
}

/* Error about a value already walked, found by its path. */
static int DDW_PRINTF(3, 4) err_path(const struct config *cfg, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_at(origin_of(cfg, path), path, "%s", msg);
}

/* --- loading files --- */

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

/* Loads file into a new doc. where/path: who asked (NULL for the main file). */
#define MAX_NESTING	32	/* a config nests about 4 deep */

/* "FILE:LINE:COL: yaml: problem" for a libyaml error; a reader error (bad bytes) has an offset. */
static void yaml_problem(const yaml_parser_t *p, const char *file)
{
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_READER_ERROR) {
		fprintf(stderr, "%s: yaml: %s at byte %lu (0x%02x)\n", file,
			p->problem ? p->problem : "bad input", (unsigned long)p->problem_offset,
			(unsigned)(p->problem_value & 0xff));
		return;
	}
	fprintf(stderr, "%s:%lu:%lu: yaml: %s%s%s\n", file, (unsigned long)m.line + 1,
		(unsigned long)m.column + 1, p->problem ? p->problem : "syntax error",
		p->context ? " " : "", p->context ? p->context : "");
}

/*
 * A first pass over the events: one document only, nested at most
 * MAX_NESTING deep. It stops early, so input that libyaml would take
 * quadratic time to compose (a million '[') is rejected at once.
 * Returns 0, or -1 after reporting.
 */
static int DDW_PRINTF(3, 4) err_at_mark(const char *file, yaml_mark_t m, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%lu:%lu", file, (unsigned long)m.line + 1,
		 (unsigned long)m.column + 1);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	return -1;
}

static int yaml_precheck(FILE *fp, const char *file)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 0;
	bool done = false;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break;		/* a syntax error: the load reports it, with its context */
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = err_at_mark(file, ev.start_mark, "a second YAML document ('---'); a config is one document");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > MAX_NESTING)
				rc = err_at_mark(file, ev.start_mark, "nested more than %d deep", MAX_NESTING);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	rewind(fp);
	return rc;
}

/* fopen, refusing directories (which fopen opens and reads fail on). */
static FILE *open_file(const char *file)
{
	FILE *fp = fopen(file, "rb");
	struct stat st;

	if (fp && fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		errno = EISDIR;
		return NULL;
	}
	return fp;
}

/* Loads file into a new doc. where/path: who asked (NULL for the main file). */
static struct cfg_doc *load_doc(struct loader *ld, const char *file, const char *where,
				const char *path)
{
	struct cfg_doc *d;
	yaml_parser_t parser;
	FILE *fp;
	int ok;

	if (ld->ndocs == MAX_DOCS) {
		err_at(where, path, "too many included files (at most %d)", MAX_DOCS);
		return NULL;
	}
	fp = open_file(file);
	if (!fp) {
		if (where)
			err_at(where, path, "cannot open '%s': %s", file, strerror(errno));
		else
			err_at(file, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (yaml_precheck(fp, file) < 0) {
		fclose(fp);
		return NULL;
	}
	d = &ld->docs[ld->ndocs];
	memset(d, 0, sizeof(*d));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	ok = yaml_parser_load(&parser, &d->doc);
	if (!ok)
		yaml_problem(&parser, file);
	yaml_parser_delete(&parser);
	fclose(fp);
	if (!ok)
		return NULL;
	d->file = xstrdup(file);
	ld->ndocs++;
	if (!yaml_document_get_root_node(&d->doc)) {
		err_at(file, path, "empty file, expected a mapping of settings");
		return NULL;
	}
	return d;
}

static yaml_node_t *node_at(struct cfg_doc *d, int idx)
{
	return yaml_document_get_node(&d->doc, idx);
}

static const char *scalar(struct cfg_doc *d, int idx)
{
	yaml_node_t *n = node_at(d, idx);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Value node of key in mapping node m, or 0. */
static int map_get(struct cfg_doc *d, int m, const char *key)
{
	yaml_node_t *n = node_at(d, m);

	if (!n || n->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = scalar(d, p->key);

		if (k && !strcmp(k, key))
			return p->value;
	}
	return 0;
}

/* Follows a section written as a file name, to the mapping it holds. */
static int follow(struct loader *ld, enum cfg_section s, struct cfg_doc *d, int node,
		  struct cfg_doc **out_doc, int *out_node)
{
	const char *chain[MAX_DOCS];
	unsigned depth = 0;

	while (node_at(d, node)->type == YAML_SCALAR_NODE) {
		char where[PATH_MAX_LEN + 64];
		const char *name = scalar(d, node);
		char *file;
		struct cfg_doc *inc;

		node_where(ld, d, node, where, sizeof(where));
		if (!*name || !strcmp(name, "~") || !strcmp(name, "null"))
			return err_at(where, cfg_section_names[s], "empty, expected a file name or a mapping of settings");
		file = dir_join(d->file, name);
		for (unsigned i = 0; i < depth; i++) {
			if (!strcmp(chain[i], file)) {
				err_at(where, cfg_section_names[s], "circular include of '%s'", file);
				free(file);
				return -1;
			}
		}
		chain[depth++] = d->file;
		inc = load_doc(ld, file, where, cfg_section_names[s]);
		free(file);
		if (!inc)
			return -1;
		d = inc;
		node = 1;	/* the root */
		if (depth == MAX_DOCS)
			return err_at(where, cfg_section_names[s], "includes nested too deeply");
	}
	*out_doc = d;
	*out_node = node;
	return 0;
}

/*
 * A section is a mapping, a file name, or {include: FILE, key: value...}:
 * the file's settings with some of them changed.
 */
static int resolve_section(struct loader *ld, enum cfg_section s, struct cfg_doc *d, int node)
{
	int inc = node_at(d, node)->type == YAML_MAPPING_NODE ? map_get(d, node, "include") : 0;

	if (!inc)
		return follow(ld, s, d, node, &ld->sec_doc[s], &ld->sec_node[s]);
	if (s == SEC_WORKLOAD || !scalar(d, inc))
		return err_node(ld, d, inc, cfg_section_names[s], s == SEC_WORKLOAD ?
				"include is for platform and host; name the workload file alone" :
				"include: expected a file name");
	ld->sec_doc[s] = d;
	ld->sec_node[s] = node;
	return follow(ld, s, d, inc, &ld->base_doc[s], &ld->base_node[s]);
}

static int load_sections(struct loader *ld)
{
	struct cfg_doc *main = &ld->docs[0];
	yaml_node_t *root = node_at(main, 1);

	if (root->type != YAML_MAPPING_NODE)
		return err_node(ld, main, 1, NULL, "expected a mapping of sections (%s)",
				cfg_section_list);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(main, p->key);
		int s = cfg_section_find(k ? k : "");

		if (s < 0)
			return err_node(ld, main, p->key, k, "unknown section, expected one of: %s",
					cfg_section_list);
		if (ld->sec_node[s])
			return err_node(ld, main, p->key, k, "section given twice");
		if (cfg_section_includable(s)) {
			if (resolve_section(ld, (enum cfg_section)s, main, p->value) < 0)
				return -1;
		} else {
			ld->sec_doc[s] = main;
			ld->sec_node[s] = p->value;
		}
	}
	return 0;
}

/* --- --set --- */

/* Splits "modes[1].window.size" into components "modes" "1" "window" "size". */
static unsigned split_path(char *key, char **comp, unsigned max)
{
	unsigned n = 0;

	for (char *p = key; *p && n < max;) {
		comp[n++] = p;
		p += strcspn(p, ".[");
		if (*p == '[' && n < max) {	/* the index needs a slot too */
			*p++ = '\0';
			comp[n++] = p;
			p += strcspn(p, "]");
			if (*p)
				*p++ = '\0';
			if (*p == '.')
				p++;
		} else if (*p) {
			*p++ = '\0';
		}
	}
	return n;
}

/* Item of sequence seq named by comp: an index or a mode's name; 0 if none. */
static int seq_item(struct cfg_doc *d, int seq, const char *comp)
{
	yaml_node_t *n = node_at(d, seq);
	long count = n->data.sequence.items.top - n->data.sequence.items.start;
	char *end;
	long i = strtol(comp, &end, 10);

	if (*comp && !*end)
		return i >= 0 && i < count ? n->data.sequence.items.start[i] : 0;
	for (long j = 0; j < count; j++) {
		int item = n->data.sequence.items.start[j];
		const char *name = scalar(d, map_get(d, item, "name"));

		if (name && !strcmp(name, comp))
			return item;
	}
	return 0;
}

/* Child comp of node (mapping: created if absent when create). */
static int child(struct cfg_doc *d, int node, const char *comp, bool last, const char *value)
{
	yaml_node_t *n = node_at(d, node);
	int v, k;

	if (n->type == YAML_SEQUENCE_NODE)
		return last ? -1 : seq_item(d, node, comp);
	if (n->type != YAML_MAPPING_NODE)
		return -1;
	v = map_get(d, node, comp);
	if (last) {
		int s = yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)value,
						 (int)strlen(value), YAML_PLAIN_SCALAR_STYLE);
		n = node_at(d, node);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (scalar(d, p->key) && !strcmp(scalar(d, p->key), comp))
				return p->value = s;
		k = yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)comp, (int)strlen(comp),
					     YAML_PLAIN_SCALAR_STYLE);
		yaml_document_append_mapping_pair(&d->doc, node, k, s);
		return s;
	}
	if (v && node_at(d, v)->type != YAML_SCALAR_NODE)
		return v;
	/* absent, or a single value ("window: default") that now gets keys */
	v = yaml_document_add_mapping(&d->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
	n = node_at(d, node);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (scalar(d, p->key) && !strcmp(scalar(d, p->key), comp))
			return p->value = v;
	k = yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)comp, (int)strlen(comp),
				     YAML_PLAIN_SCALAR_STYLE);
	yaml_document_append_mapping_pair(&d->doc, node, k, v);
	return v;
}

static int apply_set(struct loader *ld, const char *text)
{
	char where[PATH_MAX_LEN + 16], *key, *value, *comp[32] = { NULL };
	const char *eq = strchr(text, '=');
	unsigned n;
	struct cfg_doc *d;
	int s, node, before;

	snprintf(where, sizeof(where), "--set %s", text);
	if (!eq || eq == text)
		return err_at(where, NULL, "expected KEY=VALUE, like platform.tce_cache.entries=1024");
	if (ld->nsets + 8 >= MAX_OVERRIDES)
		return err_at(where, NULL, "too many --set options (at most %d)", MAX_SETS);
	key = xstrdup(text);
	key[eq - text] = '\0';
	value = key + (eq - text) + 1;
	n = split_path(key, comp, 32);
	s = n ? cfg_section_find(comp[0]) : -1;
	if (s < 0 || n < 2) {
		err_at(where, NULL, "'%s' names no setting; keys look like section.key (sections: %s)",
		       text, cfg_section_list);
		free(key);
		return -1;
	}
	if (!ld->sec_node[s]) {
		/* section absent from the file: add an empty mapping to the main doc */
		d = &ld->docs[0];
		ld->sec_node[s] = child(d, 1, comp[0], false, NULL);
		ld->sec_doc[s] = d;
	}
	d = ld->sec_doc[s];
	node = ld->sec_node[s];
	before = (int)(d->doc.nodes.top - d->doc.nodes.start);
	for (unsigned i = 1; i < n && node > 0; i++)
		node = child(d, node, comp[i], i + 1 == n, value);
	free(key);
	if (node <= 0)
		return err_at(where, NULL, "no such setting in %s", d->file);
	/* the value, and every key or mapping the --set added, are the --set's */
	ld->sets[ld->nsets++] = (struct override){ .doc = d, .node = node, .text = text };
	for (int i = before + 1; i <= (int)(d->doc.nodes.top - d->doc.nodes.start); i++)
		if (i != node && ld->nsets < MAX_OVERRIDES)
			ld->sets[ld->nsets++] = (struct override){ .doc = d, .node = i, .text = text };
	return 0;
}

/* --- scalar parsing --- */

int config_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		u = strchr(units, *end >= 'a' ? *end - 32 : *end);
		if (!u || !*u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

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

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "True", "TRUE", NULL };
	static const char *const no[] = { "false", "no", "off", "False", "FALSE", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
	for (int i = 0; no[i]; i++)
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	return -EINVAL;
}

static int enum_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static void enum_list(const char *const *names, char *buf, size_t n)
{
	buf[0] = '\0';
	for (int i = 0; names[i]; i++) {
		strncat(buf, i ? ", " : "", n - strlen(buf) - 1);
		strncat(buf, names[i], n - strlen(buf) - 1);
	}
}

/* What a key accepts, for messages. */
static void expected(const struct cfg_key *k, char *buf, size_t n)
{
	char lo[32], hi[32], list[256];

	switch (k->type) {
	case CFG_U32:
	case CFG_U64:
		snprintf(buf, n, "an integer in %llu..%llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		break;
	case CFG_SIZE:
	case CFG_SIZE_RAM:
		snprintf(buf, n, "a size like 4096, 64K, 2M or 1G in %s..%s%s",
			 config_size_str(k->min, lo, sizeof(lo)), config_size_str(k->max, hi, sizeof(hi)),
			 k->type == CFG_SIZE_RAM ? ", or ram" : "");
		break;
	case CFG_PAGE:
		snprintf(buf, n, "a power-of-two size in %s..%s",
			 config_size_str(k->min, lo, sizeof(lo)), config_size_str(k->max, hi, sizeof(hi)));
		break;
	case CFG_PAGE_LIST:
		snprintf(buf, n, "a list of power-of-two sizes in %s..%s, like [4K, 64K, 2M]",
			 config_size_str(k->min, lo, sizeof(lo)), config_size_str(k->max, hi, sizeof(hi)));
		break;
	case CFG_BOOL:
		snprintf(buf, n, "true or false");
		break;
	case CFG_ENUM:
		enum_list(k->enums, list, sizeof(list));
		snprintf(buf, n, "one of %s", list);
		break;
	case CFG_STR:
		snprintf(buf, n, "a name of 1..%d characters", CONFIG_NAME_MAX - 1);
		break;
	case CFG_MAP:
		snprintf(buf, n, "a mapping of settings");
		break;
	}
}

/* Parses one page size (power of two in [k->min, k->max]) to its shift. */
static int parse_page(const struct cfg_key *k, const char *s, unsigned *shift)
{
	uint64_t v;
	int rc = config_parse_size(s, &v);

	if (rc < 0)
		return rc;
	if (!v || (v & (v - 1)) || v < k->min || v > k->max)
		return -ERANGE;
	*shift = (unsigned)__builtin_ctzll(v);
	return 0;
}

/* Parses scalar text s for key k into base + k->off. */
static int parse_scalar(const struct cfg_key *k, const char *s, void *base)
{
	void *p = (char *)base + k->off;
	uint64_t v;
	bool b;
	int rc, e;

	switch (k->type) {
	case CFG_U32:
	case CFG_U64:
		rc = parse_u64(s, &v);
		if (rc == 0 && (v < k->min || v > k->max))
			rc = -ERANGE;
		if (rc == 0 && k->type == CFG_U32)
			*(unsigned *)p = (unsigned)v;
		else if (rc == 0)
			*(uint64_t *)p = v;
		return rc;
	case CFG_SIZE:
	case CFG_SIZE_RAM:
		if (k->type == CFG_SIZE_RAM && !strcmp(s, "ram"))
			return *(uint64_t *)p = SIZE_RAM, 0;
		rc = config_parse_size(s, &v);
		if (rc == 0 && (v < k->min || v > k->max))
			rc = -ERANGE;
		if (rc == 0)
			*(uint64_t *)p = v;
		return rc;
	case CFG_PAGE:
		return parse_page(k, s, (unsigned *)p);
	case CFG_BOOL:
		rc = parse_bool(s, &b);
		if (rc == 0)
			*(bool *)p = b;
		return rc;
	case CFG_ENUM:
		e = enum_index(k->enums, s);
		if (e < 0)
			return -EINVAL;
		*(int *)p = e;
		return 0;
	case CFG_STR:
		if (!*s || strlen(s) >= CONFIG_NAME_MAX)
			return -EINVAL;
		strcpy((char *)p, s);
		return 0;
	default:
		return -EINVAL;
	}
}

/* --- the walker --- */

static int walk_map(struct loader *ld, struct cfg_doc *d, int node, const struct cfg_key *tab,
		    void *base, const char *path, const char *const *skip);

static void key_path(char *out, size_t n, const char *path, const char *name)
{
	snprintf(out, n, "%s%s%s", path, *path ? "." : "", name);
}

static int parse_page_list(struct loader *ld, struct cfg_doc *d, int node,
			   const struct cfg_key *k, void *base, const char *path)
{
	yaml_node_t *n = node_at(d, node);
	uint64_t mask = 0;
	char exp[256];

	expected(k, exp, sizeof(exp));
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return err_node(ld, d, node, path, "expected %s", exp);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = scalar(d, *it);
		unsigned shift;

		if (!s || parse_page(k, s, &shift) < 0)
			return err_node(ld, d, *it, path, "expected %s, got '%s'", exp, s ? s : "a mapping");
		mask |= 1ull << shift;
	}
	*(uint64_t *)((char *)base + k->off) = mask;
	return 0;
}

static int walk_value(struct loader *ld, struct cfg_doc *d, int node, const struct cfg_key *k,
		      void *base, const char *path)
{
	yaml_node_t *n = node_at(d, node);
	char exp[256], where[PATH_MAX_LEN + 64];
	const char *s;
	int rc;

	node_where(ld, d, node, where, sizeof(where));
	origin_add(ld->cfg, path, where);
	if (k->type == CFG_MAP)
		return walk_map(ld, d, node, k->sub, (char *)base + k->off, path, NULL);
	if (k->type == CFG_PAGE_LIST)
		return parse_page_list(ld, d, node, k, base, path);
	expected(k, exp, sizeof(exp));
	if (n->type != YAML_SCALAR_NODE)
		return err_node(ld, d, node, path, "expected %s, got a %s", exp,
				n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return err_node(ld, d, node, path, "expected %s, got a value with a NUL byte", exp);
	rc = parse_scalar(k, s, base);
	if (rc == -ERANGE)
		return err_node(ld, d, node, path, "'%s' is out of range, expected %s", s, exp);
	if (rc < 0)
		return err_node(ld, d, node, path, "expected %s, got '%s'", exp, s);
	return 0;
}

static void apply_defaults(struct loader *ld, const struct cfg_key *tab, void *base,
			   const char *path)
{
	char kp[PATH_MAX_LEN];

	for (const struct cfg_key *k = tab; k->name; k++) {
		key_path(kp, sizeof(kp), path, k->name);
		if (k->type == CFG_MAP) {
			apply_defaults(ld, k->sub, (char *)base + k->off, kp);
		} else if (k->def) {
			int rc = parse_scalar(k, k->def, base);

			if (rc < 0) {
				fprintf(stderr, "ddwsim: internal error: bad default for %s\n", kp);
				abort();
			}
			origin_add(ld->cfg, kp, "default");
		}
	}
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static int walk_map(struct loader *ld, struct cfg_doc *d, int node, const struct cfg_key *tab,
		    void *base, const char *path, const char *const *skip)
{
	yaml_node_t *n = node_at(d, node);
	char kp[PATH_MAX_LEN], names[512] = "";
	uint64_t seen = 0;
	unsigned i = 0;

	if (n->type != YAML_MAPPING_NODE)
		return err_node(ld, d, node, path, "expected a mapping of settings, got %s",
				n->type == YAML_SCALAR_NODE ? "a single value" : "a list");
	if (!ld->overlay)
		apply_defaults(ld, tab, base, path);
	for (const struct cfg_key *k = tab; k->name; k++, i++) {
		strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
		strncat(names, k->name, sizeof(names) - strlen(names) - 1);
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = scalar(d, p->key);
		const struct cfg_key *k;

		if (!key)
			return err_node(ld, d, p->key, path, "keys must be plain names");
		if (in_list(skip, key))
			continue;
		key_path(kp, sizeof(kp), path, key);
		for (k = tab, i = 0; k->name && strcmp(k->name, key); k++, i++)
			;
		if (!k->name)
			return err_node(ld, d, p->key, kp, "unknown key, expected one of: %s", names);
		if (seen & (1ull << i))
			return err_node(ld, d, p->key, kp, "key given twice");
		seen |= 1ull << i;
		if (walk_value(ld, d, p->value, k, base, kp) < 0)
			return -1;
	}
	for (const struct cfg_key *k = tab; k->name && !ld->overlay; k++) {
		if (!k->def && k->type != CFG_MAP && !(seen & (1ull << (k - tab)))) {
			key_path(kp, sizeof(kp), path, k->name);
			return err_node(ld, d, node, kp, "missing, this setting has no default");
		}
	}
	return 0;
}

/* --- sections with their own shape --- */

static int walk_mode(struct loader *ld, struct cfg_doc *d, int node, unsigned i)
{
	static const char *const skip[] = { "window", NULL };
	struct mode_cfg *m = &ld->cfg->modes[i];
	char path[64], wp[80];
	int w;

	snprintf(path, sizeof(path), "modes[%u]", i);
	if (walk_map(ld, d, node, cfg_mode_keys, m, path, skip) < 0)
		return -1;
	w = map_get(d, node, "window");
	snprintf(wp, sizeof(wp), "%s.window", path);
	m->default_window = !w || (scalar(d, w) && !strcmp(scalar(d, w), "default"));
	if (w) {
		char where[PATH_MAX_LEN + 64];

		node_where(ld, d, w, where, sizeof(where));
		origin_add(ld->cfg, wp, where);
	} else {
		origin_add(ld->cfg, wp, "default");
	}
	if (m->default_window)
		return 0;
	if (scalar(d, w))
		return err_node(ld, d, w, wp, "expected 'default' or a mapping with page_size, size and levels, got '%s'",
				scalar(d, w));
	return walk_map(ld, d, w, cfg_window_keys, m, wp, NULL);
}

static int walk_modes(struct loader *ld)
{
	struct cfg_doc *d = ld->sec_doc[SEC_MODES];
	int node = ld->sec_node[SEC_MODES];
	yaml_node_t *n;
	unsigned i = 0;

	if (!node)
		return err_at(ld->cfg->path, "modes", "missing, expected a list of modes to compare");
	n = node_at(d, node);
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return err_node(ld, d, node, "modes", "expected a list of 1..%d modes", CONFIG_MAX_MODES);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		if (i == CONFIG_MAX_MODES)
			return err_node(ld, d, *it, "modes", "too many modes, at most %d", CONFIG_MAX_MODES);
		if (walk_mode(ld, d, *it, i) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(ld->cfg->modes[j].name, ld->cfg->modes[i].name))
				return err_node(ld, d, map_get(d, *it, "name"), "modes", "mode name '%s' used twice",
						ld->cfg->modes[i].name);
	}
	ld->cfg->nmodes = i;
	return 0;
}

/* workload: {trace: FILE}: the file, relative to the one naming it, must open. */
static int walk_trace(struct loader *ld, struct cfg_doc *d, int node, int t)
{
	struct workload_cfg *w = &ld->cfg->workload;
	yaml_node_t *n = node_at(d, node);
	char where[PATH_MAX_LEN + 64], *file;
	FILE *fp;

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (p->value != t)
			return err_node(ld, d, p->key, "workload", "unknown key '%s' beside trace, expected only trace",
					scalar(d, p->key) ? scalar(d, p->key) : "?");
	if (!scalar(d, t) || !*scalar(d, t))
		return err_node(ld, d, t, "workload.trace", "expected a trace file name (.ddwt or .ddwb)");
	file = dir_join(d->file, scalar(d, t));
	if (strlen(file) >= sizeof(w->trace)) {
		free(file);
		return err_node(ld, d, t, "workload.trace", "file name too long");
	}
	fp = open_file(file);
	if (!fp) {
		err_node(ld, d, t, "workload.trace", "cannot open '%s': %s", file, strerror(errno));
		free(file);
		return -1;
	}
	fclose(fp);
	strcpy(w->trace, file);
	free(file);
	node_where(ld, d, t, where, sizeof(where));
	origin_add(ld->cfg, "workload.trace", where);
	return 0;
}

static int walk_workload(struct loader *ld)
{
	static const char *const skip[] = { "generator", NULL };
	struct workload_cfg *w = &ld->cfg->workload;
	struct cfg_doc *d = ld->sec_doc[SEC_WORKLOAD];
	int node = ld->sec_node[SEC_WORKLOAD], g, t;
	const struct synth_gen *gen;
	char names[256] = "";

	if (!node)
		return err_at(ld->cfg->path, "workload", "missing, expected a generator or a trace");
	if (node_at(d, node)->type != YAML_MAPPING_NODE)
		return err_node(ld, d, node, "workload", "expected a mapping with generator or trace");
	g = map_get(d, node, "generator");
	t = map_get(d, node, "trace");
	if (t)
		return g ? err_node(ld, d, g, "workload.generator",
				    "give a generator or a trace, not both") : walk_trace(ld, d, node, t);
	for (int i = 0; synth_gens[i].name; i++) {
		strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
		strncat(names, synth_gens[i].name, sizeof(names) - strlen(names) - 1);
	}
	if (!g)
		return err_node(ld, d, node, "workload.generator", "missing, expected one of: %s", names);
	gen = scalar(d, g) ? synth_find(scalar(d, g)) : NULL;
	if (!gen)
		return err_node(ld, d, g, "workload.generator", "unknown generator '%s', expected one of: %s",
				scalar(d, g) ? scalar(d, g) : "(not a name)", names);
	snprintf(w->generator, sizeof(w->generator), "%s", gen->name);
	{
		char where[PATH_MAX_LEN + 64];

		node_where(ld, d, g, where, sizeof(where));
		origin_add(ld->cfg, "workload.generator", where);
	}
	return walk_map(ld, d, node, gen->keys, w->params, "workload", skip);
}

static int walk_sections(struct loader *ld)
{
	struct config *c = ld->cfg;
	void *bases[SEC_COUNT] = {
		[SEC_PLATFORM] = &c->platform, [SEC_HOST] = &c->host, [SEC_RUN] = &c->run,
	};

	for (int s = 0; s < SEC_COUNT; s++) {
		if (!cfg_section_keys[s])
			continue;
		if (!ld->sec_node[s]) {
			if (cfg_section_required(s))
				return err_at(c->path, cfg_section_names[s], "missing section");
			apply_defaults(ld, cfg_section_keys[s], bases[s], cfg_section_names[s]);
			continue;
		}
		if (ld->base_node[s]) {
			static const char *const skip[] = { "include", NULL };
			int rc;

			if (walk_map(ld, ld->base_doc[s], ld->base_node[s], cfg_section_keys[s],
				     bases[s], cfg_section_names[s], NULL) < 0)
				return -1;
			ld->overlay = true;
			rc = walk_map(ld, ld->sec_doc[s], ld->sec_node[s], cfg_section_keys[s],
				      bases[s], cfg_section_names[s], skip);
			ld->overlay = false;
			if (rc < 0)
				return -1;
			continue;
		}
		if (walk_map(ld, ld->sec_doc[s], ld->sec_node[s], cfg_section_keys[s], bases[s],
			     cfg_section_names[s], NULL) < 0)
			return -1;
	}
	if (walk_modes(ld) < 0)
		return -1;
	return walk_workload(ld);
}

/* --- step 4: values that must agree --- */

static uint64_t pow2_down(uint64_t x)
{
	return x ? 1ull << (63 - __builtin_clzll(x)) : 0;
}

static uint64_t pow2_up(uint64_t x)
{
	return x <= 1 ? 1 : (x > (1ull << 63) ? 0 : 1ull << (64 - __builtin_clzll(x - 1)));
}

static int check_window(const struct config *c, const char *path, unsigned page_shift,
			uint64_t size, unsigned levels)
{
	const struct platform_cfg *p = &c->platform;
	char kp[PATH_MAX_LEN], a[32], b[32];
	struct tce_geom g;
	struct tce_table_req req = {
		.kind = p->kind == PLAT_POWERNV ? TCE_TABLE_PNV : TCE_TABLE_HV,
		.page_shift = page_shift, .window_size = size, .levels = levels,
		.host_page_shift = c->host.page_shift, .max_bits = p->max_table_bits,
	};

	key_path(kp, sizeof(kp), path, "page_size");
	if (!(p->page_sizes & (1ull << page_shift)))
		return err_path(c, kp, "%s TCEs are not supported by platform '%s'",
				config_size_str(1ull << page_shift, a, sizeof(a)), p->name);
	key_path(kp, sizeof(kp), path, "levels");
	if (levels < 1 || levels > p->max_levels)
		return err_path(c, kp, "%u levels, platform '%s' allows 1..%u", levels, p->name,
				p->max_levels);
	key_path(kp, sizeof(kp), path, "size");
	if (!size || (size & (size - 1)) || size < (1ull << page_shift) || size > (1ull << 59))
		return err_path(c, kp, "window of %s bytes, expected a power of two in %s..512P",
				config_size_str(size, a, sizeof(a)),
				config_size_str(1ull << page_shift, b, sizeof(b)));
	if (tce_geom_compute(&g, &req) < 0)
		return err_path(c, kp, "a %s window of %s TCEs in %u levels needs a table beyond the %u-bit limit (pnv_pci_ioda2_table_alloc_pages), use more levels or bigger TCEs",
				config_size_str(size, a, sizeof(a)),
				config_size_str(1ull << page_shift, b, sizeof(b)), levels,
				p->max_table_bits);
	return 0;
}

static int check_modes(struct config *c)
{
	const struct platform_cfg *p = &c->platform;
	char path[64], kp[PATH_MAX_LEN], a[32];

	for (unsigned i = 0; i < c->nmodes; i++) {
		struct mode_cfg *m = &c->modes[i];
		uint64_t cover;

		snprintf(path, sizeof(path), "modes[%u].window", i);
		if (m->mapping == MAP_BYPASS) {
			if (!m->default_window)
				return err_path(c, path, "a bypass mode uses no window, write 'window: default' or leave it out");
			continue;
		}
		if (m->default_window) {
			m->page_shift = p->default_window.page_shift;
			m->size = p->default_window.size;
			m->levels = p->default_window.levels;
			for (const char *const *k = (const char *const[]){ "page_size", "size", "levels", NULL }; *k; k++) {
				key_path(kp, sizeof(kp), path, *k);
				origin_add(c, kp, "platform.default_window");
			}
		} else {
			if (m->size == SIZE_RAM)
				m->size = pow2_up(c->host.ram);	/* enable_ddw: order_base_2(RAM) */
			if (check_window(c, path, m->page_shift, m->size, m->levels) < 0)
				return -1;
			if (p->max_windows < 2)
				return err_path(c, path, "platform '%s' allows %u window per PE, so no DDW can be created",
						p->name, p->max_windows);
		}
		cover = m->size;
		if (m->mapping == MAP_DIRECT && !m->default_window && cover < c->host.ram) {
			key_path(kp, sizeof(kp), path, "size");
			return err_path(c, kp, "a direct window must cover host.ram (%s), write 'size: ram'",
					config_size_str(c->host.ram, a, sizeof(a)));
		}
		if (m->mapping == MAP_DIRECT && m->default_window && cover < c->host.ram)
			return err_path(c, path, "the default window (%s) cannot map all of host.ram (%s) directly",
					config_size_str(cover, kp, sizeof(kp)),
					config_size_str(c->host.ram, a, sizeof(a)));
	}
	return 0;
}

static int check_all(struct config *c)
{
	struct platform_cfg *p = &c->platform;

	if (!p->tce_cache.ways)
		p->tce_cache.ways = p->tce_cache.entries;	/* fully associative */
	if (p->tce_cache.ways > p->tce_cache.entries || p->tce_cache.entries % p->tce_cache.ways)
		return err_path(c, "platform.tce_cache.ways", "%u ways do not divide %u entries, expected a divisor of platform.tce_cache.entries",
				p->tce_cache.ways, p->tce_cache.entries);
	if (c->host.ram & ((1ull << c->host.page_shift) - 1))
		return err_path(c, "host.ram", "not a multiple of host.page_size");
	if (c->host.page_shift != 12 && c->host.page_shift != 16)
		return err_path(c, "host.page_size", "expected 4K or 64K (ppc64 kernel page sizes)");
	if (p->pcie.mrrs & (p->pcie.mrrs - 1))
		return err_path(c, "platform.pcie.mrrs", "expected a power of two in 128..4096");
	if (p->pcie.mps & (p->pcie.mps - 1))
		return err_path(c, "platform.pcie.mps", "expected a power of two in 128..4096");
	if (p->default_window.size == SIZE_RAM)
		p->default_window.size = pow2_down(c->host.ram); /* §2.7: rounddown_pow_of_two */
	if (check_window(c, "platform.default_window", p->default_window.page_shift,
			 p->default_window.size, p->default_window.levels) < 0)
		return -1;
	if (check_modes(c) < 0)
		return -1;
	{
		const struct synth_gen *gen = synth_find(c->workload.generator);
		const char *key = NULL, *msg = gen && gen->check ? gen->check(c, &key) : NULL;
		char kp[PATH_MAX_LEN];

		if (msg) {
			key_path(kp, sizeof(kp), "workload", key);
			return err_path(c, kp, "%s", msg);
		}
	}
	return 0;
}

/* --- public --- */

int config_load(struct config *cfg, const char *path, char *const *sets, unsigned nsets)
{
	struct loader *ld = xcalloc(1, sizeof(*ld));
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup(path);
	ld->cfg = cfg;
	if (!load_doc(ld, path, NULL, NULL) || load_sections(ld) < 0)
		goto out;
	for (unsigned i = 0; i < nsets; i++)
		if (apply_set(ld, sets[i]) < 0)
			goto out;
	if (walk_sections(ld) < 0 || check_all(cfg) < 0)
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

/* --- printing the effective parameters --- */

static void format_value(const struct cfg_key *k, const void *base, char *buf, size_t n)
{
	const void *p = (const char *)base + k->off;
	char tmp[32];
	uint64_t mask;

	switch (k->type) {
	case CFG_U32:
		snprintf(buf, n, "%u", *(const unsigned *)p);
		break;
	case CFG_U64:
		snprintf(buf, n, *(const uint64_t *)p > 0xffffff ? "0x%llx" : "%llu",
			 (unsigned long long)*(const uint64_t *)p);
		break;
	case CFG_SIZE:
	case CFG_SIZE_RAM:
		config_size_str(*(const uint64_t *)p, buf, n);
		break;
	case CFG_PAGE:
		config_size_str(1ull << *(const unsigned *)p, buf, n);
		break;
	case CFG_PAGE_LIST:
		buf[0] = '\0';
		mask = *(const uint64_t *)p;
		for (unsigned s = 0; s < 64; s++) {
			if (!(mask & (1ull << s)))
				continue;
			strncat(buf, buf[0] ? " " : "", n - strlen(buf) - 1);
			strncat(buf, config_size_str(1ull << s, tmp, sizeof(tmp)), n - strlen(buf) - 1);
		}
		break;
	case CFG_BOOL:
		snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false");
		break;
	case CFG_ENUM:
		snprintf(buf, n, "%s", k->enums[*(const int *)p]);
		break;
	case CFG_STR:
		snprintf(buf, n, "%s", (const char *)p);
		break;
	case CFG_MAP:
		buf[0] = '\0';
		break;
	}
}

static void params_of(const struct config *cfg, const struct cfg_key *tab, const void *base,
		      const char *path, config_param_fn fn, void *arg)
{
	char kp[PATH_MAX_LEN], val[256];

	for (const struct cfg_key *k = tab; k->name; k++) {
		const char *o;

		key_path(kp, sizeof(kp), path, k->name);
		if (k->type == CFG_MAP) {
			params_of(cfg, k->sub, (const char *)base + k->off, kp, fn, arg);
			continue;
		}
		format_value(k, base, val, sizeof(val));
		o = origin_of(cfg, kp);
		fn(arg, kp, val, k->unit ? k->unit : "",
		   !strcmp(o, "default") && k->src ? k->src : o, k->assumed);
	}
}

void config_params(const struct config *cfg, config_param_fn fn, void *arg)
{
	const void *bases[SEC_COUNT] = {
		[SEC_PLATFORM] = &cfg->platform, [SEC_HOST] = &cfg->host, [SEC_RUN] = &cfg->run,
	};
	const struct synth_gen *gen = synth_find(cfg->workload.generator);
	char path[64];

	for (int s = 0; s < SEC_COUNT; s++)
		if (cfg_section_keys[s])
			params_of(cfg, cfg_section_keys[s], bases[s], cfg_section_names[s], fn, arg);
	for (unsigned i = 0; i < cfg->nmodes; i++) {
		snprintf(path, sizeof(path), "modes[%u]", i);
		params_of(cfg, cfg_mode_keys, &cfg->modes[i], path, fn, arg);
		snprintf(path, sizeof(path), "modes[%u].window", i);
		params_of(cfg, cfg_window_keys, &cfg->modes[i], path, fn, arg);
	}
	if (gen) {
		fn(arg, "workload.generator", gen->name, "", origin_of(cfg, "workload.generator"), false);
		params_of(cfg, gen->keys, cfg->workload.params, "workload", fn, arg);
	} else {
		fn(arg, "workload.trace", cfg->workload.trace, "", origin_of(cfg, "workload.trace"), false);
	}
}
