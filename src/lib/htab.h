/*
 * htab: an open-addressing hash set, with linear probing and backward-shift
 * deletion (no tombstones, so it stays compact under churn).  The caller
 * computes each element's hash and says when two are equal; the table
 * keeps 32 bits of every hash beside the value, so probing, growing and
 * deleting never touch an element that does not match.
 *
 * A table holds pointers (htab_init: the elements themselves never move),
 * or small values of a fixed width (htab_init_values), for a caller whose
 * elements have ids shorter than a pointer: a million 4-byte ids save
 * 4 MB of slots.
 */
#ifndef KBGP_LIB_HTAB_H
#define KBGP_LIB_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One open-addressing table.  A large htab is HTAB_PARTS of them, chosen
 * by the low bits of the tags, all of one size: growing rehashes part
 * after part, each of which fits in cache, not a million slots at once,
 * and never holds two copies of the whole table. */
struct htab_part {
	unsigned char *slots; /* cap of them: a tag (0: empty), then a value */
	size_t cap;           /* 2^k or 1.5 * 2^k, or 0 */
	size_t count;
};

#define HTAB_PARTS 1024

struct htab {
	struct htab_part one;    /* the whole table while it is small */
	struct htab_part *parts; /* HTAB_PARTS of them once it is large */
	size_t width;            /* of a value; 0: a pointer (a zeroed table is one) */
	size_t count;
};

void htab_init(struct htab *t);
void htab_free(struct htab *t);
/* The element equal to key (eq(elem, key) true) with that hash, or NULL. */
void *htab_find(const struct htab *t, uint64_t hash, const void *key,
                bool (*eq)(const void *elem, const void *key));
/* Start fetching the memory a lookup of this hash reads first: lookups of
 * many keys, prefetched together, overlap their cache misses. */
void htab_prefetch(const struct htab *t, uint64_t hash);
/* Add an element known not to be there; -1 out of memory. */
int htab_add(struct htab *t, uint64_t hash, void *elem);
/* Room for n elements (at most what fits before the table splits) in a
 * table still empty: a caller that knows how large a table will be saves
 * growing it step by step.  -1 out of memory. */
int htab_reserve(struct htab *t, size_t n);
/* Remove this very element (pointer identity), added with this hash. */
void htab_remove(struct htab *t, uint64_t hash, void *elem);
/* Iterate: start with *pos = 0; NULL at the end.  No changes meanwhile. */
void *htab_next(const struct htab *t, size_t *pos);

/* The same for values `width` bytes wide: eq gets a pointer to a stored
 * value; a value found is the table's (valid until the table changes);
 * remove takes the value whose bytes are equal. */
void htab_init_values(struct htab *t, size_t width);
const void *htab_find_value(const struct htab *t, uint64_t hash, const void *key,
                            bool (*eq)(const void *value, const void *key));
int htab_add_value(struct htab *t, uint64_t hash, const void *value);
void htab_remove_value(struct htab *t, uint64_t hash, const void *value);

#endif
