/*
 * htab: pointer hash set.  A slot is empty when its tag is 0, so probing
 * reads the tag array alone (16 slots per cache line) and touches a slot's
 * pointer only when the tags match.  The capacity grows by 1.5 and 4/3 in
 * turn (64, 96, 128, 192...), not by doubling: a million prefixes then take
 * 1.5 million slots, not two; a tag's home slot is tag * cap / 2^32.
 */
#include "lib/htab.h"

#include <stdlib.h>

/* The kept bits of a hash, never 0: 0 marks an empty slot.  Tags also
 * place elements, so growing and deleting need no element. */
static uint32_t tag_of(uint64_t hash)
{
	uint32_t tag = (uint32_t)hash;
	return tag != 0 ? tag : 1;
}

static size_t home_of(uint32_t tag, size_t cap)
{
	return (size_t)(((uint64_t)tag * cap) >> 32);
}

static size_t next_slot(size_t i, size_t cap)
{
	return i + 1 < cap ? i + 1 : 0;
}

void htab_init(struct htab *t)
{
	*t = (struct htab){ 0 };
}

void htab_free(struct htab *t)
{
	free(t->slots);
	free(t->tags);
	htab_init(t);
}

void *htab_find(const struct htab *t, uint64_t hash, const void *key,
                bool (*eq)(const void *elem, const void *key))
{
	if (t->cap == 0)
		return NULL;
	uint32_t tag = tag_of(hash);
	for (size_t i = home_of(tag, t->cap); t->tags[i] != 0; i = next_slot(i, t->cap))
		if (t->tags[i] == tag && eq(t->slots[i], key))
			return t->slots[i];
	return NULL;
}

void htab_prefetch(const struct htab *t, uint64_t hash)
{
	if (t->cap == 0)
		return;
	size_t home = home_of(tag_of(hash), t->cap);
	__builtin_prefetch(&t->tags[home]);
	__builtin_prefetch(&t->slots[home]);
}

static void put(void **slots, uint32_t *tags, size_t cap, uint32_t tag, void *elem)
{
	size_t i = home_of(tag, cap);
	while (tags[i] != 0)
		i = next_slot(i, cap);
	slots[i] = elem;
	tags[i] = tag;
}

static int grow(struct htab *t)
{
	bool power_of_two = (t->cap & (t->cap - 1)) == 0;
	size_t cap = t->cap == 0 ? 64 : power_of_two ? t->cap / 2 * 3 : t->cap / 3 * 4;
	if (cap > (size_t)UINT32_MAX + 1)
		return -1; /* the tags would no longer spread over the slots */
	void **slots = malloc(cap * sizeof(*slots));
	uint32_t *tags = calloc(cap, sizeof(*tags));
	if (slots == NULL || tags == NULL) {
		free(slots);
		free(tags);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->tags[i] != 0)
			put(slots, tags, cap, t->tags[i], t->slots[i]);
	free(t->slots);
	free(t->tags);
	t->slots = slots;
	t->tags = tags;
	t->cap = cap;
	return 0;
}

int htab_add(struct htab *t, uint64_t hash, void *elem)
{
	if ((t->count + 1) * 4 > t->cap * 3 && grow(t) < 0)
		return -1;
	put(t->slots, t->tags, t->cap, tag_of(hash), elem);
	t->count++;
	return 0;
}

void htab_remove(struct htab *t, uint64_t hash, void *elem)
{
	if (t->cap == 0)
		return;
	size_t hole = home_of(tag_of(hash), t->cap);
	for (; t->tags[hole] == 0 || t->slots[hole] != elem; hole = next_slot(hole, t->cap))
		if (t->tags[hole] == 0)
			return;
	/* Pull later members of the probe run into the hole unless their home
	 * slot lies in (hole, j]. */
	for (size_t j = next_slot(hole, t->cap); t->tags[j] != 0; j = next_slot(j, t->cap)) {
		size_t home = home_of(t->tags[j], t->cap);
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		t->slots[hole] = t->slots[j];
		t->tags[hole] = t->tags[j];
		hole = j;
	}
	t->tags[hole] = 0;
	t->count--;
}

void *htab_next(const struct htab *t, size_t *pos)
{
	while (*pos < t->cap) {
		size_t i = (*pos)++;
		if (t->tags[i] != 0)
			return t->slots[i];
	}
	return NULL;
}
