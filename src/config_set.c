/*
 * config_set.c - step 2 of config_load(): each --set a.b.c=VALUE, applied to
 * the loaded documents as if written in them.
 *
 * The key is split into components ("modes[1].window.size" -> modes, 1,
 * window, size); a sequence item is named by its index or by a mode's name.
 * The last component's scalar is replaced, or added with the mappings above
 * it; a single value in the way ("window: default") becomes a mapping. The
 * nodes a --set adds are remembered (struct override), so an error or the
 * report names the --set instead of a line of a file, and a file name it
 * gives is relative to the working directory (cfg_file_of). A value written
 * as a YAML flow sequence, "[4K, 64K]", is a list (value_node).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ddwsim/num.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

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

/*
 * Item of sequence seq named by comp: an index (a number as num.h reads it:
 * "1" or "0x1", not " 1", "+1" or "01") or a mode's name; 0 if none. The
 * index one past the last appends an empty mapping (`--set modes[3].name=x`
 * adds a fourth mode: how `ddwsim advise` runs each candidate window).
 */
static int seq_item(struct cfg_doc *d, int seq, const char *comp)
{
	yaml_node_t *n = cfg_node(d, seq);
	long count = n->data.sequence.items.top - n->data.sequence.items.start;
	uint64_t i;

	if (num_parse_str(comp, 0, &i) == 0 && i == (uint64_t)count) {
		int m = yaml_document_add_mapping(&d->doc, NULL, YAML_BLOCK_MAPPING_STYLE);

		yaml_document_append_sequence_item(&d->doc, seq, m);
		return m;
	}
	if (num_parse_str(comp, 0, &i) == 0)
		return i < (uint64_t)count ? n->data.sequence.items.start[i] : 0;
	for (long j = 0; j < count; j++) {
		int item = n->data.sequence.items.start[j];
		const char *name = cfg_scalar(d, cfg_map_get(d, item, "name"));

		if (name && !strcmp(name, comp))
			return item;
	}
	return 0;
}

/* Appends [a, b) to sequence seq as a plain scalar, blanks around it dropped. */
static void append_item(struct cfg_doc *d, int seq, const char *a, const char *b)
{
	while (a < b && isblank((unsigned char)*a))
		a++;
	while (b > a && isblank((unsigned char)b[-1]))
		b--;
	yaml_document_append_sequence_item(&d->doc, seq,
		yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)a, (int)(b - a),
					 YAML_PLAIN_SCALAR_STYLE));
}

/*
 * The node a --set VALUE becomes. "[a, b, c]" (YAML flow sequence syntax) is
 * a sequence of plain scalars, split at the commas; "[]" is empty, a comma
 * before the ']' ends the list ("[4K,]" is [4K], as in YAML), and an empty
 * item ("[4K,,64K]") stays an empty scalar for the walker to refuse.
 * Anything else is one plain scalar, as written. Nested lists, quotes and
 * flow mappings are not read: a value that needs them belongs in a file.
 */
static int value_node(struct cfg_doc *d, const char *value)
{
	size_t len = strlen(value);
	const char *p = value + 1, *end = value + len - 1;
	int seq;

	if (len < 2 || value[0] != '[' || value[len - 1] != ']')
		return yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)value, (int)len,
						YAML_PLAIN_SCALAR_STYLE);
	seq = yaml_document_add_sequence(&d->doc, NULL, YAML_FLOW_SEQUENCE_STYLE);
	while (p < end && isblank((unsigned char)*p))
		p++;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));

		append_item(d, seq, p, c ? c : end);
		p = c ? c + 1 : end;	/* a comma before ']' ends the list, as in YAML */
	}
	return seq;
}

/* Sets key of mapping map to value: the pair's value if key is there, else a new pair. */
static int set_pair(struct cfg_doc *d, int map, const char *key, int value)
{
	yaml_node_t *n = cfg_node(d, map);
	int k;

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (cfg_scalar(d, p->key) && !strcmp(cfg_scalar(d, p->key), key))
			return p->value = value;
	k = yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)key, (int)strlen(key),
				     YAML_PLAIN_SCALAR_STYLE);
	yaml_document_append_mapping_pair(&d->doc, map, k, value);
	return value;
}

/*
 * Child comp of node: a sequence's item, or a mapping's value. When last, the
 * value becomes a new scalar (added if absent); otherwise an absent or scalar
 * value becomes an empty mapping. Returns the node, or <= 0 if there is none.
 */
static int child(struct cfg_doc *d, int node, const char *comp, bool last, const char *value)
{
	yaml_node_t *n = cfg_node(d, node);
	int v;

	if (n->type == YAML_SEQUENCE_NODE)
		return last ? -1 : seq_item(d, node, comp);
	if (n->type != YAML_MAPPING_NODE)
		return -1;
	if (last)
		return set_pair(d, node, comp, value_node(d, value));
	v = cfg_map_get(d, node, comp);
	if (v && cfg_node(d, v)->type != YAML_SCALAR_NODE)
		return v;
	/* absent, or a single value ("window: default") that now gets keys */
	return set_pair(d, node, comp, yaml_document_add_mapping(&d->doc, NULL,
							      YAML_BLOCK_MAPPING_STYLE));
}

/*
 * The node of section s that a --set changes; a section the file left out
 * becomes an empty mapping in the main file.
 */
static int section_node(struct loader *ld, int s, const char *name)
{
	if (!ld->sec_node[s]) {
		ld->sec_doc[s] = &ld->docs[0];
		ld->sec_node[s] = child(ld->sec_doc[s], 1, name, false, NULL);
	}
	return ld->sec_node[s];
}

/* Remembers node, and every node d gained after the first `before`, as made by the --set text. */
static void remember(struct loader *ld, struct cfg_doc *d, int node, int before, const char *text)
{
	ld->sets[ld->nsets++] = (struct override){ .doc = d, .node = node, .text = text };
	for (int i = before + 1; i <= (int)(d->doc.nodes.top - d->doc.nodes.start); i++)
		if (i != node && ld->nsets < MAX_OVERRIDES)
			ld->sets[ld->nsets++] = (struct override){ .doc = d, .node = i, .text = text };
}

int cfg_apply_set(struct loader *ld, const char *text)
{
	char where[PATH_MAX_LEN + 16], *key, *value, *comp[32] = { NULL };
	const char *eq = strchr(text, '=');
	unsigned n;
	struct cfg_doc *d;
	int s, node, before;

	snprintf(where, sizeof(where), "--set %s", text);
	if (!eq || eq == text)
		return cfg_err_at(where, NULL, "expected KEY=VALUE, like platform.tce_cache.entries=1024");
	if (ld->nsets + 8 >= MAX_OVERRIDES)
		return cfg_err_at(where, NULL, "too many --set options (at most %d)", MAX_SETS);
	key = xstrdup(text);
	key[eq - text] = '\0';
	value = key + (eq - text) + 1;
	n = split_path(key, comp, 32);
	s = n ? cfg_section_find(comp[0]) : -1;
	if (s < 0 || n < 2) {
		cfg_err_at(where, NULL, "'%s' names no setting; keys look like section.key (sections: %s)",
			   text, cfg_section_list);
		free(key);
		return -1;
	}
	node = section_node(ld, s, comp[0]);
	d = ld->sec_doc[s];
	before = (int)(d->doc.nodes.top - d->doc.nodes.start);
	for (unsigned i = 1; i < n && node > 0; i++)
		node = child(d, node, comp[i], i + 1 == n, value);
	free(key);
	if (node <= 0)
		return cfg_err_at(where, NULL, "no such setting in %s", d->file);
	/* the value, and every key or mapping the --set added, are the --set's */
	remember(ld, d, node, before, text);
	return 0;
}
