/*
 * k8s_fixture: a world of Kubernetes objects for unit tests, loaded from
 * YAML/JSON text or from a directory of manifests, decoded with
 * k8s_decode() and indexed in a k8s_store; and golden cases, directories
 * of manifests whose derived JSON is compared with a file beside them.
 * Include after cmocka.h.
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
/* Every *.yaml file of dir only, in name order: a golden case's manifests,
 * without the expected.json and other inputs beside them. */
size_t k8s_world_load_yaml_files(struct k8s_world *w, const char *dir);
/* All errors of the set, one per line, for assertions ("" when none). */
char *k8s_world_errors(const struct k8s_world *w);
/* Fails the test, naming what and listing the errors, if anything loaded
 * so far was refused or had errors. */
void k8s_world_assert_clean(const struct k8s_world *w, const char *what);
/* k8s_world_load() that fails the test unless every document decodes. */
void k8s_world_load_clean(struct k8s_world *w, const char *file, const char *text);

/* ---- golden cases ---- */

/* Runs one case: case_dir is DIR/NAME; ctx is k8s_golden_cases()'s. */
typedef void k8s_golden_run(const char *case_dir, void *ctx);

/* run() for every subdirectory of dir, in name order.  Fails the test when
 * there is none, or after all of them when any k8s_golden_check() of theirs
 * found a difference. */
void k8s_golden_cases(const char *dir, k8s_golden_run *run, void *ctx);
/* A case's manifests (k8s_world_load_yaml_files()), all of which must
 * decode. */
void k8s_golden_load(struct k8s_world *w, const char *case_dir);
/* Compares got, as json_dumps(JSON_SORT_KEYS | JSON_INDENT(2)) and a
 * newline, with case_dir/file, printing the first differing line; under
 * KBGP_GOLDEN_UPDATE=1 rewrites the file instead.  A difference fails the
 * test at once outside k8s_golden_cases(), at its end inside. */
void k8s_golden_check(const char *case_dir, const char *file, const json_t *got);
/* Fails the test, printing both canonically, unless got equals want. */
void k8s_assert_json_equal(const json_t *got, const json_t *want);

#endif
