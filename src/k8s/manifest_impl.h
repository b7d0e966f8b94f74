/*
 * manifest_impl: what the pieces of the manifest module share: positions
 * and the position table's entry, the set's error sink and object intake,
 * tree walking, and YAML scalar typing.  Internal to src/k8s/manifest*.c;
 * nothing else includes it.  Each function is described where it is
 * defined.
 */
#ifndef KBGP_K8S_MANIFEST_IMPL_H
#define KBGP_K8S_MANIFEST_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "k8s/manifest.h"

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

/* manifest.c: the set, its errors and its objects. */
const char *set_intern(struct manifest_set *set, const char *name);
bool set_keep(struct manifest_set *set, json_t *tree);
void set_verror(struct manifest_set *set, const char *file, struct mpos at, const char *prefix,
                const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
void set_error(struct manifest_set *set, const char *file, struct mpos at, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
const char *describe(const json_t *v, char *buf, size_t cap);
const char *quote(const char *s, char *buf, size_t cap);
void root_add(struct manifest_set *set, const char *file, json_t *root, unsigned doc,
              struct mpos at);
bool size_ok(struct manifest_set *set, const char *file, size_t len);

/* manifest_pos.c: the position table. */
void pos_put(struct manifest_set *set, const json_t *parent, const char *key, size_t index,
             const json_t *v, struct mpos at, struct mpos key_at);
const struct manifest_posent *member_ent(const struct manifest_set *set, const json_t *parent,
                                         const char *key, size_t index);
struct manifest_posent member_pos_of(const struct manifest_set *set, const json_t *parent,
                                     const char *key, size_t index);

/* manifest_tree.c: walking, measuring and copying trees. */

/* The members of a mapping or the items of a list, in order. */
struct kids {
	json_t *parent;
	void *it;
	size_t i; /* after kids_next(): the item's index + 1 */
};

json_t *kids_next(struct kids *k, const char **key);
bool tree_measure(const json_t *v, unsigned max_depth, size_t max_nodes, size_t *nodes,
                  unsigned *height);
json_t *tree_copy(struct manifest_set *set, const json_t *src);

/* manifest_yaml_scalar.c: YAML scalars to JSON values. */
enum scalar_kind { SC_NULL, SC_BOOL, SC_INT, SC_FLOAT, SC_STRING };

struct scalar_err {
	char msg[160];
};

bool word_in(const char *s, const char *const *words);
json_t *scalar_resolve(const char *s, int want, struct scalar_err *err);

/* manifest_json.c */
size_t json_skip_space(const char *text, size_t len, size_t off, struct mpos *at);

#endif
