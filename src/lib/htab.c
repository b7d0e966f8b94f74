/*
 * htab: pointer hash set.
 */
#include "lib/htab.h"

#include <stdlib.h>

void htab_init(struct htab *t, uint64_t (*hash)(const void *elem))
{
	*t = (struct htab){ .hash = hash };
}

void htab_free(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}

void *htab_find(const struct htab *t, uint64_t hash, const void *key,
                bool (*eq)(const void *elem, const void *key))
{
	if (t->cap == 0)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = hash & mask; t->slots[i] != NULL; i = (i + 1) & mask)
		if (eq(t->slots[i], key))
			return t->slots[i];
	return NULL;
}

static void put(void **slots, size_t mask, uint64_t hash, void *elem)
{
	size_t i = hash & mask;
	while (slots[i] != NULL)
		i = (i + 1) & mask;
	slots[i] = elem;
}

static int grow(struct htab *t)
{
	size_t cap = t->cap == 0 ? 64 : t->cap * 2;
	void **slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i] != NULL)
			put(slots, cap - 1, t->hash(t->slots[i]), t->slots[i]);
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

int htab_add(struct htab *t, void *elem)
{
	if ((t->count + 1) * 4 > t->cap * 3 && grow(t) < 0)
		return -1;
	put(t->slots, t->cap - 1, t->hash(elem), elem);
	t->count++;
	return 0;
}

void htab_remove(struct htab *t, void *elem)
{
	if (t->cap == 0)
		return;
	size_t mask = t->cap - 1, hole = t->hash(elem) & mask;
	while (t->slots[hole] != elem) {
		if (t->slots[hole] == NULL)
			return;
		hole = (hole + 1) & mask;
	}
	/* Pull later members of the probe run into the hole unless their home
	 * slot lies in (hole, j]. */
	for (size_t j = (hole + 1) & mask; t->slots[j] != NULL; j = (j + 1) & mask) {
		size_t home = t->hash(t->slots[j]) & mask;
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		t->slots[hole] = t->slots[j];
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
