/*
 * prefix_set: open-addressing hash set of prefixes.
 */
#include "rib/prefix_set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the bytes that make a prefix what it is. */
static size_t prefix_hash(const struct bgp_prefix *p)
{
	uint64_t h = 1469598103934665603ull;
	size_t bytes = (p->len + 7u) / 8u;
	uint8_t head[6] = { p->af,
		            p->len,
		            (uint8_t)(p->path_id >> 24),
		            (uint8_t)(p->path_id >> 16),
		            (uint8_t)(p->path_id >> 8),
		            (uint8_t)p->path_id };

	for (size_t i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 1099511628211ull;
	for (size_t i = 0; i < bytes; i++)
		h = (h ^ p->addr[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32));
}

void prefix_set_init(struct prefix_set *s)
{
	memset(s, 0, sizeof(*s));
}

void prefix_set_free(struct prefix_set *s)
{
	free(s->slots);
	free(s->used);
	prefix_set_init(s);
}

void prefix_set_clear(struct prefix_set *s)
{
	if (s->used != NULL)
		memset(s->used, 0, s->cap * sizeof(*s->used));
	s->count = 0;
}

static size_t find_slot(const struct prefix_set *s, const struct bgp_prefix *p, bool *found)
{
	size_t mask = s->cap - 1;
	size_t i = prefix_hash(p) & mask;
	while (s->used[i]) {
		if (bgp_prefix_cmp(&s->slots[i], p) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
	*found = false;
	return i;
}

static int grow(struct prefix_set *s)
{
	struct prefix_set bigger = { .cap = s->cap == 0 ? 64 : s->cap * 2 };
	bigger.slots = malloc(bigger.cap * sizeof(*bigger.slots));
	bigger.used = calloc(bigger.cap, sizeof(*bigger.used));
	if (bigger.slots == NULL || bigger.used == NULL) {
		prefix_set_free(&bigger);
		return -1;
	}
	for (size_t i = 0; i < s->cap; i++)
		if (s->used[i])
			prefix_set_add(&bigger, &s->slots[i]);
	prefix_set_free(s);
	*s = bigger;
	return 0;
}

int prefix_set_add(struct prefix_set *s, const struct bgp_prefix *p)
{
	bool found;
	if ((s->count + 1) * 4 > s->cap * 3 && grow(s) < 0)
		return -1;
	size_t i = find_slot(s, p, &found);
	if (found)
		return 0;
	s->slots[i] = *p;
	s->used[i] = true;
	s->count++;
	return 1;
}

bool prefix_set_has(const struct prefix_set *s, const struct bgp_prefix *p)
{
	bool found = false;
	if (s->cap != 0)
		find_slot(s, p, &found);
	return found;
}

/* Backward-shift deletion: pull later entries of the probe run into the
 * hole so lookups never meet a gap inside a run. */
bool prefix_set_remove(struct prefix_set *s, const struct bgp_prefix *p)
{
	bool found = false;
	if (s->cap == 0)
		return false;
	size_t mask = s->cap - 1, hole = find_slot(s, p, &found);
	if (!found)
		return false;
	for (size_t j = (hole + 1) & mask; s->used[j]; j = (j + 1) & mask) {
		size_t home = prefix_hash(&s->slots[j]) & mask;
		/* Move j into the hole unless its home lies in (hole, j]. */
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (stays)
			continue;
		s->slots[hole] = s->slots[j];
		hole = j;
	}
	s->used[hole] = false;
	s->count--;
	return true;
}

size_t prefix_set_count_af(const struct prefix_set *s, enum bgp_af af)
{
	size_t n = 0;
	for (size_t i = 0; i < s->cap; i++)
		n += s->used[i] && s->slots[i].af == af;
	return n;
}
