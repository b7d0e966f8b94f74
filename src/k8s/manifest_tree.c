/*
 * manifest_tree: walking the members of a json_t mapping or list in order,
 * measuring a tree against the node and depth caps, and deep-copying a tree
 * with the positions of its values (for YAML aliases and merge keys).
 */
#include "k8s/manifest_impl.h"

/* ---- trees ---- */

/* The next child, with its key (NULL in a list), or NULL at the end. */
json_t *kids_next(struct kids *k, const char **key)
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
bool tree_measure(const json_t *v, unsigned max_depth, size_t max_nodes, size_t *nodes,
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
json_t *tree_copy(struct manifest_set *set, const json_t *src)
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
