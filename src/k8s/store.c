/*
 * store: the sorted index of current objects (see store.h).
 */
#include <stdlib.h>
#include <string.h>

#include "k8s/store.h"

void k8s_store_init(struct k8s_store *s)
{
	memset(s, 0, sizeof(*s));
	s->sorted = true;
}

void k8s_store_free(struct k8s_store *s)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		free(s->objs[k]);
	k8s_store_init(s);
}

void k8s_store_clear(struct k8s_store *s)
{
	memset(s->n, 0, sizeof(s->n));
	s->sorted = true;
}

static int text_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int meta_cmp(const struct k8s_object *a, const struct k8s_object *b)
{
	int c = text_cmp(a->meta.ns, b->meta.ns);
	return c != 0 ? c : text_cmp(a->meta.name, b->meta.name);
}

static int object_cmp(const void *a, const void *b)
{
	return meta_cmp(*(const struct k8s_object *const *)a, *(const struct k8s_object *const *)b);
}

/* Sorting is deferred to the first lookup after a batch of adds. */
static void sort_all(struct k8s_store *s)
{
	if (s->sorted)
		return;
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if (s->n[k] > 1)
			qsort(s->objs[k], s->n[k], sizeof(s->objs[k][0]), object_cmp);
	s->sorted = true;
}

const struct k8s_object *k8s_store_get(const struct k8s_store *s, enum k8s_kind k, const char *ns,
                                       const char *name)
{
	struct k8s_object key = { .kind = k, .meta = { .name = name, .ns = ns } };
	const struct k8s_object *kp = &key;
	sort_all((struct k8s_store *)s);
	const struct k8s_object **hit =
	        s->n[k] == 0 ? NULL : bsearch(&kp, s->objs[k], s->n[k], sizeof(kp), object_cmp);
	return hit != NULL ? *hit : NULL;
}

int k8s_store_add(struct k8s_store *s, const struct k8s_object *o)
{
	enum k8s_kind k = o->kind;
	if (s->n[k] == s->cap[k]) {
		size_t cap = s->cap[k] != 0 ? s->cap[k] * 2 : 16;
		const struct k8s_object **grown = realloc(s->objs[k], cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		s->objs[k] = grown;
		s->cap[k] = cap;
	}
	s->objs[k][s->n[k]++] = o;
	if (s->n[k] > 1 && meta_cmp(s->objs[k][s->n[k] - 2], o) >= 0)
		s->sorted = false;
	return 0;
}

size_t k8s_store_count(const struct k8s_store *s, enum k8s_kind k)
{
	return s->n[k];
}

const struct k8s_object *k8s_store_at(const struct k8s_store *s, enum k8s_kind k, size_t i)
{
	sort_all((struct k8s_store *)s);
	return i < s->n[k] ? s->objs[k][i] : NULL;
}
