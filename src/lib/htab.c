/*
 * htab: pointer hash set.
 */
#include "lib/htab.h"

#include <stdlib.h>

void htab_init(struct htab *t)
{
	*t = (struct htab){ 0 };
}

void htab_free(struct htab *t)
{
	free(t->slots);
	free(t->hashes);
	htab_init(t);
}

void *htab_find(const struct htab *t, uint64_t hash, const void *key,
                bool (*eq)(const void *elem, const void *key))
{
	if (t->cap == 0)
		return NULL;
	size_t mask = t->cap - 1;
	uint32_t h = (uint32_t)hash;
	for (size_t i = h & mask; t->slots[i] != NULL; i = (i + 1) & mask)
		if (t->hashes[i] == h && eq(t->slots[i], key))
			return t->slots[i];
	return NULL;
}

static void put(void **slots, uint32_t *hashes, size_t mask, uint32_t h, void *elem)
{
	size_t i = h & mask;
	while (slots[i] != NULL)
		i = (i + 1) & mask;
	slots[i] = elem;
	hashes[i] = h;
}

static int grow(struct htab *t)
{
	size_t cap = t->cap == 0 ? 64 : t->cap * 2;
	if (cap > (size_t)UINT32_MAX + 1)
		return -1; /* the kept hash bits would no longer place elements */
	void **slots = calloc(cap, sizeof(*slots));
	uint32_t *hashes = malloc(cap * sizeof(*hashes));
	if (slots == NULL || hashes == NULL) {
		free(slots);
		free(hashes);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i] != NULL)
			put(slots, hashes, cap - 1, t->hashes[i], t->slots[i]);
	free(t->slots);
	free(t->hashes);
	t->slots = slots;
	t->hashes = hashes;
	t->cap = cap;
	return 0;
}

int htab_add(struct htab *t, uint64_t hash, void *elem)
{
	if ((t->count + 1) * 4 > t->cap * 3 && grow(t) < 0)
		return -1;
	put(t->slots, t->hashes, t->cap - 1, (uint32_t)hash, elem);
	t->count++;
	return 0;
}

void htab_remove(struct htab *t, uint64_t hash, void *elem)
{
	if (t->cap == 0)
		return;
	size_t mask = t->cap - 1, hole = (uint32_t)hash & mask;
	while (t->slots[hole] != elem) {
		if (t->slots[hole] == NULL)
			return;
		hole = (hole + 1) & mask;
	}
	/* Pull later members of the probe run into the hole unless their home
	 * slot lies in (hole, j]. */
	for (size_t j = (hole + 1) & mask; t->slots[j] != NULL; j = (j + 1) & mask) {
		size_t home = t->hashes[j] & mask;
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		t->slots[hole] = t->slots[j];
		t->hashes[hole] = t->hashes[j];
		hole = j;
	}
	t->slots[hole] = NULL;
	t->count--;
}

void *htab_next(const struct htab *t, size_t *pos)
{
	while (*pos < t->cap) {
		void *elem = t->slots[(*pos)++];
		if (elem != NULL)
			return elem;
	}
	return NULL;
}
