/*
 * manifest_json: JSON text to manifest objects: one object, a `kind: List`,
 * or objects one after another, each placed at the line and column where it
 * starts (jansson keeps no position per value).
 */
#include <string.h>

#include "k8s/manifest_impl.h"

/* ---- JSON ---- */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t json_skip_space(const char *text, size_t len, size_t off, struct mpos *at)
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
