/*
 * htab: hash set of pointers or small values.  A slot is empty when its
 * tag is 0, so probing reads the tag array alone (16 slots per cache line)
 * and touches a slot only when the tags match.  The capacity grows by 1.5
 * and 4/3 in turn (64, 96, 128, 192...), not by doubling: a million
 * prefixes then take 1.5 million slots, not two; a tag's home slot is
 * tag * cap / 2^32.  Pointer tables are value tables whose values are
 * pointers: the functions of pointers only add the indirection.
 */
#include "lib/htab.h"

#include <stdlib.h>
#include <string.h>

/* The kept bits of a hash, never 0: 0 marks an empty slot.  Tags also
 * place elements, so growing and deleting need no element.  The hash is
 * multiplied by 2^64 / phi first (Fibonacci hashing) and the top half
 * kept: a home slot comes from a tag's high bits, which a caller's hash
 * may leave weak (FNV's do, and crowded 66,000 attribute sets into runs
 * hundreds of slots long). */
#define FIBONACCI 0x9e3779b97f4a7c15ull

static uint32_t tag_of(uint64_t hash)
{
	uint32_t tag = (uint32_t)((hash * FIBONACCI) >> 32);
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

static size_t width_of(const struct htab *t)
{
	return t->width != 0 ? t->width : sizeof(void *);
}

static unsigned char *slot(const struct htab *t, size_t i)
{
	return t->slots + i * width_of(t);
}

void htab_init_values(struct htab *t, size_t width)
{
	*t = (struct htab){ .width = width };
}

void htab_init(struct htab *t)
{
	htab_init_values(t, 0);
}

void htab_free(struct htab *t)
{
	free(t->slots);
	free(t->tags);
	htab_init_values(t, t->width);
}

/* The slot of the element matching key, or -1; match gets the slot. */
static ptrdiff_t find(const struct htab *t, uint64_t hash, const void *key,
                      bool (*match)(const struct htab *t, const void *slot, const void *key,
                                    bool (*eq)(const void *, const void *)),
                      bool (*eq)(const void *, const void *))
{
	if (t->cap == 0)
		return -1;
	uint32_t tag = tag_of(hash);
	for (size_t i = home_of(tag, t->cap); t->tags[i] != 0; i = next_slot(i, t->cap))
		if (t->tags[i] == tag && match(t, slot(t, i), key, eq))
			return (ptrdiff_t)i;
	return -1;
}

static bool pointer_matches(const struct htab *t, const void *s, const void *key,
                            bool (*eq)(const void *, const void *))
{
	(void)t;
	void *elem;
	memcpy(&elem, s, sizeof(elem));
	return eq(elem, key);
}

static bool value_matches(const struct htab *t, const void *s, const void *key,
                          bool (*eq)(const void *, const void *))
{
	(void)t;
	return eq(s, key);
}

static bool same_bytes(const struct htab *t, const void *s, const void *value,
                       bool (*eq)(const void *, const void *))
{
	(void)eq;
	return memcmp(s, value, width_of(t)) == 0;
}

void *htab_find(const struct htab *t, uint64_t hash, const void *key,
                bool (*eq)(const void *elem, const void *key))
{
	ptrdiff_t i = find(t, hash, key, pointer_matches, eq);
	void *elem = NULL;
	if (i >= 0)
		memcpy(&elem, slot(t, (size_t)i), sizeof(elem));
	return elem;
}

const void *htab_find_value(const struct htab *t, uint64_t hash, const void *key,
                            bool (*eq)(const void *value, const void *key))
{
	ptrdiff_t i = find(t, hash, key, value_matches, eq);
	return i >= 0 ? slot(t, (size_t)i) : NULL;
}

void htab_prefetch(const struct htab *t, uint64_t hash)
{
	if (t->cap == 0)
		return;
	size_t home = home_of(tag_of(hash), t->cap);
	__builtin_prefetch(&t->tags[home]);
	__builtin_prefetch(slot(t, home));
}

static void put(struct htab *t, uint32_t tag, const void *value)
{
	size_t i = home_of(tag, t->cap);
	while (t->tags[i] != 0)
		i = next_slot(i, t->cap);
	memcpy(slot(t, i), value, width_of(t));
	t->tags[i] = tag;
}

static int grow(struct htab *t)
{
	bool power_of_two = (t->cap & (t->cap - 1)) == 0;
	size_t cap = t->cap == 0 ? 64 : power_of_two ? t->cap / 2 * 3 : t->cap / 3 * 4;
	if (cap > (size_t)UINT32_MAX + 1)
		return -1; /* the tags would no longer spread over the slots */
	struct htab bigger = { .slots = malloc(cap * width_of(t)),
		               .tags = calloc(cap, sizeof(uint32_t)),
		               .width = t->width,
		               .cap = cap,
		               .count = t->count };
	if (bigger.slots == NULL || bigger.tags == NULL) {
		free(bigger.slots);
		free(bigger.tags);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->tags[i] != 0)
			put(&bigger, t->tags[i], slot(t, i));
	free(t->slots);
	free(t->tags);
	*t = bigger;
	return 0;
}

int htab_add_value(struct htab *t, uint64_t hash, const void *value)
{
	if ((t->count + 1) * 4 > t->cap * 3 && grow(t) < 0)
		return -1;
	put(t, tag_of(hash), value);
	t->count++;
	return 0;
}

int htab_add(struct htab *t, uint64_t hash, void *elem)
{
	return htab_add_value(t, hash, &elem);
}

void htab_remove_value(struct htab *t, uint64_t hash, const void *value)
{
	ptrdiff_t found = find(t, hash, value, same_bytes, NULL);
	if (found < 0)
		return;
	/* Pull later members of the probe run into the hole unless their home
	 * slot lies in (hole, j]. */
	size_t hole = (size_t)found;
	for (size_t j = next_slot(hole, t->cap); t->tags[j] != 0; j = next_slot(j, t->cap)) {
		size_t home = home_of(t->tags[j], t->cap);
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		memcpy(slot(t, hole), slot(t, j), width_of(t));
		t->tags[hole] = t->tags[j];
		hole = j;
	}
	t->tags[hole] = 0;
	t->count--;
}

void htab_remove(struct htab *t, uint64_t hash, void *elem)
{
	htab_remove_value(t, hash, &elem);
}

void *htab_next(const struct htab *t, size_t *pos)
{
	while (*pos < t->cap) {
		size_t i = (*pos)++;
		if (t->tags[i] != 0) {
			void *elem;
			memcpy(&elem, slot(t, i), sizeof(elem));
			return elem;
		}
	}
	return NULL;
}
