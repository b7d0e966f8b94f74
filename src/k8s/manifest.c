/*
 * manifest: the set.  It owns what every load shares: init and free, the
 * interned file names, the trees it keeps alive, the error list (with the
 * wording of values in messages) and its printing, the objects it holds and
 * the checks every object passes on the way in, and the choice between the
 * YAML and the JSON loader.
 *
 * The other pieces, each with one job: manifest_pos.c (where values start),
 * manifest_tree.c (walking, measuring and copying trees),
 * manifest_yaml_scalar.c (typing YAML scalars), manifest_yaml.c (YAML
 * streams), manifest_json.c (JSON text) and manifest_get.c (typed decoding).
 * What they share is in manifest_impl.h.
 */
#include "k8s/manifest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/manifest_impl.h"
#include "lib/sbuf.h"

const struct manifest_limits manifest_default_limits = {
	.max_bytes = 16u << 20,
	.max_nodes = 1000000,
	.max_depth = 64,
	.max_aliases = 1024,
	.max_errors = 100,
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
const char *set_intern(struct manifest_set *set, const char *name)
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
bool set_keep(struct manifest_set *set, json_t *tree)
{
	return json_array_append_new(set->keep, tree) == 0;
}

void set_verror(struct manifest_set *set, const char *file, struct mpos at, const char *prefix,
                const char *fmt, va_list ap)
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

void set_error(struct manifest_set *set, const char *file, struct mpos at, const char *fmt, ...)
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

/* ---- values in messages ---- */

/* "string \"x\"", "integer 5", "a mapping": what a value is, for messages. */
const char *describe(const json_t *v, char *buf, size_t cap)
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
const char *quote(const char *s, char *buf, size_t cap)
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
void root_add(struct manifest_set *set, const char *file, json_t *root, unsigned doc,
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

/* ---- loading ---- */

bool size_ok(struct manifest_set *set, const char *file, size_t len)
{
	if (len <= set->limits.max_bytes)
		return true;
	set_error(set, file, (struct mpos){ 0 }, "input is %zu bytes, more than the limit of %zu",
	          len, set->limits.max_bytes);
	return false;
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
