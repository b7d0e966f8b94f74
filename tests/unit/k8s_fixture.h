/*
 * k8s_fixture: a world of Kubernetes objects for unit tests, loaded from
 * YAML/JSON text or from a directory of manifests, decoded with
 * k8s_decode() and indexed in a k8s_store.
 */
#ifndef KBGP_TEST_K8S_FIXTURE_H
#define KBGP_TEST_K8S_FIXTURE_H

#include <stddef.h>

#include "k8s/manifest.h"
#include "k8s/objects.h"
#include "k8s/store.h"

struct k8s_world {
	struct manifest_set set;
	struct k8s_object *objs;
	size_t n_objs, cap_objs;
	size_t refused; /* objects k8s_decode() refused */
	struct k8s_store store;
};

void k8s_world_init(struct k8s_world *w);
void k8s_world_free(struct k8s_world *w);
/* Every document of text; objects that decode join the store.  Returns the
 * number refused by this call (their errors are in w->set.errors). */
size_t k8s_world_load(struct k8s_world *w, const char *file, const char *text);
/* Every *.yaml, *.yml and *.json file of dir, in name order. */
size_t k8s_world_load_dir(struct k8s_world *w, const char *dir);
/* All errors of the set, one per line, for assertions ("" when none). */
char *k8s_world_errors(const struct k8s_world *w);

#endif
