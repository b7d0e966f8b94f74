/*
 * fuzz_catalog: a manifests directory living through edits.  The input is
 * up to three texts separated by a NUL byte: a user's file as first
 * written, an overlay file (what the operator writes), and the user's file
 * edited.  Oracles: an edit with errors never loses an object the first
 * version had valid (catalog.h); a clean edit leaves exactly what it
 * yields; every object in the store is found by its own kind and name;
 * removing every file empties the store.
 */
#include <string.h>

#include "fuzz.h"
#include "k8s/catalog.h"

static size_t store_size(const struct k8s_store *s)
{
	size_t n = 0;
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		n += k8s_store_count(s, (enum k8s_kind)k);
	return n;
}

static void check_findable(const struct k8s_store *s)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		for (size_t i = 0; i < k8s_store_count(s, (enum k8s_kind)k); i++) {
			const struct k8s_object *o = k8s_store_at(s, (enum k8s_kind)k, i);
			FUZZ_CHECK(k8s_store_get(s, (enum k8s_kind)k, o->meta.ns, o->meta.name) !=
			           NULL);
		}
}

/* Names of the store's objects of one file's kinds, as "KIND/NS/NAME". */
static json_t *names_of(const struct k8s_store *s)
{
	json_t *names = json_object();
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		for (size_t i = 0; i < k8s_store_count(s, (enum k8s_kind)k); i++) {
			const struct k8s_object *o = k8s_store_at(s, (enum k8s_kind)k, i);
			char key[600];
			snprintf(key, sizeof(key), "%d/%s/%s", k, o->meta.ns ? o->meta.ns : "",
			         o->meta.name ? o->meta.name : "");
			json_object_set_new(names, key, json_true());
		}
	return names;
}

static const uint8_t *next_part(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *part = *data;
	const uint8_t *nul = memchr(*data, 0, *size);
	*len = nul != NULL ? (size_t)(nul - *data) : *size;
	*data += *len + (nul != NULL);
	*size -= *len + (nul != NULL);
	return part;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len1, len2, len3;
	const uint8_t *v1 = next_part(&data, &size, &len1);
	const uint8_t *overlay = next_part(&data, &size, &len2);
	const uint8_t *v2 = next_part(&data, &size, &len3);
	struct k8s_catalog *c = k8s_catalog_new(false);

	k8s_catalog_put(c, "a.yaml", false, (const char *)v1, len1, NULL);
	k8s_catalog_put(c, "state.json", true, (const char *)overlay, len2, NULL);
	k8s_catalog_build(c, NULL);
	check_findable(k8s_catalog_store(c));
	json_t *before = names_of(k8s_catalog_store(c));

	json_t *problems = json_array();
	size_t n = k8s_catalog_put(c, "a.yaml", false, (const char *)v2, len3, problems);
	k8s_catalog_build(c, NULL);
	check_findable(k8s_catalog_store(c));
	FUZZ_CHECK(n == json_array_size(problems));
	if (n > 0) {
		json_t *after = names_of(k8s_catalog_store(c));
		const char *key;
		json_t *v;
		json_object_foreach(before, key, v) FUZZ_CHECK(json_object_get(after, key) != NULL);
		json_decref(after);
	}
	json_decref(problems);
	json_decref(before);

	k8s_catalog_remove(c, "a.yaml");
	k8s_catalog_remove(c, "state.json");
	k8s_catalog_build(c, NULL);
	FUZZ_CHECK(store_size(k8s_catalog_store(c)) == 0);
	k8s_catalog_free(c);
	return 0;
}
