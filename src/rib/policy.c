/*
 * policy: matching and applying statements.
 */
#include "rib/policy.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/aspath.h"

static bool prefix_covers(const struct policy_prefix *pp, const struct bgp_prefix *p)
{
	const struct bgp_prefix *base = &pp->prefix;
	if (p->af != base->af || p->len < base->len || p->len < pp->min_len || p->len > pp->max_len)
		return false;
	unsigned whole = base->len / 8, rest = base->len % 8;
	if (memcmp(p->addr, base->addr, whole) != 0)
		return false;
	return rest == 0 || ((p->addr[whole] ^ base->addr[whole]) & (0xff << (8 - rest))) == 0;
}

static bool has_item(const struct rbuf *list, size_t item, const uint8_t *want)
{
	struct rbuf r = *list, one;
	while (rbuf_sub(&r, item, &one) == 0)
		if (rbuf_equal(&one, want, item))
			return true;
	return false;
}

static void put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static bool any_community(const struct policy_match *m, const struct bgp_attrs *a)
{
	uint8_t want[12];
	if (m->n_communities == 0 && m->n_large_communities == 0)
		return true;
	for (size_t i = 0; i < m->n_communities; i++) {
		put_u32(want, m->communities[i]);
		if (bgp_attr_has(a, BGP_ATTR_COMMUNITIES) && has_item(&a->communities, 4, want))
			return true;
	}
	for (size_t i = 0; i < m->n_large_communities; i++) {
		for (int k = 0; k < 3; k++)
			put_u32(want + 4 * k, m->large_communities[i][k]);
		if (bgp_attr_has(a, BGP_ATTR_LARGE_COMMUNITY) &&
		    has_item(&a->large_communities, 12, want))
			return true;
	}
	return false;
}

static uint32_t first_as(const struct bgp_attrs *a)
{
	struct rbuf path = a->as_path;
	struct aspath_seg seg;
	uint32_t as = 0;
	if (aspath_next(&path, 4, &seg) == 1 && seg.type == BGP_AS_SEQUENCE)
		rbuf_u32(&seg.asns, &as);
	return as;
}

static bool matches(const struct policy_match *m, const union sockaddr_any *peer,
                    const struct bgp_prefix *p, bool local, const struct bgp_attrs *a)
{
	if (m->local_only && !local)
		return false;
	bool ok = m->n_neighbors == 0;
	for (size_t i = 0; i < m->n_neighbors && !ok; i++)
		ok = addr_in_range(peer, &m->neighbors[i]);
	if (!ok || (m->families != 0 && !(m->families & BGP_AF_BIT(p->af))))
		return false;
	ok = m->n_prefixes == 0;
	for (size_t i = 0; i < m->n_prefixes && !ok; i++)
		ok = prefix_covers(&m->prefixes[i], p);
	if (!ok || !any_community(m, a))
		return false;
	if (m->has_neighbor_as && first_as(a) != m->neighbor_as)
		return false;
	for (size_t i = 0; i < m->n_as_contains; i++)
		if (!aspath_contains(a->as_path, m->as_contains[i]))
			return false;
	return true;
}

/* Append items to a list attribute, building the new list in buf. */
static void add_items(struct rbuf *list, size_t item, const uint8_t *items, size_t n, uint8_t *buf,
                      size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_rbuf(&w, list);
	for (size_t i = 0; i < n; i++)
		if (!has_item(list, item, items + i * item))
			wbuf_bytes(&w, items + i * item, item);
	if (wbuf_ok(&w))
		*list = wbuf_view(&w);
}

static void apply_set(const struct policy_set *s, struct bgp_attrs *a,
                      struct policy_scratch *scratch)
{
	uint8_t items[12 * 64];

	if (s->has_local_pref) {
		a->local_pref = s->local_pref;
		bgp_attr_set(a, BGP_ATTR_LOCAL_PREF);
	}
	if (s->has_med) {
		a->med = s->med;
		bgp_attr_set(a, BGP_ATTR_MED);
	}
	size_t n = s->n_add_communities < 64 ? s->n_add_communities : 64;
	for (size_t i = 0; i < n; i++)
		put_u32(items + 4 * i, s->add_communities[i]);
	if (n > 0) {
		add_items(&a->communities, 4, items, n, scratch->communities,
		          sizeof(scratch->communities));
		bgp_attr_set(a, BGP_ATTR_COMMUNITIES);
	}
	n = s->n_add_large_communities < 64 ? s->n_add_large_communities : 64;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			put_u32(items + 12 * i + 4 * k, s->add_large_communities[i][k]);
	if (n > 0) {
		add_items(&a->large_communities, 12, items, n, scratch->large_communities,
		          sizeof(scratch->large_communities));
		bgp_attr_set(a, BGP_ATTR_LARGE_COMMUNITY);
	}
	for (uint8_t i = 0; i < s->prepend_count && s->prepend_as != 0; i++) {
		struct wbuf w;
		uint8_t tmp[BGP_EXT_MAX_LEN];
		wbuf_init(&w, tmp, sizeof(tmp));
		aspath_prepend(&w, a->as_path, s->prepend_as);
		if (!wbuf_ok(&w) || w.len > sizeof(scratch->as_path))
			break;
		memcpy(scratch->as_path, tmp, w.len);
		a->as_path = rbuf_make(scratch->as_path, w.len);
		bgp_attr_set(a, BGP_ATTR_AS_PATH);
	}
	if (s->has_next_hop && s->next_hop.sa.sa_family == AF_INET) {
		a->next_hop = addr_ipv4(&s->next_hop);
		bgp_attr_set(a, BGP_ATTR_NEXT_HOP);
	} else if (s->has_next_hop) {
		memcpy(a->mp_reach.nh, &s->next_hop.in6.sin6_addr, 16);
		a->mp_reach.nh_len = 16;
	}
}

enum policy_verdict policy_apply_route(const struct policy *const *chain, size_t n,
                                       const union sockaddr_any *peer, const struct bgp_prefix *p,
                                       bool local, struct bgp_attrs *a,
                                       struct policy_scratch *scratch)
{
	for (size_t i = 0; i < n; i++) {
		const struct policy *pol = chain[i];
		for (size_t k = 0; k < pol->n_statements; k++) {
			const struct policy_statement *st = &pol->statements[k];
			if (!matches(&st->match, peer, p, local, a))
				continue;
			apply_set(&st->set, a, scratch);
			if (st->verdict != POLICY_NEXT)
				return st->verdict;
		}
	}
	return POLICY_REJECT;
}

enum policy_verdict policy_apply(const struct policy *const *chain, size_t n,
                                 const union sockaddr_any *peer, const struct bgp_prefix *p,
                                 struct bgp_attrs *a, struct policy_scratch *scratch)
{
	return policy_apply_route(chain, n, peer, p, false, a, scratch);
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_statements; i++) {
		struct policy_statement *st = &p->statements[i];
		free(st->match.neighbors);
		free(st->match.prefixes);
		free(st->match.communities);
		free(st->match.large_communities);
		free(st->match.as_contains);
		free(st->set.add_communities);
		free(st->set.add_large_communities);
	}
	free(p->statements);
	memset(p, 0, sizeof(*p));
}
