/*
 * k8s_fixture: manifests to decoded, indexed objects for unit tests (see
 * k8s_fixture.h).  Loading rebuilds the store, since decoding more objects
 * may move the array it points into.
 */
#include "k8s_fixture.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void k8s_world_init(struct k8s_world *w)
{
	memset(w, 0, sizeof(*w));
	manifest_set_init(&w->set, NULL);
	k8s_store_init(&w->store);
}

void k8s_world_free(struct k8s_world *w)
{
	for (size_t i = 0; i < w->n_objs; i++)
		k8s_object_free(&w->objs[i]);
	free(w->objs);
	k8s_store_free(&w->store);
	manifest_set_free(&w->set);
	memset(w, 0, sizeof(*w));
}

static void rebuild_store(struct k8s_world *w)
{
	k8s_store_clear(&w->store);
	for (size_t i = 0; i < w->n_objs; i++)
		assert_int_equal(k8s_store_add(&w->store, &w->objs[i]), 0);
}

static struct k8s_object *next_slot(struct k8s_world *w)
{
	if (w->n_objs == w->cap_objs) {
		w->cap_objs = w->cap_objs > 0 ? 2 * w->cap_objs : 16;
		w->objs = realloc(w->objs, w->cap_objs * sizeof(*w->objs));
		assert_non_null(w->objs);
	}
	return &w->objs[w->n_objs];
}

size_t k8s_world_load(struct k8s_world *w, const char *file, const char *text)
{
	size_t first = w->set.n_objs, refused = 0;

	manifest_load(&w->set, file, text, strlen(text));
	for (size_t i = first; i < w->set.n_objs; i++) {
		int r = k8s_decode(&w->set, &w->set.objs[i], next_slot(w));
		if (r == 1)
			w->n_objs++;
		else if (r < 0)
			refused++;
	}
	w->refused += refused;
	rebuild_store(w);
	return refused;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *text;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int manifest_file(const struct dirent *e)
{
	const char *dot = strrchr(e->d_name, '.');

	return dot != NULL &&
	       (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0 || strcmp(dot, ".json") == 0);
}

size_t k8s_world_load_dir(struct k8s_world *w, const char *dir)
{
	struct dirent **names;
	size_t refused = 0;
	int n = scandir(dir, &names, manifest_file, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		char *text = read_text(path);
		refused += k8s_world_load(w, path, text);
		free(text);
		free(names[i]);
	}
	free(names);
	return refused;
}

char *k8s_world_errors(const struct k8s_world *w)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < w->set.n_errors; i++)
		len += strlen(w->set.errors[i].text) + 1;
	out = malloc(len);
	assert_non_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < w->set.n_errors; i++) {
		strcat(out, w->set.errors[i].text);
		strcat(out, "\n");
	}
	return out;
}
