/*
 * attrset: path-attribute sets, interned.  Routes that carry the same
 * attributes share one reference-counted copy, so a full table costs one
 * pointer per route for its attributes.  An interned set is immutable; its
 * views (AS_PATH, communities ...) point into its own bytes.
 */
#ifndef KBGP_RIB_ATTRSET_H
#define KBGP_RIB_ATTRSET_H

#include <stdint.h>

#include "bgp/attr.h"
#include "lib/htab.h"

struct attrset {
	uint32_t refs;
	uint32_t len; /* of bytes[] */
	uint64_t hash;
	struct bgp_attrs a;
	uint8_t bytes[];
};

struct attrset_table {
	struct htab sets;
	uint64_t seed; /* keyed hashing: peers cannot aim for collisions */
};

void attrset_table_init(struct attrset_table *t);
void attrset_table_free(struct attrset_table *t);
/* The interned copy of a, with one more reference; NULL out of memory.
 * MP_REACH_NLRI keeps its next hop but not its routes, and MP_UNREACH_NLRI
 * is dropped: routes are not attributes. */
struct attrset *attrset_intern(struct attrset_table *t, const struct bgp_attrs *a);
struct attrset *attrset_ref(struct attrset *s);
void attrset_unref(struct attrset_table *t, struct attrset *s);

#endif
