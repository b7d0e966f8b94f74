/*
 * manifest_yaml: YAML streams to manifest objects.  It owns the walk over
 * libyaml's events: the stack of open mappings and lists, keys and duplicate
 * keys, anchors and aliases, merge keys (<<), the node, depth and alias caps,
 * syntax errors, and handing each finished document to the set.
 *
 * YAML goes through libyaml's event API rather than its document API: the
 * events carry every mark we need, and building the jansson tree from them
 * with an explicit stack lets the depth, node and alias caps act before
 * anything is allocated, instead of after libyaml has built the whole graph.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "k8s/manifest_impl.h"

#define TAG_STR   "tag:yaml.org,2002:str"
#define TAG_INT   "tag:yaml.org,2002:int"
#define TAG_FLOAT "tag:yaml.org,2002:float"
#define TAG_BOOL  "tag:yaml.org,2002:bool"
#define TAG_NULL  "tag:yaml.org,2002:null"
#define TAG_MAP   "tag:yaml.org,2002:map"
#define TAG_SEQ   "tag:yaml.org,2002:seq"

/* ---- YAML documents ---- */

enum yslot {
	YSLOT_MEMBER, /* the value goes into the mapping under key */
	YSLOT_MERGE,  /* the value of "<<", merged when the mapping ends */
	YSLOT_DROP,   /* the value of a duplicate key: built, kept, unused */
};

struct yframe {
	json_t *node;
	char *key; /* pending key: a value is due; NULL when a key is due */
	struct mpos key_at;
	enum yslot slot;
	json_t *merge; /* held by the document holder */
	struct mpos merge_at;
	size_t anchor; /* 1 + index into yload.anchors, or 0 */
};

struct yanchor {
	char *name;
	const json_t *node;
	bool done; /* an alias inside the anchored node itself is a cycle */
};

struct yload {
	struct manifest_set *set;
	const char *file;
	const char *text;
	size_t len;
	yaml_parser_t parser;
	struct yframe *stack;
	unsigned depth;
	struct yanchor *anchors;
	size_t n_anchors, anchors_cap;
	json_t *root;
	struct mpos root_at;
	json_t *holder; /* merge values and dropped values, kept with the document */
	unsigned doc;
	size_t nodes, aliases;
	size_t doc_reported;
	bool skip_doc;
};

static void yerror(struct yload *l, struct mpos at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void yerror(struct yload *l, struct mpos at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_verror(l->set, l->file, at, NULL, fmt, ap);
	va_end(ap);
}

/* Errors that end the load return -1 through this. */
static int yfatal(struct yload *l, struct mpos at, const char *what)
{
	yerror(l, at, "%s", what);
	return -1;
}

static struct mpos ymark(yaml_mark_t m)
{
	return (struct mpos){ (unsigned)m.line + 1, (unsigned)m.column + 1 };
}

static struct yframe *ytop(struct yload *l)
{
	return l->depth > 0 ? &l->stack[l->depth - 1] : NULL;
}

static bool key_due(const struct yframe *f)
{
	return f != NULL && json_is_object(f->node) && f->key == NULL;
}

static void anchors_clear(struct yload *l)
{
	for (size_t i = 0; i < l->n_anchors; i++)
		free(l->anchors[i].name);
	l->n_anchors = 0;
}

/* Returns 1 + the anchor's index, 0 when out of memory, -1 past the cap. */
static long anchor_add(struct yload *l, const char *name, const json_t *node, bool done)
{
	if (l->n_anchors >= l->set->limits.max_aliases)
		return -1;
	if (l->n_anchors == l->anchors_cap) {
		size_t cap = l->anchors_cap != 0 ? l->anchors_cap * 2 : 8;
		struct yanchor *v = realloc(l->anchors, cap * sizeof(*v));
		if (v == NULL)
			return 0;
		l->anchors = v;
		l->anchors_cap = cap;
	}
	char *copy = strdup(name);
	if (copy == NULL)
		return 0;
	l->anchors[l->n_anchors++] = (struct yanchor){ .name = copy, .node = node, .done = done };
	return (long)l->n_anchors;
}

/* The latest definition wins, as YAML says. */
static const struct yanchor *anchor_find(const struct yload *l, const char *name)
{
	for (size_t i = l->n_anchors; i-- > 0;)
		if (strcmp(l->anchors[i].name, name) == 0)
			return &l->anchors[i];
	return NULL;
}

static int yanchor(struct yload *l, const char *name, const json_t *node, bool done, struct mpos at,
                   size_t *index)
{
	long r = anchor_add(l, name, node, done);

	if (r < 0) {
		yerror(l, at, "more than %u anchors in one document", l->set->limits.max_aliases);
		return -1;
	}
	if (r == 0)
		return yfatal(l, at, "out of memory");
	if (index != NULL)
		*index = (size_t)r;
	return 0;
}

/* Keep v (stolen) with the document, as the holder's next item. */
static int yhold(struct yload *l, json_t *v, struct mpos at)
{
	size_t i = json_array_size(l->holder);

	if (json_array_append_new(l->holder, v) < 0)
		return yfatal(l, at, "out of memory");
	pos_put(l->set, l->holder, NULL, i, v, at, (struct mpos){ 0 });
	return 0;
}

/* Put a finished or just-started value (stolen) where the stack says. */
static int yattach(struct yload *l, json_t *v, struct mpos at)
{
	struct yframe *f = ytop(l);
	int r = 0;

	if (f == NULL) {
		l->root = v;
		l->root_at = at;
		pos_put(l->set, NULL, NULL, 0, v, at, (struct mpos){ 0 });
		return 0;
	}
	if (json_is_array(f->node)) {
		size_t i = json_array_size(f->node);
		if (json_array_append_new(f->node, v) < 0)
			return yfatal(l, at, "out of memory");
		pos_put(l->set, f->node, NULL, i, v, at, (struct mpos){ 0 });
		return 0;
	}
	if (f->slot == YSLOT_MEMBER) {
		if (json_object_set_new(f->node, f->key, v) < 0)
			r = yfatal(l, at, "out of memory");
		else
			pos_put(l->set, f->node, f->key, 0, v, at, f->key_at);
	} else {
		if (f->slot == YSLOT_MERGE) {
			f->merge = v;
			f->merge_at = at;
		}
		r = yhold(l, v, at);
	}
	free(f->key);
	f->key = NULL;
	return r;
}

/* Count a new value against the cap, then attach it. */
static int yvalue(struct yload *l, json_t *v, struct mpos at)
{
	if (v == NULL)
		return yfatal(l, at, "out of memory");
	if (++l->nodes > l->set->limits.max_nodes) {
		json_decref(v);
		yerror(l, at, "more than %zu values in the input", l->set->limits.max_nodes);
		return -1;
	}
	return yattach(l, v, at);
}

static int ykey(struct yload *l, struct yframe *f, const char *key, size_t len, bool plain,
                struct mpos at)
{
	char q[64];

	f->key_at = at;
	f->slot = YSLOT_MEMBER;
	if (memchr(key, '\0', len) != NULL) {
		yerror(l, at, "mapping key contains a NUL character");
		f->slot = YSLOT_DROP;
	} else if (plain && strcmp(key, "<<") == 0) {
		if (f->merge != NULL) {
			yerror(l, at, "duplicate merge key \"<<\"");
			f->slot = YSLOT_DROP;
		} else {
			f->slot = YSLOT_MERGE;
		}
	} else if (json_object_get(f->node, key) != NULL) {
		struct mpos first = { 0, 0 };
		manifest_key_pos(l->set, f->node, key, &first.line, &first.col);
		yerror(l, at, "duplicate key %s (first at %u:%u)", quote(key, q, sizeof(q)),
		       first.line, first.col);
		f->slot = YSLOT_DROP;
	}
	f->key = strdup(key);
	if (f->key == NULL)
		return yfatal(l, at, "out of memory");
	return 0;
}

static int scalar_want(const char *tag)
{
	if (strcmp(tag, TAG_INT) == 0)
		return SC_INT;
	if (strcmp(tag, TAG_FLOAT) == 0)
		return SC_FLOAT;
	if (strcmp(tag, TAG_BOOL) == 0)
		return SC_BOOL;
	if (strcmp(tag, TAG_NULL) == 0)
		return SC_NULL;
	if (strcmp(tag, TAG_STR) == 0 || strcmp(tag, "!") == 0)
		return SC_STRING;
	return -2;
}

static json_t *yscalar_value(struct yload *l, const yaml_event_t *ev, struct mpos at)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	int want = tag != NULL ? scalar_want(tag) : plain ? -1 : SC_STRING;
	struct scalar_err err;
	json_t *v;

	if (memchr(s, '\0', ev->data.scalar.length) != NULL) {
		yerror(l, at, "string contains a NUL character");
		return json_null();
	}
	if (want == -2) {
		yerror(l, at, "unsupported tag %.60s", tag);
		return json_null();
	}
	if (want == SC_STRING)
		v = json_stringn(s, ev->data.scalar.length);
	else
		v = scalar_resolve(s, want, &err);
	if (v == NULL && want != SC_STRING) {
		yerror(l, at, "%s", err.msg);
		return json_null();
	}
	return v;
}

static int yscalar(struct yload *l, const yaml_event_t *ev)
{
	struct mpos at = ymark(ev->start_mark);
	struct yframe *f = ytop(l);
	const char *anchor = (const char *)ev->data.scalar.anchor;

	if (key_due(f)) {
		bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		             ev->data.scalar.tag == NULL;
		if (ykey(l, f, (const char *)ev->data.scalar.value, ev->data.scalar.length, plain,
		         at) < 0)
			return -1;
		if (anchor == NULL)
			return 0;
		/* An anchored key can be used as a value later. */
		json_t *k =
		        json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (k == NULL)
			return yfatal(l, at, "out of memory");
		if (++l->nodes > l->set->limits.max_nodes) {
			json_decref(k);
			yerror(l, at, "more than %zu values in the input",
			       l->set->limits.max_nodes);
			return -1;
		}
		if (yhold(l, k, at) < 0)
			return -1;
		return yanchor(l, anchor, k, true, at, NULL);
	}
	json_t *v = yscalar_value(l, ev, at);
	if (yvalue(l, v, at) < 0)
		return -1;
	return anchor != NULL ? yanchor(l, anchor, v, true, at, NULL) : 0;
}

static int yalias(struct yload *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct mpos at = ymark(ev->start_mark);
	const struct yanchor *a = anchor_find(l, name);
	struct yframe *f = ytop(l);
	const struct manifest_limits *lim = &l->set->limits;
	size_t nodes = 0;
	unsigned height;
	char msg[160];

	if (++l->aliases > lim->max_aliases) {
		yerror(l, at, "more than %u aliases in the input", lim->max_aliases);
		return -1;
	}
	if (a == NULL || !a->done) {
		if (a == NULL)
			yerror(l, at, "alias *%.60s has no anchor before it", name);
		else
			yerror(l, at, "alias *%.60s refers to a node that contains it", name);
		if (!key_due(f))
			return yvalue(l, json_null(), at);
		/* A key that is not there: its value is built and dropped. */
		f->key = strdup("");
		f->key_at = at;
		f->slot = YSLOT_DROP;
		return f->key != NULL ? 0 : yfatal(l, at, "out of memory");
	}
	if (key_due(f)) {
		if (json_is_string(a->node))
			return ykey(l, f, json_string_value(a->node), json_string_length(a->node),
			            false, at);
		yerror(l, at, "mapping keys must be scalars");
		l->skip_doc = true;
		return 0;
	}
	if (!tree_measure(a->node, lim->max_depth - l->depth, lim->max_nodes - l->nodes, &nodes,
	                  &height)) {
		if (l->nodes + nodes > lim->max_nodes)
			snprintf(msg, sizeof(msg), "alias *%.60s makes more than %zu values", name,
			         lim->max_nodes);
		else
			snprintf(msg, sizeof(msg), "alias *%.60s nests deeper than %u levels", name,
			         lim->max_depth);
		return yfatal(l, at, msg);
	}
	json_t *v = tree_copy(l->set, a->node);
	if (v == NULL)
		return yfatal(l, at, "out of memory");
	l->nodes += nodes - 1; /* yvalue() counts the copy's root */
	return yvalue(l, v, at);
}

static int ystart(struct yload *l, const yaml_event_t *ev)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	struct mpos at = ymark(ev->start_mark);
	const char *tag =
	        (const char *)(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
	const char *anchor = (const char *)(map ? ev->data.mapping_start.anchor
	                                        : ev->data.sequence_start.anchor);
	char msg[64];

	if (key_due(ytop(l))) {
		yerror(l, at, "mapping keys must be scalars");
		l->skip_doc = true;
		return 0;
	}
	if (l->depth >= l->set->limits.max_depth) {
		snprintf(msg, sizeof(msg), "nesting deeper than %u levels",
		         l->set->limits.max_depth);
		return yfatal(l, at, msg);
	}
	if (tag != NULL && strcmp(tag, map ? TAG_MAP : TAG_SEQ) != 0 && strcmp(tag, "!") != 0)
		yerror(l, at, "unsupported tag %.60s", tag);
	json_t *node = map ? json_object() : json_array();
	if (yvalue(l, node, at) < 0)
		return -1;
	struct yframe *f = &l->stack[l->depth++];
	*f = (struct yframe){ .node = node };
	return anchor != NULL ? yanchor(l, anchor, node, false, at, &f->anchor) : 0;
}

/* Merge src's keys that dst lacks into dst, as copies. */
static int ymerge_from(struct yload *l, json_t *dst, const json_t *src, struct mpos at)
{
	const struct manifest_limits *lim = &l->set->limits;
	struct kids k = { .parent = (json_t *)src };
	const char *key;
	unsigned height;
	json_t *v;

	while ((v = kids_next(&k, &key)) != NULL) {
		size_t nodes = 0;
		if (json_object_get(dst, key) != NULL)
			continue;
		if (!tree_measure(v, lim->max_depth, lim->max_nodes - l->nodes, &nodes, &height)) {
			yerror(l, at, "merge makes more than %zu values", lim->max_nodes);
			return -1;
		}
		struct manifest_posent e = member_pos_of(l->set, src, key, 0);
		json_t *c = tree_copy(l->set, v);
		if (c == NULL || json_object_set_new(dst, key, c) < 0)
			return yfatal(l, at, "out of memory");
		if (e.node != NULL)
			pos_put(l->set, dst, key, 0, c, e.at, e.key_at);
		l->nodes += nodes;
	}
	return 0;
}

/* "<<: *a" or "<<: [*a, *b]": keys written in the mapping win, then the
 * earlier sources. */
static int ymerge(struct yload *l, struct yframe *f)
{
	const json_t *m = f->merge;
	size_t n = json_array_size(m);
	bool ok = json_is_array(m);

	if (json_is_object(m))
		return ymerge_from(l, f->node, m, f->merge_at);
	for (size_t i = 0; i < n; i++)
		ok = ok && json_is_object(json_array_get(m, i));
	if (!ok) {
		yerror(l, f->merge_at,
		       "the value of a merge key (<<) must be a mapping or a list of mappings");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (ymerge_from(l, f->node, json_array_get(m, i), f->merge_at) < 0)
			return -1;
	return 0;
}

static int yend(struct yload *l)
{
	struct yframe *f = &l->stack[--l->depth];
	int r = 0;

	if (f->merge != NULL)
		r = ymerge(l, f);
	if (f->anchor != 0)
		l->anchors[f->anchor - 1].done = true;
	free(f->key);
	*f = (struct yframe){ 0 };
	return r;
}

static void ystack_clear(struct yload *l)
{
	while (l->depth > 0) {
		free(l->stack[l->depth - 1].key);
		l->stack[--l->depth] = (struct yframe){ 0 };
	}
}

static int ydoc_start(struct yload *l, const yaml_event_t *ev)
{
	l->root = NULL;
	l->holder = json_array();
	if (l->holder == NULL || !set_keep(l->set, l->holder)) {
		l->holder = NULL;
		return yfatal(l, ymark(ev->start_mark), "out of memory");
	}
	l->doc_reported = l->set->reported;
	l->skip_doc = false;
	anchors_clear(l);
	return 0;
}

static void ydoc_end(struct yload *l)
{
	json_t *root = l->root;
	char what[64];

	ystack_clear(l);
	l->root = NULL;
	unsigned doc = l->doc++;
	if (root == NULL)
		return;
	if (!set_keep(l->set, root)) {
		yerror(l, l->root_at, "out of memory");
		return;
	}
	if (l->skip_doc || l->set->reported != l->doc_reported || json_is_null(root))
		return;
	if (!json_is_object(root))
		yerror(l, l->root_at, "a document must be a mapping (got %s)",
		       describe(root, what, sizeof(what)));
	else
		root_add(l->set, l->file, root, doc, l->root_at);
}

static int yevent(struct yload *l, const yaml_event_t *ev)
{
	if (ev->type == YAML_DOCUMENT_START_EVENT)
		return ydoc_start(l, ev);
	if (ev->type == YAML_DOCUMENT_END_EVENT) {
		ydoc_end(l);
		return 0;
	}
	if (l->skip_doc)
		return 0;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return yscalar(l, ev);
	case YAML_ALIAS_EVENT:
		return yalias(l, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return ystart(l, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return yend(l);
	default:
		return 0;
	}
}

/* Line and column of a byte offset, for libyaml's reader errors, which
 * carry only the offset. */
static struct mpos offset_pos(const char *text, size_t len, size_t off)
{
	struct mpos at = { 1, 1 };

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n')
			at = (struct mpos){ at.line + 1, 1 };
		else if (((unsigned char)text[i] & 0xc0) != 0x80)
			at.col++;
	}
	return at;
}

static void ysyntax_error(struct yload *l)
{
	const yaml_parser_t *p = &l->parser;
	const char *problem = p->problem != NULL ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR) {
		yerror(l, (struct mpos){ 0 }, "out of memory");
	} else if (p->error == YAML_READER_ERROR) {
		struct mpos at = offset_pos(l->text, l->len, p->problem_offset);
		if (p->problem_value != -1)
			yerror(l, at, "%s (#%X)", problem, (unsigned)p->problem_value);
		else
			yerror(l, at, "%s", problem);
	} else if (p->context != NULL) {
		struct mpos cm = ymark(p->context_mark);
		yerror(l, ymark(p->problem_mark), "%s (%s at %u:%u)", problem, p->context, cm.line,
		       cm.col);
	} else {
		yerror(l, ymark(p->problem_mark), "%s", problem);
	}
}

static void ydone(struct yload *l)
{
	ystack_clear(l);
	if (l->root != NULL)
		set_keep(l->set, l->root); /* on failure it is freed all the same */
	anchors_clear(l);
	free(l->anchors);
	free(l->stack);
	yaml_parser_delete(&l->parser);
}

int manifest_load_yaml(struct manifest_set *set, const char *file, const char *text, size_t len)
{
	struct yload l = { .set = set, .file = set_intern(set, file), .text = text, .len = len };
	size_t reported = set->reported;
	bool done = false;

	if (!size_ok(set, l.file, len))
		return -1;
	l.stack = calloc(set->limits.max_depth, sizeof(*l.stack));
	if (l.stack == NULL || !yaml_parser_initialize(&l.parser)) {
		free(l.stack);
		set_error(set, l.file, (struct mpos){ 0 }, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&l.parser, &ev)) {
			ysyntax_error(&l);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		int r = yevent(&l, &ev);
		yaml_event_delete(&ev);
		if (r < 0)
			break;
	}
	ydone(&l);
	return set->reported == reported ? 0 : -1;
}
