/*
 * attrset: path-attribute sets, interned.  Routes that carry the same
 * attributes share one reference-counted copy, so a full table costs one
 * pointer per route for its attributes.  An interned set is immutable; its
 * views (AS_PATH, communities ...) point into its own bytes.  Each set also
 * has a small id (never 0) for tables that keep one per route.
 */
#ifndef KBGP_RIB_ATTRSET_H
#define KBGP_RIB_ATTRSET_H

#include <stdint.h>

#include "bgp/attr.h"
#include "lib/htab.h"
#include "lib/idpool.h"
#include "rib/decide.h"

struct attrset {
	uint32_t refs;
	uint32_t len; /* of bytes[] */
	uint64_t hash;
	uint32_t id;
	struct decide_attrs decide; /* what best-path selection reads */
	struct bgp_attrs a;
	uint8_t bytes[];
};

struct attrset_table {
	struct htab sets;
	struct idpool ids;
	struct attrset **by_id;
	size_t cap_by_id;
	uint64_t seed; /* keyed hashing: peers cannot aim for collisions */
};

void attrset_table_init(struct attrset_table *t);
void attrset_table_free(struct attrset_table *t);
/* The interned copy of a, with one more reference; NULL out of memory.
 * MP_REACH_NLRI keeps its next hop but not its routes, and MP_UNREACH_NLRI
 * is dropped: routes are not attributes. */
struct attrset *attrset_intern(struct attrset_table *t, const struct bgp_attrs *a);
struct attrset *attrset_ref(struct attrset *s);
/* The live set with that id, or NULL (0 is never an id). */
struct attrset *attrset_by_id(const struct attrset_table *t, uint32_t id);
void attrset_unref(struct attrset_table *t, struct attrset *s);

#endif
