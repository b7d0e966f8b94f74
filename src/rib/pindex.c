/*
 * pindex: the prefix index, blocks of handles found by address.
 */
#include "rib/pindex.h"

#include <stdlib.h>
#include <string.h>

struct pindex_block {
	uint32_t v6_bits; /* an IPv6 block's first 32 bits: its key in v6 */
	struct htab handles;
};

static bool is_v4(const struct bgp_prefix *p)
{
	return p->af == BGP_AF_IPV4_UNICAST;
}

/* The bits past a prefix's length are clear (nlri.c), so a prefix shorter
 * than a block has the block of its first address. */
static uint32_t v6_bits(const struct bgp_prefix *p)
{
	return (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 | (uint32_t)p->addr[2] << 8 |
	       p->addr[3];
}

/* The seeded prefix hash of the /32 itself: a peer choosing prefixes to
 * crowd the table of blocks would have to know the seed. */
static uint64_t v6_hash(const struct bgp_prefix *p)
{
	return bgp_prefix_hash_parts(p->af, 32, p->addr);
}

static bool v6_block_is(const void *elem, const void *key)
{
	const struct pindex_block *b = elem;
	return b->v6_bits == *(const uint32_t *)key;
}

/* p's IPv4 block (empty or not), or NULL if no block of its first octet
 * ever had prefixes.  Its address takes no load but the octet's array:
 * it can be prefetched ahead of the lookup. */
static struct pindex_block *v4_block(const struct pindex *x, const struct bgp_prefix *p)
{
	struct pindex_block *second = x->v4[p->addr[0]];
	return second != NULL ? &second[p->addr[1]] : NULL;
}

static struct pindex_block *block_of(const struct pindex *x, const struct bgp_prefix *p)
{
	if (is_v4(p))
		return v4_block(x, p);
	uint32_t bits = v6_bits(p);
	return htab_find(&x->v6, v6_hash(p), &bits, v6_block_is);
}

/* A new block starts as large as the blocks so far are on average: the
 * blocks of a full table are much alike, and a block made that large at
 * once is spared a dozen growths from 4 slots to hundreds. */
static int block_init(struct pindex *x, struct pindex_block *b)
{
	htab_init_values(&b->handles, sizeof(uint32_t));
	size_t usual = x->n_blocks > 0 ? x->count / x->n_blocks : 0;
	return htab_reserve(&b->handles, usual + 1);
}

/* p's block, to add to: made if need be; NULL out of memory. */
static struct pindex_block *block_make(struct pindex *x, const struct bgp_prefix *p)
{
	struct pindex_block *b = block_of(x, p);
	if (b != NULL && b->handles.count > 0)
		return b;
	if (is_v4(p)) {
		struct pindex_block **second = &x->v4[p->addr[0]];
		if (*second == NULL && (*second = calloc(256, sizeof(**second))) == NULL)
			return NULL;
		b = &(*second)[p->addr[1]];
		if (block_init(x, b) < 0)
			return NULL;
	} else {
		if ((b = malloc(sizeof(*b))) == NULL)
			return NULL;
		b->v6_bits = v6_bits(p);
		if (block_init(x, b) < 0 || htab_add(&x->v6, v6_hash(p), b) < 0) {
			htab_free(&b->handles);
			free(b);
			return NULL;
		}
	}
	x->n_blocks++;
	return b;
}

/* A block without prefixes goes (an IPv4 one stays in place, empty). */
static void block_drop(struct pindex *x, struct pindex_block *b, const struct bgp_prefix *p)
{
	htab_free(&b->handles);
	if (!is_v4(p)) {
		htab_remove(&x->v6, v6_hash(p), b);
		free(b);
	}
	x->n_blocks--;
}

void pindex_init(struct pindex *x)
{
	*x = (struct pindex){ 0 };
	htab_init(&x->v6);
}

void pindex_free(struct pindex *x)
{
	for (size_t first = 0; first < 256; first++) {
		for (size_t second = 0; x->v4[first] != NULL && second < 256; second++)
			htab_free(&x->v4[first][second].handles);
		free(x->v4[first]);
	}
	size_t pos = 0;
	struct pindex_block *b;
	while ((b = htab_next(&x->v6, &pos)) != NULL) {
		htab_free(&b->handles);
		free(b);
	}
	htab_free(&x->v6);
	pindex_init(x);
}

const void *pindex_find(const struct pindex *x, const struct bgp_prefix *p, uint64_t hash,
                        const void *key, bool (*eq)(const void *handle, const void *key))
{
	const struct pindex_block *b = block_of(x, p);
	return b != NULL ? htab_find_value(&b->handles, hash, key, eq) : NULL;
}

void pindex_prefetch_block(const struct pindex *x, const struct bgp_prefix *p)
{
	if (!is_v4(p))
		htab_prefetch(&x->v6, v6_hash(p));
	else if (x->v4[p->addr[0]] != NULL)
		__builtin_prefetch(v4_block(x, p));
}

void pindex_prefetch(const struct pindex *x, const struct bgp_prefix *p, uint64_t hash)
{
	const struct pindex_block *b = block_of(x, p);
	if (b != NULL)
		htab_prefetch(&b->handles, hash);
}

int pindex_add(struct pindex *x, const struct bgp_prefix *p, uint64_t hash, uint32_t handle)
{
	struct pindex_block *b = block_make(x, p);
	if (b == NULL)
		return -1;
	if (htab_add_value(&b->handles, hash, &handle) < 0) {
		if (b->handles.count == 0)
			block_drop(x, b, p);
		return -1;
	}
	x->count++;
	return 0;
}

void pindex_remove(struct pindex *x, const struct bgp_prefix *p, uint64_t hash, uint32_t handle)
{
	struct pindex_block *b = block_of(x, p);
	if (b == NULL || b->handles.count == 0)
		return;
	size_t had = b->handles.count;
	htab_remove_value(&b->handles, hash, &handle);
	x->count -= had - b->handles.count;
	if (b->handles.count == 0)
		block_drop(x, b, p);
}
