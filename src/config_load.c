/*
 * config_load.c - step 1 of config_load(): the main YAML file, and the files
 * its sections name.
 *
 * A section (platform, host, workload) may be a mapping, a file name, or
 * {include: FILE, key: value...} (platform and host): the file's settings
 * with some of them changed. A file may itself hold just a file name, so
 * names chain; a name already in the chain is a circular include. Names are
 * relative to the folder of the file that wrote them (cfg_file_of).
 *
 * Each file is read twice: a first pass over libyaml's events refuses a
 * second document and deep nesting before the document API composes it
 * (which takes quadratic time on a million '['). The documents stay loaded
 * until config_load() returns, so every node keeps its FILE:LINE:COL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ddwsim/err.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

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

/* "FILE:LINE:COL: message" at a libyaml mark; returns -1. */
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

/*
 * A first pass over the events: one document only, nested at most
 * MAX_NESTING deep. It stops early, so input that libyaml would take
 * quadratic time to compose (a million '[') is rejected at once.
 * Returns 0, or -1 after reporting.
 */
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

/* Loads file into a new doc. where/path: who asked (NULL for the main file). */
static struct cfg_doc *load_doc(struct loader *ld, const char *file, const char *where,
				const char *path)
{
	struct cfg_doc *d;
	yaml_parser_t parser;
	FILE *fp;
	int ok;

	if (ld->ndocs == MAX_DOCS) {
		cfg_err_at(where, path, "too many included files (at most %d)", MAX_DOCS);
		return NULL;
	}
	fp = cfg_open_file(file);
	if (!fp) {
		if (where)
			cfg_err_at(where, path, "cannot open '%s': %s", file, strerror(errno));
		else
			cfg_err_at(file, NULL, "cannot open: %s", strerror(errno));
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
		cfg_err_at(file, path, "empty file, expected a mapping of settings");
		return NULL;
	}
	return d;
}


/* Follows a section written as a file name, to the mapping it holds. */
static int follow(struct loader *ld, enum cfg_section s, struct cfg_doc *d, int node,
		  struct cfg_doc **out_doc, int *out_node)
{
	const char *chain[MAX_DOCS];
	unsigned depth = 0;

	while (cfg_node(d, node)->type == YAML_SCALAR_NODE) {
		char where[WHERE_MAX];
		const char *name = cfg_scalar(d, node);
		char *file;
		struct cfg_doc *inc;

		cfg_node_where(ld, d, node, where, sizeof(where));
		if (!*name || !strcmp(name, "~") || !strcmp(name, "null"))
			return cfg_err_at(where, cfg_section_names[s], "empty, expected a file name or a mapping of settings");
		file = cfg_file_of(ld, d, node);
		for (unsigned i = 0; i < depth; i++) {
			if (!strcmp(chain[i], file)) {
				cfg_err_at(where, cfg_section_names[s], "circular include of '%s'", file);
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
			return cfg_err_at(where, cfg_section_names[s], "includes nested too deeply");
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
	int inc = cfg_node(d, node)->type == YAML_MAPPING_NODE ? cfg_map_get(d, node, "include") : 0;

	if (!inc)
		return follow(ld, s, d, node, &ld->sec_doc[s], &ld->sec_node[s]);
	if (s == SEC_WORKLOAD || !cfg_scalar(d, inc))
		return cfg_err_node(ld, d, inc, cfg_section_names[s], s == SEC_WORKLOAD ?
				    "include is for platform and host; name the workload file alone" :
				    "include: expected a file name");
	ld->sec_doc[s] = d;
	ld->sec_node[s] = node;
	return follow(ld, s, d, inc, &ld->base_doc[s], &ld->base_node[s]);
}

static int load_sections(struct loader *ld)
{
	struct cfg_doc *main = &ld->docs[0];
	yaml_node_t *root = cfg_node(main, 1);

	if (root->type != YAML_MAPPING_NODE)
		return cfg_err_node(ld, main, 1, NULL, "expected a mapping of sections (%s)",
				    cfg_section_list);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = cfg_scalar(main, p->key);
		int s = cfg_section_find(k ? k : "");

		if (s < 0)
			return cfg_err_node(ld, main, p->key, k, "unknown section, expected one of: %s",
					    cfg_section_list);
		if (ld->sec_node[s])
			return cfg_err_node(ld, main, p->key, k, "section given twice");
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


int cfg_load_files(struct loader *ld, const char *path)
{
	if (!load_doc(ld, path, NULL, NULL))
		return -1;
	return load_sections(ld);
}
