/*
 * manifest: YAML and JSON to Kubernetes objects, positions, typed getters.
 *
 * YAML goes through libyaml's event API rather than its document API: the
 * events carry every mark we need, and building the jansson tree from them
 * with an explicit stack lets the depth, node and alias caps act before
 * anything is allocated, instead of after libyaml has built the whole graph.
 */
#include "k8s/manifest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "lib/sbuf.h"

const struct manifest_limits manifest_default_limits = {
	.max_bytes = 16u << 20,
	.max_nodes = 1000000,
	.max_depth = 64,
	.max_aliases = 1024,
	.max_errors = 100,
};

#define TAG_STR   "tag:yaml.org,2002:str"
#define TAG_INT   "tag:yaml.org,2002:int"
#define TAG_FLOAT "tag:yaml.org,2002:float"
#define TAG_BOOL  "tag:yaml.org,2002:bool"
#define TAG_NULL  "tag:yaml.org,2002:null"
#define TAG_MAP   "tag:yaml.org,2002:map"
#define TAG_SEQ   "tag:yaml.org,2002:seq"

struct mpos {
	unsigned line, col;
};

/* One position: a value's own entry is keyed by (value, 0); null, true and
 * false, which jansson shares, by (parent, member slot) instead, the slot
 * being jansson's pointer to the member's key or the list index + 1. */
struct manifest_posent {
	const void *node; /* NULL: free slot */
	uintptr_t slot;
	struct mpos at;
	struct mpos key_at; /* 0:0 unless a mapping member */
};

struct manifest_name {
	struct manifest_name *next;
	char name[];
};

/* ---- the set and its errors ---- */

static size_t limit_or(size_t v, size_t dflt)
{
	return v != 0 ? v : dflt;
}

void manifest_set_init(struct manifest_set *set, const struct manifest_limits *limits)
{
	const struct manifest_limits *d = &manifest_default_limits;
	const struct manifest_limits *l = limits != NULL ? limits : d;

	*set = (struct manifest_set){ 0 };
	set->limits.max_bytes = limit_or(l->max_bytes, d->max_bytes);
	set->limits.max_nodes = limit_or(l->max_nodes, d->max_nodes);
	set->limits.max_depth = (unsigned)limit_or(l->max_depth, d->max_depth);
	set->limits.max_aliases = (unsigned)limit_or(l->max_aliases, d->max_aliases);
	set->limits.max_errors = (unsigned)limit_or(l->max_errors, d->max_errors);
	set->keep = json_array();
}

void manifest_set_free(struct manifest_set *set)
{
	for (size_t i = 0; i < set->n_errors; i++)
		free(set->errors[i].text);
	free(set->errors);
	free(set->objs);
	free(set->pos);
	while (set->names != NULL) {
		struct manifest_name *n = set->names;
		set->names = n->next;
		free(n);
	}
	json_decref(set->keep);
	*set = (struct manifest_set){ 0 };
}

/* File names live as long as the set, so objects and errors can point at
 * them. */
static const char *set_intern(struct manifest_set *set, const char *name)
{
	if (name == NULL)
		name = "<input>";
	for (struct manifest_name *n = set->names; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n->name;
	size_t len = strlen(name);
	struct manifest_name *n = malloc(sizeof(*n) + len + 1);
	if (n == NULL)
		return "<input>";
	memcpy(n->name, name, len + 1);
	n->next = set->names;
	set->names = n;
	return n->name;
}

/* Hold a tree until the set is freed; the set owns it from here on.  On
 * failure the tree is already gone. */
static bool set_keep(struct manifest_set *set, json_t *tree)
{
	return json_array_append_new(set->keep, tree) == 0;
}

static void set_verror(struct manifest_set *set, const char *file, struct mpos at,
                       const char *prefix, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));

static void set_verror(struct manifest_set *set, const char *file, struct mpos at,
                       const char *prefix, const char *fmt, va_list ap)
{
	char msg[768], text[1024];
	struct sbuf b;

	set->reported++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	sbuf_init(&b, text, sizeof(text));
	if (at.line > 0)
		sbuf_printf(&b, "%s:%u:%u: ", file, at.line, at.col);
	else
		sbuf_printf(&b, "%s: ", file);
	sbuf_printf(&b, "%s%s", prefix != NULL ? prefix : "", msg);
	/* The same problem reached twice (a bad mapping several getters look
	 * through) is reported once. */
	for (size_t i = 0; i < set->n_errors; i++)
		if (strcmp(set->errors[i].text, text) == 0)
			return;
	if (set->n_errors >= set->limits.max_errors) {
		set->errors_dropped++;
		return;
	}
	if (set->n_errors == set->errors_cap) {
		size_t cap = set->errors_cap != 0 ? set->errors_cap * 2 : 8;
		struct manifest_error *e = realloc(set->errors, cap * sizeof(*e));
		if (e == NULL) {
			set->errors_dropped++;
			return;
		}
		set->errors = e;
		set->errors_cap = cap;
	}
	char *copy = strdup(text);
	if (copy == NULL) {
		set->errors_dropped++;
		return;
	}
	set->errors[set->n_errors++] = (struct manifest_error){
		.file = file, .line = at.line, .col = at.col, .text = copy
	};
}

static void set_error(struct manifest_set *set, const char *file, struct mpos at, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void set_error(struct manifest_set *set, const char *file, struct mpos at, const char *fmt,
                      ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_verror(set, file, at, NULL, fmt, ap);
	va_end(ap);
}

void manifest_errors_print(const struct manifest_set *set, FILE *out)
{
	for (size_t i = 0; i < set->n_errors; i++)
		fprintf(out, "%s\n", set->errors[i].text);
	if (set->errors_dropped > 0)
		fprintf(out, "(%zu more errors not shown)\n", set->errors_dropped);
}

/* ---- positions ---- */

static bool is_shared(const json_t *v)
{
	return json_is_null(v) || json_is_boolean(v);
}

static size_t pos_hash(const void *node, uintptr_t slot, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)node * 0x9e3779b97f4a7c15u;

	h ^= (uint64_t)slot * 0xc2b2ae3d27d4eb4fu;
	h ^= h >> 29;
	return (size_t)h & mask;
}

static struct manifest_posent *pos_find(const struct manifest_set *set, const void *node,
                                        uintptr_t slot)
{
	if (set->pos_cap == 0 || node == NULL)
		return NULL;
	size_t mask = set->pos_cap - 1;
	for (size_t i = pos_hash(node, slot, mask);; i = (i + 1) & mask) {
		struct manifest_posent *e = &set->pos[i];
		if (e->node == NULL)
			return NULL;
		if (e->node == node && e->slot == slot)
			return e;
	}
}

static bool pos_grow(struct manifest_set *set)
{
	size_t cap = set->pos_cap != 0 ? set->pos_cap * 2 : 256;
	struct manifest_posent *old = set->pos, *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return false;
	for (size_t i = 0; i < set->pos_cap; i++) {
		if (old[i].node == NULL)
			continue;
		size_t j = pos_hash(old[i].node, old[i].slot, cap - 1);
		while (v[j].node != NULL)
			j = (j + 1) & (cap - 1);
		v[j] = old[i];
	}
	free(old);
	set->pos = v;
	set->pos_cap = cap;
	return true;
}

/* Entries are never removed: the set keeps every tree it built, so no
 * pointer in the table can be freed and reused while the set lives. */
static void pos_put_raw(struct manifest_set *set, const void *node, uintptr_t slot, struct mpos at,
                        struct mpos key_at)
{
	struct manifest_posent *e = pos_find(set, node, slot);

	if (e == NULL) {
		if ((set->pos_len + 1) * 4 > set->pos_cap * 3 && !pos_grow(set))
			return; /* positions are a nicety; out of memory loses them */
		size_t mask = set->pos_cap - 1;
		size_t i = pos_hash(node, slot, mask);
		while (set->pos[i].node != NULL)
			i = (i + 1) & mask;
		e = &set->pos[i];
		set->pos_len++;
	}
	*e = (struct manifest_posent){ .node = node, .slot = slot, .at = at, .key_at = key_at };
}

/* The slot of a member of parent: key pointer for a mapping (stable while
 * the member exists; jansson's json_object_key_to_iter() relies on the same),
 * index + 1 for a list. */
static uintptr_t member_slot(const json_t *parent, const char *key, size_t index)
{
	if (!json_is_object(parent))
		return (uintptr_t)index + 1;
	void *it = json_object_iter_at((json_t *)parent, key);
	return it != NULL ? (uintptr_t)json_object_iter_key(it) : 0;
}

/* Record where v, the member key/index of parent (or a root when parent is
 * NULL), starts. */
static void pos_put(struct manifest_set *set, const json_t *parent, const char *key, size_t index,
                    const json_t *v, struct mpos at, struct mpos key_at)
{
	if (!is_shared(v)) {
		pos_put_raw(set, v, 0, at, key_at);
		return;
	}
	if (parent == NULL)
		return;
	uintptr_t slot = member_slot(parent, key, index);
	if (slot != 0)
		pos_put_raw(set, parent, slot, at, key_at);
}

static const struct manifest_posent *member_ent(const struct manifest_set *set,
                                                const json_t *parent, const char *key, size_t index)
{
	const json_t *v = json_is_object(parent) ? json_object_get(parent, key)
	                                         : json_array_get(parent, index);
	if (v == NULL)
		return NULL;
	if (!is_shared(v))
		return pos_find(set, v, 0);
	return pos_find(set, parent, member_slot(parent, key, index));
}

/* A copy of a member's entry (node NULL when there is none): the table may
 * move while the caller adds entries. */
static struct manifest_posent member_pos_of(const struct manifest_set *set, const json_t *parent,
                                            const char *key, size_t index)
{
	const struct manifest_posent *e = member_ent(set, parent, key, index);
	return e != NULL ? *e : (struct manifest_posent){ 0 };
}

static bool pos_out(const struct manifest_posent *e, struct mpos at, unsigned *line, unsigned *col)
{
	if (e == NULL || at.line == 0)
		return false;
	*line = at.line;
	*col = at.col;
	return true;
}

bool manifest_pos(const struct manifest_set *set, const json_t *node, unsigned *line, unsigned *col)
{
	const struct manifest_posent *e = is_shared(node) ? NULL : pos_find(set, node, 0);
	return pos_out(e, e != NULL ? e->at : (struct mpos){ 0 }, line, col);
}

bool manifest_member_pos(const struct manifest_set *set, const json_t *obj, const char *key,
                         unsigned *line, unsigned *col)
{
	const struct manifest_posent *e = json_is_object(obj) ? member_ent(set, obj, key, 0) : NULL;
	return pos_out(e, e != NULL ? e->at : (struct mpos){ 0 }, line, col);
}

bool manifest_key_pos(const struct manifest_set *set, const json_t *obj, const char *key,
                      unsigned *line, unsigned *col)
{
	const struct manifest_posent *e = json_is_object(obj) ? member_ent(set, obj, key, 0) : NULL;
	return pos_out(e, e != NULL ? e->key_at : (struct mpos){ 0 }, line, col);
}

bool manifest_item_pos(const struct manifest_set *set, const json_t *list, size_t index,
                       unsigned *line, unsigned *col)
{
	const struct manifest_posent *e =
	        json_is_array(list) ? member_ent(set, list, NULL, index) : NULL;
	return pos_out(e, e != NULL ? e->at : (struct mpos){ 0 }, line, col);
}

/* ---- trees ---- */

/* The members of a mapping or the items of a list, in order. */
struct kids {
	json_t *parent;
	void *it;
	size_t i; /* after kids_next(): the item's index + 1 */
};

/* The next child, with its key (NULL in a list), or NULL at the end. */
static json_t *kids_next(struct kids *k, const char **key)
{
	*key = NULL;
	if (!json_is_object(k->parent))
		return json_array_get(k->parent, k->i++);
	k->it = k->i++ == 0 ? json_object_iter(k->parent) : json_object_iter_next(k->parent, k->it);
	if (k->it == NULL)
		return NULL;
	*key = json_object_iter_key(k->it);
	return json_object_iter_value(k->it);
}

/* Count the values in v and the nesting of its mappings and lists.  Stops
 * with false as soon as more than max_nodes values or max_depth levels are
 * seen, so the walk itself never goes deeper than the cap. */
static bool tree_measure(const json_t *v, unsigned max_depth, size_t max_nodes, size_t *nodes,
                         unsigned *height)
{
	struct kids k = { .parent = (json_t *)v };
	unsigned h = 0, ch;
	const char *key;
	json_t *child;

	if (++*nodes > max_nodes)
		return false;
	if (json_is_object(v) || json_is_array(v)) {
		if (max_depth == 0)
			return false;
		while ((child = kids_next(&k, &key)) != NULL) {
			if (!tree_measure(child, max_depth - 1, max_nodes, nodes, &ch))
				return false;
			h = ch > h ? ch : h;
		}
		h++;
	}
	*height = h;
	return true;
}

/* A deep copy of src whose values keep the positions of the originals; the
 * caller places the copy itself.  Recursion is bounded by the depth cap,
 * which src was built under. */
static json_t *tree_copy(struct manifest_set *set, const json_t *src)
{
	struct kids k = { .parent = (json_t *)src };
	const char *key;
	json_t *child, *dst, *c;

	if (!json_is_object(src) && !json_is_array(src))
		return json_copy((json_t *)src);
	dst = json_is_object(src) ? json_object() : json_array();
	if (dst == NULL)
		return NULL;
	while ((child = kids_next(&k, &key)) != NULL) {
		size_t i = k.i - 1;
		struct manifest_posent e = member_pos_of(set, src, key, i);
		if ((c = tree_copy(set, child)) == NULL)
			goto fail;
		if ((key != NULL ? json_object_set_new(dst, key, c)
		                 : json_array_append_new(dst, c)) < 0)
			goto fail;
		if (e.node != NULL)
			pos_put(set, dst, key, i, c, e.at, e.key_at);
	}
	return dst;
fail:
	json_decref(dst);
	return NULL;
}

/* "string \"x\"", "integer 5", "a mapping": what a value is, for messages. */
static const char *describe(const json_t *v, char *buf, size_t cap)
{
	struct sbuf b;

	sbuf_init(&b, buf, cap);
	if (v == NULL)
		return "null";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "a mapping";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING: {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
		size_t n = s != NULL ? strlen(s) : 0;
		if (n > 50)
			sbuf_printf(&b, "string %.46s...\"", s);
		else
			sbuf_printf(&b, "string %s", s != NULL ? s : "\"\"");
		free(s);
		return buf;
	}
	case JSON_INTEGER:
		sbuf_printf(&b, "integer %" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		sbuf_printf(&b, "number %.17g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "boolean true";
	case JSON_FALSE:
		return "boolean false";
	default:
		return "null";
	}
}

/* A key or text in double quotes, escaped and cut, for messages. */
static const char *quote(const char *s, char *buf, size_t cap)
{
	json_t *j = json_string(s);
	char *d = j != NULL ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	struct sbuf b;

	sbuf_init(&b, buf, cap);
	if (d == NULL)
		sbuf_puts(&b, "\"?\"");
	else if (strlen(d) > 50)
		sbuf_printf(&b, "%.46s...\"", d);
	else
		sbuf_puts(&b, d);
	free(d);
	json_decref(j);
	return buf;
}

/* ---- adding objects ---- */

static bool obj_push(struct manifest_set *set, const struct manifest_obj *o)
{
	if (set->n_objs == set->objs_cap) {
		size_t cap = set->objs_cap != 0 ? set->objs_cap * 2 : 8;
		struct manifest_obj *v = realloc(set->objs, cap * sizeof(*v));
		if (v == NULL)
			return false;
		set->objs = v;
		set->objs_cap = cap;
	}
	set->objs[set->n_objs++] = *o;
	return true;
}

static const char *str_member(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Check the fields every object has, with the same getters decoders use,
 * and add the object when they hold. */
static void obj_add(struct manifest_set *set, const char *file, json_t *root, unsigned doc,
                    int item, struct mpos at)
{
	const json_t *meta = json_object_get(root, "metadata");
	struct manifest_obj o = {
		.file = file,
		.doc = doc,
		.item = item,
		.line = at.line,
		.col = at.col,
		.kind = str_member(root, "kind"),
		.name = str_member(meta, "name"),
		.root = root,
	};
	struct manifest_ctx c;

	manifest_ctx_init(&c, set, &o);
	manifest_get_string(&c, "apiVersion", MANIFEST_REQUIRED | MANIFEST_NONEMPTY,
	                    &o.api_version);
	manifest_get_string(&c, "kind", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &o.kind);
	if (manifest_enter(&c, 0, "metadata")) {
		manifest_get_string(&c, "name", 0, &o.name);
		manifest_get_string(&c, "namespace", 0, &o.ns);
		manifest_leave(&c);
	}
	if (c.errors == 0 && !obj_push(set, &o))
		set_error(set, file, at, "out of memory");
}

/* A top-level value: an object, or a `kind: List` whose items are. */
static void root_add(struct manifest_set *set, const char *file, json_t *root, unsigned doc,
                     struct mpos at)
{
	const json_t *items = json_object_get(root, "items");
	const char *kind = str_member(root, "kind");
	char what[64];

	if (kind == NULL || strcmp(kind, "List") != 0 || !json_is_array(items)) {
		obj_add(set, file, root, doc, -1, at);
		return;
	}
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *item = json_array_get(items, i);
		struct mpos ip = at;
		manifest_item_pos(set, items, i, &ip.line, &ip.col);
		if (!json_is_object(item))
			set_error(set, file, ip, "List: items[%zu]: must be a mapping (got %s)", i,
			          describe(item, what, sizeof(what)));
		else
			obj_add(set, file, item, doc, (int)i, ip);
	}
}

int manifest_add_json(struct manifest_set *set, const char *source, json_t *root)
{
	const char *file = set_intern(set, source);
	size_t reported = set->reported, nodes = 0;
	unsigned height;

	if (root == NULL || !set_keep(set, root)) {
		set_error(set, file, (struct mpos){ 0 }, "out of memory");
		return -1;
	}
	if (!tree_measure(root, set->limits.max_depth, set->limits.max_nodes, &nodes, &height))
		set_error(set, file, (struct mpos){ 0 }, "object is too large or too deep");
	else if (!json_is_object(root))
		set_error(set, file, (struct mpos){ 0 }, "not an object");
	else
		root_add(set, file, root, 0, (struct mpos){ 0 });
	return set->reported == reported ? 0 : -1;
}

/* ---- YAML scalars ---- */

static bool word_in(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static const char *const yaml_nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const yaml_trues[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
	                                  "on",   "On",   "ON",   "y",   "Y",   NULL };
static const char *const yaml_falses[] = { "false", "False", "FALSE", "no", "No", "NO",
	                                   "off",   "Off",   "OFF",   "n",  "N",  NULL };
static const char *const yaml_nonfinite[] = { ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
	                                      "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
	                                      ".NaN",  ".NAN",  NULL };

static size_t span(const char *s, const char *set)
{
	return strspn(s, set);
}

#define DIGITS  "0123456789"
#define XDIGITS "0123456789abcdefABCDEF"

/* [-+]?(0|[1-9][0-9]*) or [-+]?0[xX][0-9a-fA-F]+ */
static bool looks_int(const char *s, int *base)
{
	const char *p = s + (*s == '-' || *s == '+');

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		*base = 16;
		return p[2] != '\0' && p[2 + span(p + 2, XDIGITS)] == '\0';
	}
	*base = 10;
	if (p[0] == '0')
		return p[1] == '\0';
	return p[0] != '\0' && p[span(p, DIGITS)] == '\0';
}

/* go-yaml's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool looks_float(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t n = span(p, DIGITS);

	if (n == 0) {
		if (*p != '.' || span(p + 1, DIGITS) == 0)
			return false;
		p += 1 + span(p + 1, DIGITS);
	} else {
		p += n;
		if (*p == '.')
			p += 1 + span(p + 1, DIGITS);
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		if (span(p, DIGITS) == 0)
			return false;
		p += span(p, DIGITS);
	}
	return *p == '\0';
}

/* What kubectl would read as a number that we do not: a leading zero
 * (octal), 0o, 0b, or underscores between digits (go-yaml drops them). */
static bool looks_ambiguous(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	int base;

	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		return p[2] != '\0' && p[2 + span(p + 2, "01234567_")] == '\0';
	if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		return p[2] != '\0' && p[2 + span(p + 2, "01_")] == '\0';
	if (p[0] == '0' && p[1] != '\0' && p[span(p, DIGITS "_")] == '\0')
		return true;
	if (strchr(p, '_') == NULL || (p[0] != '.' && (p[0] < '0' || p[0] > '9')))
		return false;
	char *plain = malloc(strlen(s) + 1);
	size_t n = 0;
	if (plain == NULL)
		return true; /* refusing is the safe side */
	for (const char *q = s; *q != '\0'; q++)
		if (*q != '_')
			plain[n++] = *q;
	plain[n] = '\0';
	bool number = looks_int(plain, &base) || looks_float(plain);
	free(plain);
	return number;
}

enum scalar_kind { SC_NULL, SC_BOOL, SC_INT, SC_FLOAT, SC_STRING };

struct scalar_err {
	char msg[160];
};

/* Integer text (already matched by looks_int) to a JSON integer. */
static json_t *scalar_int(const char *s, int base, struct scalar_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE || *end != '\0') {
		snprintf(err->msg, sizeof(err->msg), "integer %.40s%s is out of range", s,
		         strlen(s) > 40 ? "..." : "");
		return NULL;
	}
	return json_integer(v);
}

static json_t *scalar_float(const char *s, struct scalar_err *err)
{
	double v = strtod(s, NULL);

	if (!isfinite(v)) {
		snprintf(err->msg, sizeof(err->msg), "number %.40s%s is out of range", s,
		         strlen(s) > 40 ? "..." : "");
		return NULL;
	}
	return json_real(v);
}

/* Resolve a plain scalar, or one whose tag asks for a type, by the rules
 * in manifest.h.  want is the kind a tag asks for, or -1 for any. */
static json_t *scalar_resolve(const char *s, int want, struct scalar_err *err)
{
	int base;

	if ((want < 0 || want == SC_NULL) && word_in(s, yaml_nulls))
		return json_null();
	if ((want < 0 || want == SC_BOOL) && word_in(s, yaml_trues))
		return json_true();
	if ((want < 0 || want == SC_BOOL) && word_in(s, yaml_falses))
		return json_false();
	if ((want < 0 || want == SC_FLOAT) && word_in(s, yaml_nonfinite)) {
		snprintf(err->msg, sizeof(err->msg), "%s cannot be represented in JSON", s);
		return NULL;
	}
	if ((want < 0 || want == SC_INT || want == SC_FLOAT) && looks_ambiguous(s)) {
		snprintf(
		        err->msg, sizeof(err->msg),
		        "ambiguous number %.40s: write it in decimal, or quote it to keep the text",
		        s);
		return NULL;
	}
	if ((want < 0 || want == SC_INT) && looks_int(s, &base))
		return scalar_int(s, base, err);
	if (want == SC_FLOAT && looks_int(s, &base)) {
		json_t *i = scalar_int(s, base, err);
		json_t *r = i != NULL ? json_real((double)json_integer_value(i)) : NULL;
		json_decref(i);
		return r;
	}
	if ((want < 0 || want == SC_FLOAT) && looks_float(s))
		return scalar_float(s, err);
	if (want < 0)
		return json_string(s);
	static const char *const tags[] = { "null", "bool", "int", "float" };
	static const char *const names[] = { "null", "a boolean", "an integer", "a number" };
	char q[64];
	snprintf(err->msg, sizeof(err->msg), "!!%s value %s is not %s", tags[want],
	         quote(s, q, sizeof(q)), names[want]);
	return NULL;
}

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

static bool size_ok(struct manifest_set *set, const char *file, size_t len)
{
	if (len <= set->limits.max_bytes)
		return true;
	set_error(set, file, (struct mpos){ 0 }, "input is %zu bytes, more than the limit of %zu",
	          len, set->limits.max_bytes);
	return false;
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

/* ---- JSON ---- */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t json_skip_space(const char *text, size_t len, size_t off, struct mpos *at)
{
	while (off < len && json_space(text[off])) {
		if (text[off] == '\n')
			*at = (struct mpos){ at->line + 1, 1 };
		else
			at->col++;
		off++;
	}
	return off;
}

static struct mpos json_advance(const char *text, size_t off, size_t n, struct mpos at)
{
	for (size_t i = off; i < off + n; i++) {
		if (text[i] == '\n')
			at = (struct mpos){ at.line + 1, 1 };
		else if (((unsigned char)text[i] & 0xc0) != 0x80)
			at.col++;
	}
	return at;
}

/* jansson counts lines and columns from where it was started. */
static struct mpos json_error_pos(struct mpos start, const json_error_t *e)
{
	if (e->line <= 0)
		return start;
	if (e->line == 1)
		return (struct mpos){ start.line,
			              start.col + (unsigned)(e->column > 0 ? e->column - 1 : 0) };
	return (struct mpos){ start.line + (unsigned)e->line - 1,
		              (unsigned)(e->column > 0 ? e->column : 1) };
}

/* One value of the stream; false ends the load. */
static bool json_load_one(struct manifest_set *set, const char *file, const char *text, size_t len,
                          unsigned doc, struct mpos at, size_t *nodes, size_t *used)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &e);
	unsigned height;
	char what[64];

	if (v == NULL) {
		set_error(set, file, json_error_pos(at, &e), "%s", e.text);
		return false;
	}
	*used = (size_t)e.position;
	if (!set_keep(set, v)) {
		set_error(set, file, at, "out of memory");
		return false;
	}
	if (!tree_measure(v, set->limits.max_depth, set->limits.max_nodes, nodes, &height)) {
		if (*nodes > set->limits.max_nodes)
			set_error(set, file, at, "more than %zu values in the input",
			          set->limits.max_nodes);
		else
			set_error(set, file, at, "nesting deeper than %u levels",
			          set->limits.max_depth);
		return false;
	}
	pos_put(set, NULL, NULL, 0, v, at, (struct mpos){ 0 });
	if (!json_is_object(v))
		set_error(set, file, at, "a JSON value must be an object (got %s)",
		          describe(v, what, sizeof(what)));
	else
		root_add(set, file, v, doc, at);
	return true;
}

int manifest_load_json(struct manifest_set *set, const char *file, const char *text, size_t len)
{
	size_t reported = set->reported, off = 0, nodes = 0, used;
	struct mpos at = { 1, 1 };

	file = set_intern(set, file);
	if (!size_ok(set, file, len))
		return -1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	for (unsigned doc = 0;; doc++) {
		off = json_skip_space(text, len, off, &at);
		if (off == len)
			break;
		if (!json_load_one(set, file, text + off, len - off, doc, at, &nodes, &used))
			break;
		at = json_advance(text, off, used, at);
		off += used;
	}
	return set->reported == reported ? 0 : -1;
}

int manifest_load(struct manifest_set *set, const char *file, const char *text, size_t len)
{
	struct mpos at = { 1, 1 };
	size_t off = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	off = json_skip_space(text, len, off, &at);
	if (off < len && text[off] == '{')
		return manifest_load_json(set, file, text, len);
	return manifest_load_yaml(set, file, text, len);
}

/* ---- typed decoding ---- */

/* A field found (or not) from where the context stands. */
struct mfield {
	const json_t *node; /* NULL when absent or null */
	struct mpos at;     /* its position, or its nearest known ancestor's */
	struct mpos key_at;
	char path[MANIFEST_PATH_MAX];
};

void manifest_ctx_init(struct manifest_ctx *ctx, struct manifest_set *set,
                       const struct manifest_obj *obj)
{
	ctx->set = set;
	ctx->obj = obj;
	ctx->errors = 0;
	ctx->depth = 0;
	ctx->level[0] = (struct manifest_level){
		.node = obj->root, .path_len = 0, .line = obj->line, .col = obj->col
	};
	ctx->path[0] = '\0';
}

static void ctx_verror(struct manifest_ctx *c, struct mpos at, const char *path, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));

static void ctx_verror(struct manifest_ctx *c, struct mpos at, const char *path, const char *fmt,
                       va_list ap)
{
	const struct manifest_obj *o = c->obj;
	char prefix[MANIFEST_PATH_MAX + 160];
	struct sbuf b;

	sbuf_init(&b, prefix, sizeof(prefix));
	if (o->kind != NULL && o->kind[0] != '\0' && o->name != NULL)
		sbuf_printf(&b, "%s/%s: ", o->kind, o->name);
	else if (o->kind != NULL && o->kind[0] != '\0')
		sbuf_printf(&b, "%s: ", o->kind);
	if (path[0] != '\0')
		sbuf_printf(&b, "%s: ", path);
	c->errors++;
	set_verror(c->set, o->file, at, prefix, fmt, ap);
}

static int field_error(struct manifest_ctx *c, const struct mfield *f, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int field_error(struct manifest_ctx *c, const struct mfield *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_verror(c, f->at, f->path, fmt, ap);
	va_end(ap);
	return -1;
}

static int type_error(struct manifest_ctx *c, const struct mfield *f, const char *want)
{
	char what[80];

	if (strcmp(want, "a string") == 0 && (json_is_boolean(f->node) || json_is_number(f->node)))
		return field_error(c, f, "must be a string (got %s; quote it to keep the text)",
		                   describe(f->node, what, sizeof(what)));
	return field_error(c, f, "must be %s (got %s)", want,
	                   describe(f->node, what, sizeof(what)));
}

static bool plain_key(const char *key)
{
	return key[0] != '\0' &&
	       key[strspn(key,
	                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")] ==
	               '\0';
}

static void path_add_key(struct sbuf *b, const char *key)
{
	char q[64];

	if (!plain_key(key))
		sbuf_printf(b, "[%s]", quote(key, q, sizeof(q)));
	else if (b->len > 0)
		sbuf_printf(b, ".%s", key);
	else
		sbuf_puts(b, key);
}

/* The member key (or item index) of parent f, as a field of its own. */
static void field_child(const struct manifest_ctx *c, const struct mfield *f, const char *key,
                        size_t index, struct mfield *out)
{
	const json_t *v =
	        key != NULL ? json_object_get(f->node, key) : json_array_get(f->node, index);
	const struct manifest_posent *e = member_ent(c->set, f->node, key, index);
	struct sbuf b;

	out->node = json_is_null(v) ? NULL : v;
	out->at = e != NULL && e->at.line > 0 ? e->at : f->at;
	out->key_at = e != NULL && e->key_at.line > 0 ? e->key_at : out->at;
	sbuf_init(&b, out->path, sizeof(out->path));
	sbuf_puts(&b, f->path);
	if (key != NULL)
		path_add_key(&b, key);
	else
		sbuf_printf(&b, "[%zu]", index);
}

/* One step of a field path: "name", ".name" or "[3]". */
static bool path_step(const char **p, char *key, size_t cap, size_t *index, bool *is_index)
{
	const char *s = *p;

	if (*s == '[') {
		char *end;
		if (s[1] < '0' || s[1] > '9')
			return false;
		*index = strtoul(s + 1, &end, 10);
		if (*end != ']')
			return false;
		*is_index = true;
		*p = end + 1;
		return true;
	}
	if (*s == '.')
		s++;
	size_t n = strcspn(s, ".[");
	if (n == 0 || n >= cap)
		return false;
	memcpy(key, s, n);
	key[n] = '\0';
	*is_index = false;
	*p = s + n;
	return true;
}

/* 1 found, 0 absent, -1 when the path crosses a value that is not a
 * mapping or list (recorded unless quiet). */
static int ctx_resolve(struct manifest_ctx *c, const char *rel, bool quiet, struct mfield *f)
{
	const struct manifest_level *lv = &c->level[c->depth];
	const char *p = rel;
	struct mfield next;

	f->node = lv->node;
	f->at = (struct mpos){ lv->line, lv->col };
	f->key_at = f->at;
	snprintf(f->path, sizeof(f->path), "%s", c->path);
	while (*p != '\0') {
		char key[MANIFEST_PATH_MAX];
		size_t index = 0;
		bool is_index;
		if (!path_step(&p, key, sizeof(key), &index, &is_index))
			return quiet ? -1 : field_error(c, f, "bad field path \"%s\"", rel);
		if (is_index ? !json_is_array(f->node) : !json_is_object(f->node))
			return quiet ? -1 : type_error(c, f, is_index ? "a list" : "a mapping");
		field_child(c, f, is_index ? NULL : key, index, &next);
		*f = next;
		if (f->node == NULL) {
			size_t n = strlen(f->path);
			snprintf(f->path + n, sizeof(f->path) - n, "%s", p);
			return 0;
		}
	}
	return 1;
}

static int ctx_field(struct manifest_ctx *c, const char *rel, unsigned flags, struct mfield *f)
{
	int r = ctx_resolve(c, rel, false, f);

	if (r == 0 && (flags & MANIFEST_REQUIRED))
		return field_error(c, f, "required field is missing");
	return r;
}

bool manifest_enter(struct manifest_ctx *c, unsigned flags, const char *fmt, ...)
{
	char rel[MANIFEST_PATH_MAX];
	struct mfield f;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (ctx_field(c, rel, flags, &f) <= 0)
		return false;
	if (!json_is_object(f.node)) {
		type_error(c, &f, "a mapping");
		return false;
	}
	if (c->depth + 1 >= MANIFEST_CTX_DEPTH) {
		field_error(c, &f, "nested too deeply for the decoder");
		return false;
	}
	c->depth++;
	c->level[c->depth] = (struct manifest_level){
		.node = f.node, .path_len = strlen(f.path), .line = f.at.line, .col = f.at.col
	};
	memcpy(c->path, f.path, sizeof(c->path));
	return true;
}

void manifest_leave(struct manifest_ctx *c)
{
	if (c->depth == 0)
		return;
	c->depth--;
	c->path[c->level[c->depth].path_len] = '\0';
}

int manifest_get_int(struct manifest_ctx *c, const char *path, unsigned flags, int64_t min,
                     int64_t max, int64_t *out)
{
	struct mfield f;
	int r = ctx_field(c, path, flags, &f);

	if (r <= 0)
		return r;
	if (!json_is_integer(f.node))
		return type_error(c, &f, "an integer");
	json_int_t v = json_integer_value(f.node);
	if (v < min || v > max)
		return field_error(c, &f, "must be in %" PRId64 "..%" PRId64 " (got %" PRId64 ")",
		                   min, max, (int64_t)v);
	*out = v;
	return 1;
}

int manifest_get_u32(struct manifest_ctx *c, const char *path, unsigned flags, uint32_t min,
                     uint32_t max, uint32_t *out)
{
	int64_t v;
	int r = manifest_get_int(c, path, flags, min, max, &v);

	if (r == 1)
		*out = (uint32_t)v;
	return r;
}

int manifest_get_bool(struct manifest_ctx *c, const char *path, unsigned flags, bool *out)
{
	struct mfield f;
	int r = ctx_field(c, path, flags, &f);

	if (r <= 0)
		return r;
	if (!json_is_boolean(f.node))
		return type_error(c, &f, "a boolean");
	*out = json_is_true(f.node);
	return 1;
}

/* The string at f, or NULL after recording why not. */
static const char *field_string(struct manifest_ctx *c, const struct mfield *f, unsigned flags)
{
	if (!json_is_string(f->node)) {
		type_error(c, f, "a string");
		return NULL;
	}
	if ((flags & MANIFEST_NONEMPTY) && json_string_length(f->node) == 0) {
		field_error(c, f, "must not be empty");
		return NULL;
	}
	return json_string_value(f->node);
}

int manifest_get_string(struct manifest_ctx *c, const char *path, unsigned flags, const char **out)
{
	struct mfield f;
	int r = ctx_field(c, path, flags, &f);
	const char *s;

	if (r <= 0)
		return r;
	if ((s = field_string(c, &f, flags)) == NULL)
		return -1;
	*out = s;
	return 1;
}

int manifest_get_enum(struct manifest_ctx *c, const char *path, unsigned flags,
                      const char *const *names, unsigned *out)
{
	char list[512], q[64];
	struct mfield f;
	struct sbuf b;
	const char *s;
	int r = ctx_field(c, path, flags, &f);

	if (r <= 0)
		return r;
	if ((s = field_string(c, &f, flags)) == NULL)
		return -1;
	for (unsigned i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 1;
		}
	}
	sbuf_init(&b, list, sizeof(list));
	for (unsigned i = 0; names[i] != NULL; i++)
		sbuf_printf(&b, "%s\"%s\"", i > 0 ? ", " : "", names[i]);
	return field_error(c, &f, "must be one of %s (got %s)", list, quote(s, q, sizeof(q)));
}

int manifest_get_ip(struct manifest_ctx *c, const char *path, unsigned flags,
                    union sockaddr_any *out)
{
	struct mfield f;
	char q[64];
	const char *s;
	int r = ctx_field(c, path, flags, &f);

	if (r <= 0)
		return r;
	if ((s = field_string(c, &f, flags)) == NULL)
		return -1;
	if (addr_parse(s, 0, out) < 0)
		return field_error(c, &f, "must be an IP address (got %s)", quote(s, q, sizeof(q)));
	return 1;
}

/* "addr/len" with len in decimal; host bits are left as written. */
int manifest_get_prefix(struct manifest_ctx *c, const char *path, unsigned flags,
                        struct bgp_prefix *out)
{
	struct bgp_prefix p, masked;
	char q[64], text[64];
	struct mfield f;
	const char *s;
	int r = ctx_field(c, path, flags, &f);

	if (r <= 0)
		return r;
	if ((s = field_string(c, &f, flags)) == NULL)
		return -1;
	if (bgp_prefix_parse_loose(s, &p) < 0)
		return field_error(c, &f, "must be a prefix like 10.0.0.0/24 (got %s)",
		                   quote(s, q, sizeof(q)));
	masked = p;
	bgp_prefix_mask(&masked);
	if (memcmp(masked.addr, p.addr, sizeof(p.addr)) != 0) {
		bgp_prefix_format(text, sizeof(text), &masked);
		return field_error(c, &f, "host bits must be zero (did you mean \"%s\"?)", text);
	}
	*out = p;
	return 1;
}

int manifest_get_strings(struct manifest_ctx *c, const char *path, unsigned flags, const char **out,
                         size_t cap, size_t *n)
{
	struct mfield f, item;
	bool ok = true;
	int r;

	*n = 0;
	if ((r = ctx_field(c, path, flags, &f)) <= 0)
		return r;
	if (!json_is_array(f.node))
		return type_error(c, &f, "a list of strings");
	size_t len = json_array_size(f.node);
	if (len == 0 && (flags & MANIFEST_NONEMPTY))
		return field_error(c, &f, "must not be empty");
	if (len > cap)
		return field_error(c, &f, "must have at most %zu entries (got %zu)", cap, len);
	for (size_t i = 0; i < len; i++) {
		field_child(c, &f, NULL, i, &item);
		if (!json_is_string(item.node)) {
			ok = false;
			type_error(c, &item, "a string");
			continue;
		}
		out[i] = json_string_value(item.node);
	}
	if (!ok)
		return -1;
	*n = len;
	return 1;
}

int manifest_get_list(struct manifest_ctx *c, const char *path, unsigned flags, size_t *n)
{
	struct mfield f;
	int r;

	*n = 0;
	if ((r = ctx_field(c, path, flags, &f)) <= 0)
		return r;
	if (!json_is_array(f.node))
		return type_error(c, &f, "a list");
	if (json_array_size(f.node) == 0 && (flags & MANIFEST_NONEMPTY))
		return field_error(c, &f, "must not be empty");
	*n = json_array_size(f.node);
	return 1;
}

int manifest_get_string_map(struct manifest_ctx *c, const char *path, unsigned flags,
                            const json_t **out)
{
	struct mfield f, item;
	struct kids k;
	const char *key;
	json_t *v;
	bool ok = true;
	int r;

	if ((r = ctx_field(c, path, flags, &f)) <= 0)
		return r;
	if (!json_is_object(f.node))
		return type_error(c, &f, "a mapping");
	if (json_object_size(f.node) == 0 && (flags & MANIFEST_NONEMPTY))
		return field_error(c, &f, "must not be empty");
	k = (struct kids){ .parent = (json_t *)f.node };
	while ((v = kids_next(&k, &key)) != NULL) {
		field_child(c, &f, key, 0, &item);
		if (!json_is_string(v)) {
			ok = false;
			item.node = v;
			type_error(c, &item, "a string");
		}
	}
	if (!ok)
		return -1;
	*out = f.node;
	return 1;
}

int manifest_get_node(struct manifest_ctx *c, const char *path, unsigned flags, const json_t **out)
{
	struct mfield f;
	int r = ctx_field(c, path, flags, &f);

	if (r == 1)
		*out = f.node;
	return r;
}

/* Edit distance of two short strings, or a large number for long ones. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[64], prev, diag;
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			prev = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			best = row[j] + 1 < best ? row[j] + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			row[j] = best;
			diag = prev;
		}
	}
	return row[lb];
}

/* The known key a typo most likely meant: same letters in another case,
 * or at most two edits away. */
static const char *suggest(const char *const *known, const char *key)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (; *known != NULL; known++) {
		if (strcasecmp(*known, key) == 0)
			return *known;
		unsigned d = edit_distance(*known, key);
		if (d < best_d && d < strlen(key)) {
			best = *known;
			best_d = d;
		}
	}
	return best;
}

size_t manifest_check_keys(struct manifest_ctx *c, const char *const *known)
{
	struct mfield here, f;
	const char *key, *hint;
	struct kids k;
	size_t n = 0;

	if (ctx_resolve(c, "", true, &here) != 1 || !json_is_object(here.node))
		return 0;
	k = (struct kids){ .parent = (json_t *)here.node };
	while (kids_next(&k, &key) != NULL) {
		if (word_in(key, known))
			continue;
		field_child(c, &here, key, 0, &f);
		f.at = f.key_at;
		if ((hint = suggest(known, key)) != NULL)
			field_error(c, &f, "unknown field (did you mean \"%s\"?)", hint);
		else
			field_error(c, &f, "unknown field");
		n++;
	}
	return n;
}

void manifest_errorf(struct manifest_ctx *c, const char *path, const char *fmt, ...)
{
	struct mfield f;
	va_list ap;

	if (ctx_resolve(c, path, true, &f) < 0) {
		/* It crossed a wrong type: name the whole path, placed at the
		 * last value found. */
		struct sbuf b;
		sbuf_init(&b, f.path, sizeof(f.path));
		sbuf_printf(&b, "%s%s%s", c->path, c->path[0] != '\0' && path[0] != '[' ? "." : "",
		            path);
	}
	va_start(ap, fmt);
	ctx_verror(c, f.at, f.path, fmt, ap);
	va_end(ap);
}
