/*
 * store: every object kbgp currently believes in, by kind, sorted by
 * namespace then name, so the control plane derives from one consistent
 * view whatever the source (a manifests directory, the API server).
 *
 * A store is an index: it points at objects its sources own, and is
 * rebuilt (cheaply) whenever a source changes.  Two objects of one kind
 * with the same namespace and name are a conflict the source resolves
 * before it builds the store.
 */
#ifndef KBGP_K8S_STORE_H
#define KBGP_K8S_STORE_H

#include <stddef.h>

#include "k8s/objects.h"

struct k8s_store {
	const struct k8s_object **objs[K8S_KIND_COUNT];
	size_t n[K8S_KIND_COUNT], cap[K8S_KIND_COUNT];
	bool sorted;
};

void k8s_store_init(struct k8s_store *s);
void k8s_store_free(struct k8s_store *s); /* the index, not the objects */
void k8s_store_clear(struct k8s_store *s);
/* -1 when out of memory. */
int k8s_store_add(struct k8s_store *s, const struct k8s_object *o);
/* ns NULL for cluster-scoped kinds. */
const struct k8s_object *k8s_store_get(const struct k8s_store *s, enum k8s_kind k, const char *ns,
                                       const char *name);
size_t k8s_store_count(const struct k8s_store *s, enum k8s_kind k);
/* In namespace, then name order. */
const struct k8s_object *k8s_store_at(const struct k8s_store *s, enum k8s_kind k, size_t i);

#endif
