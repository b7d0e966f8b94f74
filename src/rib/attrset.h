/*
 * attrset: path-attribute sets, interned.  Routes that carry the same
 * attributes share one reference-counted copy, so a full table costs one
 * pointer per route for its attributes.  An interned set is immutable and
 * compact: its fixed-size fields, then the bytes of its variable ones
 * (AS_PATH, communities ...), from which attrset_attrs() makes the decoded
 * view that encoding, export and display want; best-path selection reads
 * the facts kept beside them.  A table of a million routes holds tens of
 * thousands of sets, received and exported, so their size counts.  Each set
 * also has a small id (never 0) for tables that keep one per route.
 */
#ifndef KBGP_RIB_ATTRSET_H
#define KBGP_RIB_ATTRSET_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "lib/htab.h"
#include "lib/idpool.h"
#include "rib/decide.h"

/* The fields most sets have, with no padding left uninitialised: with the
 * bytes after it, a set's identity.  Those bytes hold, in order, the
 * MP_REACH_NLRI next hop (mp_nh_len bytes), the rare 32-bit fields that
 * are not 0 (AGGREGATOR's AS and ID, ORIGINATOR_ID, OTC: one bit each in
 * rare), then the variable parts (AS_PATH, communities ...). */
struct attrset_fixed {
	/* The first 64 bits of struct bgp_attrs's map, without MP_UNREACH_NLRI:
	 * every attribute kbgp decodes has a code below 64, the others are
	 * opaque bytes. */
	uint32_t present[2];
	uint32_t next_hop, med, local_pref;
	uint8_t origin, mp_af, mp_nh_len;
	uint8_t rare;     /* bit i: rare field i is stored */
	uint32_t lens[6]; /* of the variable parts, in the order they are stored */
};

struct attrset {
	uint32_t refs;
	uint32_t id;
	uint32_t hash;                /* the bits the set's hash table keeps */
	bool no_export, no_advertise; /* RFC 1997 well-known communities */
	struct decide_attrs decide;   /* what best-path selection reads */
	struct attrset_fixed fixed;
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
/* The decoded view of s, pointing into s (valid while s is). */
void attrset_attrs(const struct attrset *s, struct bgp_attrs *a);
static inline bool attrset_has(const struct attrset *s, uint8_t code)
{
	return code < 64 && (s->fixed.present[code / 32] & (1u << (code % 32)));
}
/* The AS_PATH, empty when there is none. */
struct rbuf attrset_as_path(const struct attrset *s);
/* MP_REACH_NLRI's next hop: fixed.mp_nh_len bytes. */
static inline const uint8_t *attrset_mp_next_hop(const struct attrset *s)
{
	return s->bytes;
}

#endif
