/*
 * config_walk.c - step 3 of config_load(): each section walked once against
 * its schema table (config_schema.c) into the plain structs of config.h.
 *
 * A mapping gets its table's defaults first (origin "default"), then every
 * key written, each parsed by its type and checked against its range; a
 * missing key without a default is an error. A section written
 * {include: FILE, ...} is walked twice: FILE's mapping with defaults, then
 * the overlay without. modes (a list) and workload (a generator's own table,
 * or a trace) have walkers of their own. Every value's origin is recorded
 * for later checks and for the report.
 *
 * Numbers (integers, sizes, page sizes) are read by num.c, whose refusal
 * reason ends the message ("got '0100': leading zeros are refused, ...").
 * Before anything is walked, one scan refuses a key with a NUL byte in any
 * loaded file (check_keys).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ddwsim/config.h"
#include "ddwsim/infile.h"
#include "ddwsim/num.h"
#include "ddwsim/synth.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

/* --- scalars --- */

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
/* A list key whose default is none takes none too (the empty list: a --set can undo a file's list). */
static bool list_may_be_none(const struct cfg_key *k)
{
	return k->def && !strcmp(k->def, "none");
}

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
		snprintf(buf, n, "a list of power-of-two sizes in %s..%s, like [4K, 64K, 2M]%s",
			 config_size_str(k->min, lo, sizeof(lo)), config_size_str(k->max, hi, sizeof(hi)),
			 list_may_be_none(k) ? ", or none" : "");
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

/*
 * The number parsers below return 0; -ERANGE for a number outside the key's
 * range; or the enum num_err of text that is no number (num.h), whose
 * reason walk_value() puts in the message.
 */

/* Parses one page size (power of two in [k->min, k->max]) to its shift. */
static int parse_page(const struct cfg_key *k, const char *s, unsigned *shift)
{
	uint64_t v;
	int rc = num_parse_str(s, NUM_SIZE, &v);

	if (rc < 0)
		return rc;
	if (!v || (v & (v - 1)) || v < k->min || v > k->max)
		return -ERANGE;
	*shift = (unsigned)__builtin_ctzll(v);
	return 0;
}

/* CFG_U32 or CFG_U64 at p: an integer in [k->min, k->max], no suffix. */
static int parse_number(const struct cfg_key *k, const char *s, void *p)
{
	uint64_t v;
	int rc = num_parse_str(s, 0, &v);

	if (rc == 0 && (v < k->min || v > k->max))
		rc = -ERANGE;
	if (rc == 0 && k->type == CFG_U32)
		*(unsigned *)p = (unsigned)v;
	else if (rc == 0)
		*(uint64_t *)p = v;
	return rc;
}

/* CFG_SIZE or CFG_SIZE_RAM at p: bytes in [k->min, k->max], or "ram" (SIZE_RAM). */
static int parse_bytes(const struct cfg_key *k, const char *s, uint64_t *p)
{
	uint64_t v;
	int rc;

	if (k->type == CFG_SIZE_RAM && !strcmp(s, "ram"))
		return *p = SIZE_RAM, 0;
	rc = num_parse_str(s, NUM_SIZE, &v);
	if (rc == 0 && (v < k->min || v > k->max))
		rc = -ERANGE;
	if (rc == 0)
		*p = v;
	return rc;
}

/* Parses scalar text s for key k into base + k->off: 0, -ERANGE, -EINVAL or an enum num_err. */
static int parse_scalar(const struct cfg_key *k, const char *s, void *base)
{
	void *p = (char *)base + k->off;
	bool b;
	int rc, e;

	switch (k->type) {
	case CFG_U32:
	case CFG_U64:
		return parse_number(k, s, p);
	case CFG_SIZE:
	case CFG_SIZE_RAM:
		return parse_bytes(k, s, (uint64_t *)p);
	case CFG_PAGE:
		return parse_page(k, s, (unsigned *)p);
	case CFG_PAGE_LIST:	/* only a default: "none" is the empty list */
		if (strcmp(s, "none"))
			return -EINVAL;
		*(uint64_t *)p = 0;
		return 0;
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

/* path's value was written at node (or given by the --set that made it). */
static void origin_at(struct loader *ld, struct cfg_doc *d, int node, const char *path)
{
	char where[WHERE_MAX];

	cfg_node_where(ld, d, node, where, sizeof(where));
	cfg_origin_add(ld->cfg, path, where);
}

/*
 * Scalar node's value refused with rc (parse_scalar's): "'TEXT' is out of
 * range, expected EXP", or "expected EXP, got 'TEXT'" with the number rule
 * it breaks, if any. TEXT shows control bytes escaped ("\t-1"). Returns -1.
 */
static int value_error(struct loader *ld, struct cfg_doc *d, int node, const char *path,
		       const char *exp, int rc)
{
	yaml_node_t *n = cfg_node(d, node);
	char text[512];

	num_show(text, sizeof(text), (const char *)n->data.scalar.value, n->data.scalar.length);
	if (rc == -ERANGE || rc == NUM_ERANGE)
		return cfg_err_node(ld, d, node, path, "'%s' is out of range, expected %s", text, exp);
	return cfg_err_node(ld, d, node, path, "expected %s, got '%s'%s", exp, text,
			    num_why_tail(rc));
}

static int parse_page_list(struct loader *ld, struct cfg_doc *d, int node,
			   const struct cfg_key *k, void *base, const char *path)
{
	yaml_node_t *n = cfg_node(d, node);
	const char *s0 = cfg_scalar(d, node);
	uint64_t mask = 0;
	char exp[256];

	expected(k, exp, sizeof(exp));
	if (s0 && list_may_be_none(k) && !strcmp(s0, "none") &&
	    strlen(s0) == n->data.scalar.length) {
		*(uint64_t *)((char *)base + k->off) = 0;	/* back to the default's empty list */
		return 0;
	}
	if (s0)	/* a scalar, shown as every refused value is (num_show) */
		return value_error(ld, d, node, path, exp, -EINVAL);
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return cfg_err_node(ld, d, node, path, "expected %s", exp);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = cfg_scalar(d, *it);
		unsigned shift;
		int rc;

		if (!s)
			return cfg_err_node(ld, d, *it, path, "expected %s, got 'a mapping'", exp);
		rc = strlen(s) == cfg_node(d, *it)->data.scalar.length ? parse_page(k, s, &shift)
								       : NUM_ENUL;
		if (rc < 0)
			return value_error(ld, d, *it, path, exp, rc);
		mask |= 1ull << shift;
	}
	*(uint64_t *)((char *)base + k->off) = mask;
	return 0;
}

static int walk_value(struct loader *ld, struct cfg_doc *d, int node, const struct cfg_key *k,
		      void *base, const char *path)
{
	yaml_node_t *n = cfg_node(d, node);
	char exp[256];
	const char *s;
	int rc;

	origin_at(ld, d, node, path);
	if (k->type == CFG_MAP)
		return walk_map(ld, d, node, k->sub, (char *)base + k->off, path, NULL);
	if (k->type == CFG_PAGE_LIST)
		return parse_page_list(ld, d, node, k, base, path);
	expected(k, exp, sizeof(exp));
	if (n->type != YAML_SCALAR_NODE)
		return cfg_err_node(ld, d, node, path, "expected %s, got a %s", exp,
				    n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return cfg_err_node(ld, d, node, path, "expected %s, got a value with a NUL byte", exp);
	rc = parse_scalar(k, s, base);
	return rc < 0 ? value_error(ld, d, node, path, exp, rc) : 0;
}

static void apply_defaults(struct loader *ld, const struct cfg_key *tab, void *base,
			   const char *path)
{
	char kp[PATH_MAX_LEN];

	for (const struct cfg_key *k = tab; k->name; k++) {
		cfg_key_path(kp, sizeof(kp), path, k->name);
		if (k->type == CFG_MAP) {
			apply_defaults(ld, k->sub, (char *)base + k->off, kp);
		} else if (k->def) {
			int rc = parse_scalar(k, k->def, base);

			if (rc < 0) {
				fprintf(stderr, "ddwsim: internal error: bad default for %s\n", kp);
				abort();
			}
			cfg_origin_add(ld->cfg, kp, "default");
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

/* "name, kind, ..." of table tab, for messages. */
static void key_names(const struct cfg_key *tab, char *buf, size_t n)
{
	buf[0] = '\0';
	for (const struct cfg_key *k = tab; k->name; k++) {
		strncat(buf, k == tab ? "" : ", ", n - strlen(buf) - 1);
		strncat(buf, k->name, n - strlen(buf) - 1);
	}
}

/*
 * Mapping node into base by table tab: defaults first (not in an overlay),
 * then each key written; a key in skip is the caller's. path names the
 * mapping in messages and origins ("platform.tce_cache").
 */
static int walk_map(struct loader *ld, struct cfg_doc *d, int node, const struct cfg_key *tab,
		    void *base, const char *path, const char *const *skip)
{
	yaml_node_t *n = cfg_node(d, node);
	char kp[PATH_MAX_LEN], names[512];
	uint64_t seen = 0;
	unsigned i;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_err_node(ld, d, node, path, "expected a mapping of settings, got %s",
				    n->type == YAML_SCALAR_NODE ? "a single value" : "a list");
	if (!ld->overlay)
		apply_defaults(ld, tab, base, path);
	key_names(tab, names, sizeof(names));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = cfg_scalar(d, p->key);
		const struct cfg_key *k;

		if (!key)
			return cfg_err_node(ld, d, p->key, path, "keys must be plain names");
		if (in_list(skip, key))
			continue;
		cfg_key_path(kp, sizeof(kp), path, key);
		for (k = tab, i = 0; k->name && strcmp(k->name, key); k++, i++)
			;
		if (!k->name)
			return cfg_err_node(ld, d, p->key, kp, "unknown key, expected one of: %s", names);
		if (seen & (1ull << i))
			return cfg_err_node(ld, d, p->key, kp, "key given twice");
		seen |= 1ull << i;
		if (walk_value(ld, d, p->value, k, base, kp) < 0)
			return -1;
	}
	for (const struct cfg_key *k = tab; k->name && !ld->overlay; k++) {
		if (!k->def && k->type != CFG_MAP && !(seen & (1ull << (k - tab)))) {
			cfg_key_path(kp, sizeof(kp), path, k->name);
			return cfg_err_node(ld, d, node, kp, "missing, this setting has no default");
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
	w = cfg_map_get(d, node, "window");
	snprintf(wp, sizeof(wp), "%s.window", path);
	m->default_window = !w || (cfg_scalar(d, w) && !strcmp(cfg_scalar(d, w), "default"));
	if (w)
		origin_at(ld, d, w, wp);
	else
		cfg_origin_add(ld->cfg, wp, "default");
	if (m->default_window)
		return 0;
	if (cfg_scalar(d, w))
		return cfg_err_node(ld, d, w, wp, "expected 'default' or a mapping with page_size, size and levels, got '%s'",
				    cfg_scalar(d, w));
	return walk_map(ld, d, w, cfg_window_keys, m, wp, NULL);
}

static int walk_modes(struct loader *ld)
{
	struct cfg_doc *d = ld->sec_doc[SEC_MODES];
	int node = ld->sec_node[SEC_MODES];
	yaml_node_t *n;
	unsigned i = 0;

	if (!node)
		return cfg_err_at(ld->cfg->path, "modes", "missing, expected a list of modes to compare");
	n = cfg_node(d, node);
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return cfg_err_node(ld, d, node, "modes", "expected a list of 1..%d modes", CONFIG_MAX_MODES);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		if (i == CONFIG_MAX_MODES)
			return cfg_err_node(ld, d, *it, "modes", "too many modes, at most %d", CONFIG_MAX_MODES);
		if (walk_mode(ld, d, *it, i) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(ld->cfg->modes[j].name, ld->cfg->modes[i].name))
				return cfg_err_node(ld, d, cfg_map_get(d, *it, "name"), "modes", "mode name '%s' used twice",
						    ld->cfg->modes[i].name);
	}
	ld->cfg->nmodes = i;
	return 0;
}

/*
 * workload: {trace: FILE}: the file must open. FILE is relative to the file
 * naming it, or to the working directory when a --set gives it; "-" is
 * standard input. A stream (standard input, a pipe, a FIFO, a device) is
 * only looked at (infile_check), and it can be read once: with several modes
 * it is refused here, rather than the second mode finding it empty.
 */
static int walk_trace(struct loader *ld, struct cfg_doc *d, int node, int t)
{
	struct workload_cfg *w = &ld->cfg->workload;
	yaml_node_t *n = cfg_node(d, node);
	struct infile in;
	char *file;
	int rc = -1;

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (p->value != t && !(cfg_scalar(d, p->key) && !strcmp(cfg_scalar(d, p->key), "include")))
			return cfg_err_node(ld, d, p->key, "workload", "unknown key '%s' beside trace, expected only trace",
					    cfg_scalar(d, p->key) ? cfg_scalar(d, p->key) : "?");
	if (t < 0)
		return 0;	/* only the keys checked */
	if (!cfg_scalar(d, t) || !*cfg_scalar(d, t))
		return cfg_err_node(ld, d, t, "workload.trace", "expected a trace file name (.ddwt or .ddwb)");
	file = strcmp(cfg_scalar(d, t), "-") ? cfg_file_of(ld, d, t) : xstrdup("-");
	if (strlen(file) >= sizeof(w->trace))
		cfg_err_node(ld, d, t, "workload.trace", "file name too long");
	else if (infile_check(&in, file, INFILE_STREAM, NULL) < 0)
		cfg_err_node(ld, d, t, "workload.trace", "%s", in.why);
	else if (in.stream && ld->cfg->nmodes > 1)
		cfg_err_node(ld, d, t, "workload.trace", "'%s' is %s, read only once, but modes has %u entries: save the trace to a file, or keep one mode",
			     file, in.type, ld->cfg->nmodes);
	else
		rc = 0;
	if (rc == 0) {
		strcpy(w->trace, file);
		origin_at(ld, d, t, "workload.trace");
	}
	free(file);
	return rc;
}

/*
 * A workload's mappings: the value's, and under it the included file's (or
 * 0), for the section workload or an item of devices (path names it).
 */
struct wl_maps {
	const char *path;	/* "workload", "devices[1]" */
	struct cfg_doc *d, *bd;
	int node, bnode;
	int g, t, bg, bt;	/* generator and trace keys' values in each, or 0 */
};

static int wl_maps_get(struct loader *ld, struct wl_maps *m)
{
	if (cfg_node(m->d, m->node)->type != YAML_MAPPING_NODE)
		return cfg_err_node(ld, m->d, m->node, m->path, "expected a mapping with generator or trace");
	if (m->bnode && cfg_node(m->bd, m->bnode)->type != YAML_MAPPING_NODE)
		return cfg_err_node(ld, m->bd, m->bnode, m->path, "expected a mapping with generator or trace");
	m->g = cfg_map_get(m->d, m->node, "generator");
	m->t = cfg_map_get(m->d, m->node, "trace");
	m->bg = m->bnode ? cfg_map_get(m->bd, m->bnode, "generator") : 0;
	m->bt = m->bnode ? cfg_map_get(m->bd, m->bnode, "trace") : 0;
	return 0;
}

/* A trace workload: the section's trace, or the included file's. */
static int walk_wl_trace(struct loader *ld, const struct wl_maps *m)
{
	if (m->g || m->bg)
		return cfg_err_node(ld, m->g ? m->d : m->bd, m->g ? m->g : m->bg, "workload.generator",
				    "give a generator or a trace, not both");
	if (m->t)
		return walk_trace(ld, m->d, m->node, m->t);
	if (walk_trace(ld, m->d, m->node, -1) < 0)	/* the overlay holds nothing but include */
		return -1;
	return walk_trace(ld, m->bd, m->bnode, m->bt);
}

/* The generator named by g of d (0: none, node is the workload's mapping). */
static const struct synth_gen *find_gen(struct loader *ld, struct cfg_doc *d, int node, int g,
					const char *kp)
{
	const struct synth_gen *gen = cfg_scalar(d, g) ? synth_find(cfg_scalar(d, g)) : NULL;
	char names[256] = "";

	if (gen)
		return gen;
	for (int i = 0; synth_gens[i].name; i++) {
		strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
		strncat(names, synth_gens[i].name, sizeof(names) - strlen(names) - 1);
	}
	if (!g)
		cfg_err_node(ld, d, node, kp, "missing, expected one of: %s", names);
	else
		cfg_err_node(ld, d, g, kp, "unknown generator '%s', expected one of: %s",
			     cfg_scalar(d, g) ? cfg_scalar(d, g) : "(not a name)", names);
	return NULL;
}

/*
 * A generator's workload into name and params: the generator is the
 * included file's; the overlay may name it again, not another (its keys
 * would not fit the file's). skip: keys of the overlay that are not the
 * generator's (the file's skip only generator and include).
 */
static int walk_gen(struct loader *ld, const struct wl_maps *m, char *name, uint64_t *params,
		    const char *const *skip)
{
	static const char *const base_skip[] = { "generator", "include", NULL };
	const struct synth_gen *gen;
	char kp[PATH_MAX_LEN];
	int rc;

	cfg_key_path(kp, sizeof(kp), m->path, "generator");
	gen = find_gen(ld, m->bg ? m->bd : m->d, m->bg ? m->bnode : m->node, m->bg ? m->bg : m->g, kp);
	if (!gen)
		return -1;
	if (m->g && m->bg && strcmp(gen->name, cfg_scalar(m->d, m->g) ? cfg_scalar(m->d, m->g) : ""))
		return cfg_err_node(ld, m->d, m->g, kp, "the included workload is generator '%s': an include changes its settings, not its generator",
				    gen->name);
	snprintf(name, CONFIG_NAME_MAX, "%s", gen->name);
	origin_at(ld, m->bg ? m->bd : m->d, m->bg ? m->bg : m->g, kp);
	if (!m->bnode)
		return walk_map(ld, m->d, m->node, gen->keys, params, m->path, skip);
	if (walk_map(ld, m->bd, m->bnode, gen->keys, params, m->path, base_skip) < 0)
		return -1;
	ld->overlay = true;
	rc = walk_map(ld, m->d, m->node, gen->keys, params, m->path, skip);
	ld->overlay = false;
	return rc;
}

/*
 * workload: a generator's mapping, {trace: FILE}, or {include: FILE,
 * key: value...}: the included workload with some settings changed.
 */
static int walk_workload(struct loader *ld)
{
	static const char *const skip[] = { "generator", "include", NULL };
	struct workload_cfg *w = &ld->cfg->workload;
	struct wl_maps m = {
		.path = "workload",
		.d = ld->sec_doc[SEC_WORKLOAD], .node = ld->sec_node[SEC_WORKLOAD],
		.bd = ld->base_doc[SEC_WORKLOAD], .bnode = ld->base_node[SEC_WORKLOAD],
	};

	if (!m.node)
		return cfg_err_at(ld->cfg->path, "workload", "missing, expected a generator or a trace (or devices: a list of them)");
	if (wl_maps_get(ld, &m) < 0)
		return -1;
	if (m.t || (m.bt && !m.g))
		return walk_wl_trace(ld, &m);
	return walk_gen(ld, &m, w->generator, w->params, skip);
}

/*
 * devices[i].count and devices[i].device, from the item's own mapping
 * (NULL d: the item is a file name, which holds a workload, not these).
 * device.pcie starts as platform.pcie: a key it leaves out is the platform's.
 */
static int walk_item_keys(struct loader *ld, struct cfg_doc *d, int node, const char *path,
			  struct device_cfg *dv)
{
	int c = d ? cfg_map_get(d, node, "count") : 0, dn = d ? cfg_map_get(d, node, "device") : 0;
	char kp[PATH_MAX_LEN];
	int rc;

	dv->pcie = ld->cfg->platform.pcie;
	for (const struct cfg_key *k = cfg_pcie_keys; k->name; k++) {	/* the platform's, until written */
		char pp[PATH_MAX_LEN];

		snprintf(pp, sizeof(pp), "platform.pcie.%s", k->name);
		snprintf(kp, sizeof(kp), "%s.device.pcie.%s", path, k->name);
		cfg_origin_add(ld->cfg, kp, cfg_origin_of(ld->cfg, pp));
	}
	dv->count = 1;
	cfg_key_path(kp, sizeof(kp), path, "count");
	if (!c)
		cfg_origin_add(ld->cfg, kp, "default");
	else if (walk_value(ld, d, c, &cfg_device_item_keys[0], dv, kp) < 0)
		return -1;
	if (!dn)
		return 0;
	cfg_key_path(kp, sizeof(kp), path, "device");
	ld->overlay = true;
	rc = walk_map(ld, d, dn, cfg_device_item_keys[1].sub, dv, kp, NULL);
	ld->overlay = false;
	return rc;
}

/*
 * Item i of devices: a workload as workload: takes it (a file name, a
 * generator's mapping, {include: FILE, key: value...}), with count and
 * device beside its keys. A trace is refused: it holds its own devices.
 */
static int walk_device_item(struct loader *ld, struct cfg_doc *d, int node, unsigned i)
{
	static const char *const skip[] = { "generator", "include", "count", "device", NULL };
	static const char *const file_skip[] = { "generator", "include", NULL };
	struct device_cfg *dv = &ld->cfg->devices[i];
	bool file = cfg_node(d, node)->type == YAML_SCALAR_NODE;
	char path[32];
	struct cfg_resolved r;
	struct wl_maps m = { .path = path };

	snprintf(path, sizeof(path), "devices[%u]", i);
	if (cfg_resolve(ld, path, d, node, &r) < 0)
		return -1;
	m.d = r.d, m.node = r.node, m.bd = r.bd, m.bnode = r.bnode;
	if (wl_maps_get(ld, &m) < 0)
		return -1;
	if (m.t || (m.bt && !m.g))
		return cfg_err_node(ld, m.t ? m.d : m.bd, m.t ? m.t : m.bt, path,
				    "a trace holds its own devices (its ops' device numbers): give it as workload, expected a generator here");
	if (walk_item_keys(ld, file ? NULL : d, node, path, dv) < 0)
		return -1;
	return walk_gen(ld, &m, dv->generator, dv->params, file ? file_skip : skip);
}

/*
 * devices: a list of workloads, each run by count devices behind the one
 * PHB, numbered in list order with the counts expanded (item 0's devices
 * first). Instead of workload:, never beside it.
 */
static int walk_devices(struct loader *ld)
{
	struct config *c = ld->cfg;
	struct cfg_doc *d = ld->sec_doc[SEC_DEVICES];
	int node = ld->sec_node[SEC_DEVICES];
	yaml_node_t *n = cfg_node(d, node);
	unsigned i = 0;

	if (ld->sec_node[SEC_WORKLOAD])
		return cfg_err_node(ld, d, node, "devices", "given with workload, expected one of them: workload (one device, or a trace's) or devices (a list of workloads)");
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return cfg_err_node(ld, d, node, "devices", "expected a list of 1..%d workloads, each with a count",
				    CONFIG_MAX_DEVICE_ITEMS);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
		if (i == CONFIG_MAX_DEVICE_ITEMS)
			return cfg_err_node(ld, d, *it, "devices", "too many items, at most %d (each has a count)",
					    CONFIG_MAX_DEVICE_ITEMS);
		if (walk_device_item(ld, d, *it, i) < 0)
			return -1;
		c->devices[i].first = c->ndevices;
		c->ndevices += c->devices[i].count;
		if (c->ndevices > WORKLOAD_MAX_DEVICES)
			return cfg_err_node(ld, d, *it, "devices", "too many devices: the counts add up to %u, at most %d",
					    c->ndevices, WORKLOAD_MAX_DEVICES);
	}
	c->ndevitems = i;
	/* what reads the workload's generator (its name in reports) sees the first item's */
	snprintf(c->workload.generator, sizeof(c->workload.generator), "%s", c->devices[0].generator);
	memcpy(c->workload.params, c->devices[0].params, sizeof(c->workload.params));
	return 0;
}

/*
 * Plain section s into base: its defaults alone if the file leaves it out,
 * else its mapping; {include: FILE, ...} is FILE's mapping, then the overlay.
 */
static int walk_section(struct loader *ld, int s, void *base)
{
	static const char *const skip[] = { "include", NULL };
	const struct cfg_key *tab = cfg_section_keys[s];
	const char *name = cfg_section_names[s];
	int rc;

	if (!ld->sec_node[s]) {
		if (cfg_section_required(s))
			return cfg_err_at(ld->cfg->path, name, "missing section");
		apply_defaults(ld, tab, base, name);
		return 0;
	}
	if (!ld->base_node[s])
		return walk_map(ld, ld->sec_doc[s], ld->sec_node[s], tab, base, name, NULL);
	if (walk_map(ld, ld->base_doc[s], ld->base_node[s], tab, base, name, NULL) < 0)
		return -1;
	ld->overlay = true;
	rc = walk_map(ld, ld->sec_doc[s], ld->sec_node[s], tab, base, name, skip);
	ld->overlay = false;
	return rc;
}

/*
 * No mapping key of any loaded file holds a NUL byte. Keys are compared as C
 * strings (strcmp, cfg_map_get), so "ios\0evil" would be taken as ios; this
 * one scan, before any key is read, covers sections, includes and every
 * table. A --set cannot make such a key: its text comes from argv.
 */
static int check_keys(struct loader *ld)
{
	char text[256];

	for (unsigned i = 0; i < ld->ndocs; i++) {
		struct cfg_doc *d = &ld->docs[i];

		for (yaml_node_t *n = d->doc.nodes.start; n < d->doc.nodes.top; n++) {
			if (n->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
				yaml_node_t *k = cfg_node(d, p->key);

				if (k->type != YAML_SCALAR_NODE ||
				    strlen((const char *)k->data.scalar.value) == k->data.scalar.length)
					continue;
				num_show(text, sizeof(text), (const char *)k->data.scalar.value,
					 k->data.scalar.length);
				return cfg_err_node(ld, d, p->key, NULL,
						    "expected a key without NUL bytes, got '%s'", text);
			}
		}
	}
	return 0;
}

int cfg_walk_sections(struct loader *ld)
{
	struct config *c = ld->cfg;
	void *bases[SEC_COUNT] = {
		[SEC_PLATFORM] = &c->platform, [SEC_HOST] = &c->host, [SEC_RUN] = &c->run,
	};

	if (check_keys(ld) < 0)
		return -1;
	for (int s = 0; s < SEC_COUNT; s++)
		if (cfg_section_keys[s] && walk_section(ld, s, bases[s]) < 0)
			return -1;
	if (walk_modes(ld) < 0)
		return -1;
	if (ld->sec_node[SEC_DEVICES])
		return walk_devices(ld);
	return walk_workload(ld);
}
