/*
 * podcidr: PodCIDRs for Nodes (see podcidr.h).  Blocks are found by
 * arithmetic on 128-bit addresses, never by listing a pool's blocks, so a
 * /8 cut into /24s or an IPv6 /48 into /64s costs only the Nodes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cp/lbipam.h"
#include "cp/podcidr.h"

/* An address block as [first, last]. */
struct block {
	uint8_t af;
	cp_u128 first, last;
};

struct podcidr {
	struct block *taken; /* every Node's PodCIDRs of the pool's family */
	size_t n_taken;
	json_t *errors;
};

static unsigned af_bits(uint8_t af)
{
	return 8 * bgp_af_table[af].addr_len;
}

static struct block block_of(const struct bgp_prefix *p)
{
	struct block b = { .af = p->af };
	cp_prefix_bounds(p, &b.first, &b.last);
	return b;
}

static json_t *prefix_json(uint8_t af, cp_u128 first, uint8_t len)
{
	struct bgp_prefix p = { .af = af, .len = len };
	char text[64];
	cp_u128_to_bytes(first, p.addr, bgp_af_table[af].addr_len);
	bgp_prefix_format(text, sizeof(text), &p);
	return json_string(text);
}

/* The first taken block overlapping [first, last], or NULL. */
static const struct block *overlap(const struct podcidr *pc, cp_u128 first, cp_u128 last)
{
	for (size_t i = 0; i < pc->n_taken; i++)
		if (pc->taken[i].first <= last && first <= pc->taken[i].last)
			return &pc->taken[i];
	return NULL;
}

/* The lowest free block of pool with mask_len; false when none is left.
 * Each step jumps past a taken block to the next aligned candidate. */
static bool lowest_free(const struct podcidr *pc, const struct block *pool, uint8_t mask_len,
                        struct block *out)
{
	/* The block at address zero ends at the block size less one. */
	struct bgp_prefix at_zero = { .af = pool->af, .len = mask_len };
	cp_u128 first, size_minus_1;
	cp_prefix_bounds(&at_zero, &first, &size_minus_1);
	first = pool->first;
	for (;;) {
		const struct block *hit = overlap(pc, first, first + size_minus_1);
		if (hit == NULL)
			break;
		if (hit->last >= pool->last - size_minus_1)
			return false;
		first = (hit->last | size_minus_1) + 1;
	}
	*out = (struct block){ pool->af, first, first + size_minus_1 };
	return true;
}

static bool take(struct podcidr *pc, const struct block *b)
{
	struct block *grown = realloc(pc->taken, (pc->n_taken + 1) * sizeof(*grown));
	if (grown == NULL)
		return false;
	pc->taken = grown;
	pc->taken[pc->n_taken++] = *b;
	return true;
}

static bool has_family(const struct k8s_object *o, uint8_t af)
{
	for (size_t i = 0; i < o->u.node.n_pod_cidrs; i++)
		if (o->u.node.pod_cidrs[i].af == af)
			return true;
	return false;
}

/* The Node's own PodCIDRs, all kept; those of family af are taken. */
static json_t *node_own(struct podcidr *pc, const struct k8s_object *o, uint8_t af)
{
	const struct k8s_node *n = &o->u.node;
	json_t *list = json_array();
	for (size_t i = 0; i < n->n_pod_cidrs; i++) {
		const struct bgp_prefix *p = &n->pod_cidrs[i];
		struct block b = block_of(p);
		json_array_append_new(list, prefix_json(p->af, b.first, p->len));
		if (p->af != af)
			continue;
		if (overlap(pc, b.first, b.last) != NULL)
			cp_errorf(pc->errors, "Node %s: podCIDR %s overlaps another Node's",
			          o->meta.name, json_string_value(json_array_get(list, i)));
		if (!take(pc, &b)) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* Append a new block to the Node's list; false when out of memory. */
static bool give_block(struct podcidr *pc, const struct k8s_object *o,
                       const struct bgp_prefix *pool, uint8_t mask_len, json_t *list)
{
	struct block pool_block = block_of(pool), b;
	char text[64];
	if (!lowest_free(pc, &pool_block, mask_len, &b)) {
		bgp_prefix_format(text, sizeof(text), pool);
		cp_errorf(pc->errors, "Node %s: no free /%u left in %s", o->meta.name, mask_len,
		          text);
		return true;
	}
	if (!take(pc, &b))
		return false;
	json_array_append_new(list, prefix_json(pool->af, b.first, mask_len));
	return true;
}

static bool block_fits(struct podcidr *pc, const struct bgp_prefix *pool, uint8_t mask_len)
{
	char text[64];
	if (mask_len >= pool->len && mask_len <= af_bits(pool->af))
		return true;
	bgp_prefix_format(text, sizeof(text), pool);
	cp_errorf(pc->errors, "a /%u block does not fit in the pool %s", mask_len, text);
	return false;
}

/* Every Node's own blocks are taken before any block is handed out, so a
 * younger Node's manifest is never overridden. */
static json_t *assign(struct podcidr *pc, const struct k8s_object **objs, size_t n,
                      const struct bgp_prefix *pool, uint8_t mask_len, bool can_give)
{
	json_t *nodes = json_object();
	json_t **own = calloc(n + 1, sizeof(*own));
	bool ok = own != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = (own[i] = node_own(pc, objs[i], pool->af)) != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		if (can_give && !has_family(objs[i], pool->af))
			ok = give_block(pc, objs[i], pool, mask_len, own[i]);
		json_object_set(nodes, objs[i]->meta.name, own[i]);
	}
	for (size_t i = 0; own != NULL && i < n; i++)
		json_decref(own[i]);
	free(own);
	if (!ok) {
		json_decref(nodes);
		return NULL;
	}
	return nodes;
}

json_t *cp_podcidr(const struct k8s_store *s, const struct bgp_prefix *pool, uint8_t mask_len)
{
	struct podcidr pc = { .errors = json_array() };
	size_t n;
	const struct k8s_object **objs = cp_by_age(s, K8S_NODE, &n);
	bool can_give = block_fits(&pc, pool, mask_len);
	json_t *nodes = objs != NULL ? assign(&pc, objs, n, pool, mask_len, can_give) : NULL;
	json_t *out = NULL;
	if (nodes != NULL)
		out = json_pack("{s:o, s:O}", "nodes", nodes, "errors", pc.errors);
	json_decref(pc.errors);
	free(pc.taken);
	free(objs);
	return out;
}
