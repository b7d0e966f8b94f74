/*
 * htab: hash set of pointers or small values.  A slot is a tag, 32 bits
 * of the hash, and the value beside it, so a lookup that finds its line
 * has both; a slot is empty when its tag is 0, and a value is compared
 * only when the tags match.  The capacity grows by 1.5
 * and 4/3 in turn (4, 6, 8, 12, 16...), not by doubling: a million
 * elements then take 1.5 million slots, not two; a tag's home slot is
 * tag * cap / 2^32.  Past 24,576 elements the table splits into 1024
 * parts, grown one after the other when one is full.  Pointer tables are
 * value tables whose values are pointers: the functions of pointers only
 * add the indirection.
 */
#include "lib/htab.h"

#include <stdlib.h>
#include <string.h>

/* The kept bits of a hash, never 0: 0 marks an empty slot.  Tags also
 * place elements, so growing and deleting need no element: a tag's low
 * bits choose its part, its high bits its home slot in the part.  The
 * hash is multiplied by 2^64 / phi first (Fibonacci hashing) and the top
 * half kept: a caller's hash may leave its high bits weak (FNV's do, and
 * crowded 66,000 attribute sets into runs hundreds of slots long). */
#define FIBONACCI 0x9e3779b97f4a7c15ull

/* A table splits into parts when its one part would grow past this: at
 * 24,576 elements, 24 per part; a part of a million-element table then
 * takes 12 kB, its next size 16 kB: both fit a level-1 cache. */
#define SPLIT_CAP (1u << 15)

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

/* A slot's bytes: the tag, then the value, padded to keep tags aligned. */
static size_t stride_of(const struct htab *t)
{
	return sizeof(uint32_t) + (width_of(t) + 3) / 4 * 4;
}

static uint32_t tag_at(const struct htab *t, const struct htab_part *p, size_t i)
{
	uint32_t tag;
	memcpy(&tag, p->slots + i * stride_of(t), sizeof(tag));
	return tag;
}

static void set_tag(const struct htab *t, struct htab_part *p, size_t i, uint32_t tag)
{
	memcpy(p->slots + i * stride_of(t), &tag, sizeof(tag));
}

static unsigned char *slot(const struct htab *t, const struct htab_part *p, size_t i)
{
	return p->slots + i * stride_of(t) + sizeof(uint32_t);
}

static struct htab_part *part_of(const struct htab *t, uint32_t tag)
{
	return t->parts != NULL ? &t->parts[tag % HTAB_PARTS] : (struct htab_part *)&t->one;
}

static void part_free(struct htab_part *p)
{
	free(p->slots);
	*p = (struct htab_part){ 0 };
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
	part_free(&t->one);
	if (t->parts != NULL)
		for (size_t i = 0; i < HTAB_PARTS; i++)
			part_free(&t->parts[i]);
	free(t->parts);
	htab_init_values(t, t->width);
}

struct found {
	struct htab_part *part;
	ptrdiff_t slot; /* -1: not there */
};

/* The slot of the element matching key; match gets the slot. */
static struct found find(const struct htab *t, uint64_t hash, const void *key,
                         bool (*match)(const struct htab *t, const void *slot, const void *key,
                                       bool (*eq)(const void *, const void *)),
                         bool (*eq)(const void *, const void *))
{
	uint32_t tag = tag_of(hash);
	struct htab_part *p = part_of(t, tag);
	if (p->cap == 0)
		return (struct found){ p, -1 };
	for (size_t i = home_of(tag, p->cap); tag_at(t, p, i) != 0; i = next_slot(i, p->cap))
		if (tag_at(t, p, i) == tag && match(t, slot(t, p, i), key, eq))
			return (struct found){ p, (ptrdiff_t)i };
	return (struct found){ p, -1 };
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
	struct found f = find(t, hash, key, pointer_matches, eq);
	void *elem = NULL;
	if (f.slot >= 0)
		memcpy(&elem, slot(t, f.part, (size_t)f.slot), sizeof(elem));
	return elem;
}

const void *htab_find_value(const struct htab *t, uint64_t hash, const void *key,
                            bool (*eq)(const void *value, const void *key))
{
	struct found f = find(t, hash, key, value_matches, eq);
	return f.slot >= 0 ? slot(t, f.part, (size_t)f.slot) : NULL;
}

void htab_prefetch(const struct htab *t, uint64_t hash)
{
	uint32_t tag = tag_of(hash);
	const struct htab_part *p = part_of(t, tag);
	if (p->cap == 0)
		return;
	size_t home = home_of(tag, p->cap);
	__builtin_prefetch(slot(t, p, home));
}

/* n bytes, as one or two stores for the sizes of values and slots. */
static void copy_bytes(unsigned char *to, const void *from, size_t n)
{
	switch (n) {
	case 4:
		memcpy(to, from, 4);
		break;
	case 8:
		memcpy(to, from, 8);
		break;
	case 12:
		memcpy(to, from, 12);
		break;
	default:
		memcpy(to, from, n);
	}
}

static void put(const struct htab *t, struct htab_part *p, uint32_t tag, const void *value)
{
	size_t i = home_of(tag, p->cap);
	while (tag_at(t, p, i) != 0)
		i = next_slot(i, p->cap);
	copy_bytes(slot(t, p, i), value, width_of(t));
	set_tag(t, p, i, tag);
}

/* Move every element of from into the parts of t, whole slots at a time;
 * from's array goes.  Sizes and addresses stay in locals: the compiler
 * would reload them from the tables after every byte store otherwise. */
static void rehash(struct htab *t, struct htab_part *from)
{
	const size_t stride = stride_of(t);
	for (size_t k = 0; k < from->cap; k++) {
		const unsigned char *s = from->slots + k * stride;
		uint32_t tag;
		memcpy(&tag, s, sizeof(tag));
		if (tag == 0)
			continue;
		struct htab_part *p = part_of(t, tag);
		unsigned char *slots = p->slots;
		size_t cap = p->cap, i = home_of(tag, cap);
		for (uint32_t have;; i = next_slot(i, cap)) {
			memcpy(&have, slots + i * stride, sizeof(have));
			if (have == 0)
				break;
		}
		copy_bytes(slots + i * stride, s, stride);
		p->count++;
	}
	part_free(from);
}

static size_t next_cap(size_t cap)
{
	bool power_of_two = (cap & (cap - 1)) == 0;
	return cap == 0 ? 4 : power_of_two ? cap / 2 * 3 : cap / 3 * 4;
}

/* Empty arrays of cap slots for p; -1 out of memory. */
static int part_alloc(const struct htab *t, struct htab_part *p, size_t cap)
{
	if (cap > UINT32_MAX)
		return -1; /* a slot's number must fit the 32 bits htab_next keeps */
	/* Not calloc: fresh pages it knows are zero it leaves unwritten, and
	 * the first probe would fault them in as the shared zero page, the
	 * first put fault again to copy it. */
	*p = (struct htab_part){ .slots = malloc(cap * stride_of(t)), .cap = cap };
	if (p->slots == NULL)
		return -1;
	memset(p->slots, 0, cap * stride_of(t));
	return 0;
}

static int part_grow(struct htab *t, struct htab_part *p)
{
	struct htab_part old = *p;
	if (part_alloc(t, p, next_cap(old.cap)) < 0) {
		*p = old;
		return -1;
	}
	rehash(t, &old);
	return 0;
}

/* The one part's elements into HTAB_PARTS parts of one size, that of the
 * largest share, made before any moves, so a failure leaves the table as
 * it was. */
static int split(struct htab *t)
{
	size_t share[HTAB_PARTS] = { 0 }, most = 0;
	for (size_t i = 0; i < t->one.cap; i++)
		if (tag_at(t, &t->one, i) != 0)
			share[tag_at(t, &t->one, i) % HTAB_PARTS]++;
	for (size_t n = 0; n < HTAB_PARTS; n++)
		most = share[n] > most ? share[n] : most;
	size_t cap = next_cap(0);
	while ((most + 1) * 4 > cap * 3)
		cap = next_cap(cap);
	struct htab_part *parts = calloc(HTAB_PARTS, sizeof(*parts));
	if (parts == NULL)
		return -1;
	for (size_t n = 0; n < HTAB_PARTS; n++)
		if (part_alloc(t, &parts[n], cap) < 0) {
			while (n-- > 0)
				part_free(&parts[n]);
			free(parts);
			return -1;
		}
	t->parts = parts;
	rehash(t, &t->one);
	return 0;
}

/* Every part of at most cap slots grows, one after the other: each new
 * array then mostly takes the room the arrays before it gave back, where
 * parts growing on their own, at different times, left holes in the heap
 * as large as the old table. */
static int grow_parts(struct htab *t, size_t cap)
{
	for (size_t n = 0; n < HTAB_PARTS; n++)
		if (t->parts[n].cap <= cap && part_grow(t, &t->parts[n]) < 0)
			return -1;
	return 0;
}

static bool full(const struct htab_part *p)
{
	return (p->count + 1) * 4 > p->cap * 3;
}

int htab_add_value(struct htab *t, uint64_t hash, const void *value)
{
	uint32_t tag = tag_of(hash);
	struct htab_part *p = part_of(t, tag);
	if (full(p)) {
		if (t->parts == NULL && p->cap >= SPLIT_CAP) {
			if (split(t) < 0)
				return -1;
			p = part_of(t, tag);
		}
		if (full(p) && (t->parts != NULL ? grow_parts(t, p->cap) : part_grow(t, p)) < 0)
			return -1;
	}
	put(t, p, tag, value);
	p->count++;
	t->count++;
	return 0;
}

int htab_reserve(struct htab *t, size_t n)
{
	size_t cap = 0;
	while (cap < SPLIT_CAP && n * 4 > cap * 3)
		cap = next_cap(cap);
	if (t->count > 0 || t->parts != NULL || cap <= t->one.cap)
		return 0;
	struct htab_part grown;
	if (part_alloc(t, &grown, cap) < 0)
		return -1;
	part_free(&t->one);
	t->one = grown;
	return 0;
}

int htab_add(struct htab *t, uint64_t hash, void *elem)
{
	return htab_add_value(t, hash, &elem);
}

void htab_remove_value(struct htab *t, uint64_t hash, const void *value)
{
	struct found f = find(t, hash, value, same_bytes, NULL);
	if (f.slot < 0)
		return;
	/* Pull later members of the probe run into the hole unless their home
	 * slot lies in (hole, j]. */
	struct htab_part *p = f.part;
	size_t hole = (size_t)f.slot;
	for (size_t j = next_slot(hole, p->cap); tag_at(t, p, j) != 0; j = next_slot(j, p->cap)) {
		size_t home = home_of(tag_at(t, p, j), p->cap);
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		copy_bytes(slot(t, p, hole), slot(t, p, j), width_of(t));
		set_tag(t, p, hole, tag_at(t, p, j));
		hole = j;
	}
	set_tag(t, p, hole, 0);
	p->count--;
	t->count--;
}

void htab_remove(struct htab *t, uint64_t hash, void *elem)
{
	htab_remove_value(t, hash, &elem);
}

/* *pos is a part's index times 2^32 plus a slot in it. */
void *htab_next(const struct htab *t, size_t *pos)
{
	size_t nparts = t->parts != NULL ? HTAB_PARTS : 1;
	for (size_t n = *pos >> 32; n < nparts; n++, *pos = n << 32) {
		const struct htab_part *p = t->parts != NULL ? &t->parts[n] : &t->one;
		while ((*pos & UINT32_MAX) < p->cap) {
			size_t i = (*pos)++ & UINT32_MAX;
			if (tag_at(t, p, i) != 0) {
				void *elem;
				memcpy(&elem, slot(t, p, i), sizeof(elem));
				return elem;
			}
		}
	}
	return NULL;
}
