/*
 * manifest_get: typed decoding.  It owns the decoding context (entering and
 * leaving mappings, field paths), the typed getters, manifest_check_keys()
 * with its did-you-mean hints, and manifest_errorf(): every error that names
 * an object and a field path comes from here.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "k8s/manifest_impl.h"
#include "lib/suggest.h"
#include "lib/sbuf.h"

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
		if ((hint = suggest_closest(known, key)) != NULL)
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
