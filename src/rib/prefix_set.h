/*
 * prefix_set: a hash set of prefixes (with their ADD-PATH identifier),
 * open addressing with linear probing and backward-shift deletion, so it
 * needs no tombstones and stays compact under churn.  The Adj-RIB-In of a
 * peer starts as one of these.
 */
#ifndef KBGP_RIB_PREFIX_SET_H
#define KBGP_RIB_PREFIX_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/nlri.h"

struct prefix_set {
	struct bgp_prefix *slots;
	bool *used;
	size_t cap; /* a power of two, or 0 */
	size_t count;
};

void prefix_set_init(struct prefix_set *s);
void prefix_set_free(struct prefix_set *s);
/* 1 if added, 0 if it was there, -1 out of memory. */
int prefix_set_add(struct prefix_set *s, const struct bgp_prefix *p);
/* true if it was there. */
bool prefix_set_remove(struct prefix_set *s, const struct bgp_prefix *p);
bool prefix_set_has(const struct prefix_set *s, const struct bgp_prefix *p);
/* Entries of one family. */
size_t prefix_set_count_af(const struct prefix_set *s, enum bgp_af af);
void prefix_set_clear(struct prefix_set *s);

#endif
