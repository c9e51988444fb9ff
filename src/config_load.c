/*
 * config_load.c - step 1 of config_load(): the main YAML file, and the files
 * its sections name.
 *
 * A section (platform, host, workload) may be a mapping, a file name, or
 * {include: FILE, key: value...} (platform, host, workload): the file's
 * settings with some of them changed. A file may itself hold just a file name, so
 * names chain; a file already in the chain is a circular include, the same
 * file by device and inode however its name is spelt. Names are relative to
 * the folder of the file that wrote them (cfg_file_of). Every file is opened
 * by infile as a regular file: a FIFO, a device or a directory is refused by
 * name, and nothing blocks.
 *
 * Each file is read twice: a first pass over libyaml's events refuses a
 * second document and deep nesting before the document API composes it
 * (which takes quadratic time on a million '['). The documents stay loaded
 * until config_load() returns, so every node keeps its FILE:LINE:COL.
 * Each file's bytes also go into cfg->files_hash, in the order loaded, so a
 * sweep point's cache key covers every file its config reads (sweep.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/infile.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

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
 * A first pass over the events (config.h): one document only, nested at
 * most CONFIG_YAML_MAX_NESTING deep. It stops early, so input that libyaml
 * would take quadratic time to compose (a million '[') is rejected at once.
 * Also the sweep loader's first pass.
 */
int config_yaml_check(FILE *fp, const char *file, const char *what)
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
				rc = err_at_mark(file, ev.start_mark, "a second YAML document ('---'); %s is one document", what);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONFIG_YAML_MAX_NESTING)
				rc = err_at_mark(file, ev.start_mark, "nested more than %d deep", CONFIG_YAML_MAX_NESTING);
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

/*
 * Opens file for a document: 0, or -1 after reporting. where and key say who
 * named it; both are NULL for the main file, whose open errors keep the form
 * "FILE: cannot open: <strerror>".
 */
static int open_doc(struct infile *in, const char *file, const char *where, const char *key)
{
	if (infile_open(in, file, INFILE_REGULAR, NULL) == 0)
		return 0;
	if (where)
		return cfg_err_at(where, key, "%s", in->why);
	if (in->err)
		return cfg_err_at(file, NULL, "cannot open: %s", strerror(in->err));
	return ddw_error("%s", in->why);
}

/*
 * Adds fp's bytes, then their count as 8 bytes, to cfg->files_hash (the
 * point cache's key: sweep.h), and rewinds fp. A read error adds what was
 * read: the parse that follows reports it.
 */
static void hash_file(struct config *cfg, FILE *fp)
{
	unsigned char buf[1 << 14];
	uint64_t h = cfg->files_hash, size = 0;
	size_t got;

	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0) {
		h = fnv1a(h, buf, got);
		size += got;
	}
	cfg->files_hash = fnv1a_u64(h, size);
	clearerr(fp);
	rewind(fp);
}

/* Parses fp (a whole YAML file called file) into a new doc; NULL after reporting. */
static struct cfg_doc *load_doc(struct loader *ld, FILE *fp, const char *file, const char *key)
{
	struct cfg_doc *d;
	yaml_parser_t parser;
	int ok;

	hash_file(ld->cfg, fp);
	if (config_yaml_check(fp, file, "a config") < 0)
		return NULL;
	d = &ld->docs[ld->ndocs];
	memset(d, 0, sizeof(*d));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	ok = yaml_parser_load(&parser, &d->doc);
	if (!ok)
		yaml_problem(&parser, file);
	yaml_parser_delete(&parser);
	if (!ok)
		return NULL;
	d->file = xstrdup(file);
	ld->ndocs++;
	if (!yaml_document_get_root_node(&d->doc)) {
		cfg_err_at(file, key, "empty file, expected a mapping of settings");
		return NULL;
	}
	return d;
}

/*
 * Loads the file a section names (where, for key), unless it is one of the
 * chain's depth files: the same file by device and inode, however its name
 * is spelt ("./a.yaml", "../inc/a.yaml", a symlink). NULL after reporting.
 */
static struct cfg_doc *include(struct loader *ld, const char *file, const char *where,
			       const char *key, struct cfg_doc *const *chain, unsigned depth)
{
	struct infile in;
	struct cfg_doc *d = NULL;

	if (ld->ndocs == MAX_DOCS) {
		cfg_err_at(where, key, "too many included files (at most %d)", MAX_DOCS);
		return NULL;
	}
	if (open_doc(&in, file, where, key) < 0)
		return NULL;
	for (unsigned i = 0; i < depth; i++) {
		if (chain[i]->dev == in.dev && chain[i]->ino == in.ino) {
			cfg_err_at(where, key, "circular include of '%s'", file);
			goto out;
		}
	}
	d = load_doc(ld, in.fp, file, key);
	if (d) {
		d->dev = in.dev;
		d->ino = in.ino;
	}
out:
	infile_close(&in);
	return d;
}

/*
 * Follows a value written as a file name (a section, or an item of devices:,
 * key names it in messages) to the mapping it holds. The chain is the files
 * this value has included so far: one of them named again is a circular
 * include (the main file is not in it, so a section naming the main file
 * gets its sections as settings, and says so).
 */
static int follow(struct loader *ld, const char *key, struct cfg_doc *d, int node,
		  struct cfg_doc **out_doc, int *out_node)
{
	struct cfg_doc *chain[MAX_DOCS];
	unsigned depth = 0;

	while (cfg_node(d, node)->type == YAML_SCALAR_NODE) {
		char where[WHERE_MAX];
		const char *name = cfg_scalar(d, node);
		char *file;

		cfg_node_where(ld, d, node, where, sizeof(where));
		if (!*name || !strcmp(name, "~") || !strcmp(name, "null"))
			return cfg_err_at(where, key, "empty, expected a file name or a mapping of settings");
		file = cfg_file_of(ld, d, node);
		d = include(ld, file, where, key, chain, depth);
		free(file);
		if (!d)
			return -1;
		chain[depth++] = d;
		node = 1;	/* the root */
		if (depth == MAX_DOCS)
			return cfg_err_at(where, key, "includes nested too deeply");
	}
	*out_doc = d;
	*out_node = node;
	return 0;
}

int cfg_resolve(struct loader *ld, const char *key, struct cfg_doc *d, int node,
		struct cfg_resolved *out)
{
	int inc = cfg_node(d, node)->type == YAML_MAPPING_NODE ? cfg_map_get(d, node, "include") : 0;

	out->bd = NULL;
	out->bnode = 0;
	if (!inc)
		return follow(ld, key, d, node, &out->d, &out->node);
	if (!cfg_scalar(d, inc))
		return cfg_err_node(ld, d, inc, key, "include: expected a file name");
	out->d = d;
	out->node = node;
	return follow(ld, key, d, inc, &out->bd, &out->bnode);
}

/*
 * A section is a mapping, a file name, or {include: FILE, key: value...}:
 * the file's settings with some of them changed.
 */
static int resolve_section(struct loader *ld, enum cfg_section s, struct cfg_doc *d, int node)
{
	struct cfg_resolved r;

	if (cfg_resolve(ld, cfg_section_names[s], d, node, &r) < 0)
		return -1;
	ld->sec_doc[s] = r.d;
	ld->sec_node[s] = r.node;
	ld->base_doc[s] = r.bd;
	ld->base_node[s] = r.bnode;
	return 0;
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
	struct infile in;
	struct cfg_doc *d;

	if (open_doc(&in, path, NULL, NULL) < 0)
		return -1;
	d = load_doc(ld, in.fp, path, NULL);
	if (d) {
		d->dev = in.dev;
		d->ino = in.ino;
	}
	infile_close(&in);
	return d ? load_sections(ld) : -1;
}

int cfg_load_text(struct loader *ld, const char *name, const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct cfg_doc *d;

	if (!fp)
		return ddw_error("cannot read '%s': %s", name, strerror(errno));
	d = load_doc(ld, fp, name, NULL);
	fclose(fp);
	if (!d)
		return -1;
	d->in_memory = true;
	return load_sections(ld);
}
