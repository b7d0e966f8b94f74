/*
 * manifest_pos: the position table of a set, an open-addressing hash keyed
 * by json_t pointer (or, for the null, true and false jansson shares, by
 * parent and member slot), and the manifest_*_pos() lookups on it.  The
 * loaders fill it; decoders and error messages read it.
 */
#include <stdlib.h>

#include "k8s/manifest_impl.h"

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
	size_t cap = set->pos_cap != 0 ? set->pos_cap * 2 : 32; /* many files are one object */
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
void pos_put(struct manifest_set *set, const json_t *parent, const char *key, size_t index,
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

const struct manifest_posent *member_ent(const struct manifest_set *set, const json_t *parent,
                                         const char *key, size_t index)
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
struct manifest_posent member_pos_of(const struct manifest_set *set, const json_t *parent,
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
