/*
 * policy: matching and applying statements.
 */
#include "rib/policy.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/aspath.h"

/* The first len bits of p, the rest clear, no path identifier. */
static struct bgp_prefix cut(const struct bgp_prefix *p, uint8_t len)
{
	struct bgp_prefix c = { .af = p->af, .len = len };
	memcpy(c.addr, p->addr, sizeof(c.addr));
	bgp_prefix_mask(&c);
	return c;
}

struct bgp_prefix policy_prefix_base(const struct policy_prefix *pp)
{
	return cut(&pp->prefix, pp->prefix.len);
}

bool policy_prefix_covers(const struct policy_prefix *pp, const struct bgp_prefix *p)
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
		ok = policy_prefix_covers(&m->prefixes[i], p);
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

/* One statement: POLICY_NEXT when it does not match, or matches and leaves
 * the verdict to the statements after it. */
static enum policy_verdict statement_apply(const struct policy_statement *st,
                                           const union sockaddr_any *peer,
                                           const struct bgp_prefix *p, bool local,
                                           struct bgp_attrs *a, struct policy_scratch *scratch)
{
	if (!matches(&st->match, peer, p, local, a))
		return POLICY_NEXT;
	apply_set(&st->set, a, scratch);
	return st->verdict;
}

enum policy_verdict policy_apply_route(const struct policy *const *chain, size_t n,
                                       const union sockaddr_any *peer, const struct bgp_prefix *p,
                                       bool local, struct bgp_attrs *a,
                                       struct policy_scratch *scratch)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < chain[i]->n_statements; k++) {
			enum policy_verdict v = statement_apply(&chain[i]->statements[k], peer, p,
			                                        local, a, scratch);
			if (v != POLICY_NEXT)
				return v;
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

/* ---- the index ---- */

/* The statements with a prefix condition on one base: family, length and
 * address with the bits past the length clear. */
struct policy_slot {
	struct bgp_prefix base;
	struct policy_ords ords;
};

/* Append ord unless the list ends with it (a statement listing two
 * prefixes of one base). */
static int ords_push(struct policy_ords *o, uint32_t ord)
{
	if (o->n > 0 && o->v[o->n - 1] == ord)
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap == 0 ? 4 : o->cap * 2;
		uint32_t *grown = realloc(o->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		o->v = grown;
		o->cap = cap;
	}
	o->v[o->n++] = ord;
	return 0;
}

static bool slot_is(const void *elem, const void *key)
{
	const struct bgp_prefix *a = &((const struct policy_slot *)elem)->base, *b = key;
	return a->af == b->af && a->len == b->len && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static struct policy_slot *slot_find(const struct policy_index *ix, const struct bgp_prefix *base)
{
	return htab_find(&ix->slots, bgp_prefix_hash(base), base, slot_is);
}

/* Lengths stay sorted: a route looks up the bases no longer than itself. */
static void note_len(struct policy_index *ix, uint8_t af, uint8_t len)
{
	uint8_t *v = ix->lens[af], n = ix->n_lens[af], i = 0;
	while (i < n && v[i] < len)
		i++;
	if (i < n && v[i] == len)
		return;
	memmove(v + i + 1, v + i, (size_t)(n - i));
	v[i] = len;
	ix->n_lens[af]++;
}

/* The slot of pp's base, made if new; NULL out of memory. */
static struct policy_slot *slot_for(struct policy_index *ix, const struct policy_prefix *pp)
{
	struct bgp_prefix base = policy_prefix_base(pp);
	struct policy_slot *s = slot_find(ix, &base);
	if (s != NULL)
		return s;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->base = base;
	if (htab_add(&ix->slots, bgp_prefix_hash(&s->base), s) < 0) {
		free(s);
		return NULL;
	}
	note_len(ix, s->base.af, s->base.len);
	return s;
}

static int index_statement(struct policy_index *ix, const struct policy_statement *st, uint32_t ord)
{
	const struct policy_match *m = &st->match;
	if (m->n_prefixes == 0)
		return ords_push(&ix->always, ord);
	for (size_t i = 0; i < m->n_prefixes; i++) {
		struct policy_slot *s = slot_for(ix, &m->prefixes[i]);
		if (s == NULL || ords_push(&s->ords, ord) < 0)
			return -1;
	}
	return 0;
}

int policy_index_init(struct policy_index *ix, const struct policy *const *chain, size_t n)
{
	size_t total = 0;
	memset(ix, 0, sizeof(*ix));
	htab_init(&ix->slots);
	for (size_t i = 0; i < n; i++)
		total += chain[i]->n_statements;
	if (total == 0)
		return 0;
	ix->statements = malloc(total * sizeof(*ix->statements));
	if (ix->statements == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < chain[i]->n_statements; k++) {
			const struct policy_statement *st = &chain[i]->statements[k];
			ix->statements[ix->n_statements] = st;
			if (index_statement(ix, st, (uint32_t)ix->n_statements++) < 0) {
				policy_index_free(ix);
				return -1;
			}
		}
	return 0;
}

void policy_index_free(struct policy_index *ix)
{
	size_t pos = 0;
	struct policy_slot *s;
	while ((s = htab_next(&ix->slots, &pos)) != NULL) {
		free(s->ords.v);
		free(s);
	}
	htab_free(&ix->slots);
	free(ix->always.v);
	free(ix->statements);
	memset(ix, 0, sizeof(*ix));
}

/* The lists of statements that may match p: those without prefix
 * conditions and those of every base that may cover p.  Returns how many
 * went into runs (room for POLICY_LENS + 1). */
static size_t candidates(const struct policy_index *ix, const struct bgp_prefix *p,
                         struct policy_ords *runs)
{
	size_t n = 0;
	if (ix->always.n > 0)
		runs[n++] = ix->always;
	for (size_t i = 0; p->af < BGP_AF_COUNT && i < ix->n_lens[p->af]; i++) {
		uint8_t len = ix->lens[p->af][i];
		if (len > p->len)
			break;
		struct bgp_prefix base = cut(p, len);
		const struct policy_slot *s = slot_find(ix, &base);
		if (s != NULL)
			runs[n++] = s->ords;
	}
	return n;
}

/* Take the smallest first statement of the runs: chain order across them.
 * False when every run is empty. */
static bool next_candidate(struct policy_ords *runs, size_t n, uint32_t *ord)
{
	struct policy_ords *min = NULL;
	for (size_t i = 0; i < n; i++)
		if (runs[i].n > 0 && (min == NULL || runs[i].v[0] < min->v[0]))
			min = &runs[i];
	if (min == NULL)
		return false;
	*ord = *min->v++;
	min->n--;
	return true;
}

enum policy_verdict policy_index_apply(const struct policy_index *ix,
                                       const union sockaddr_any *peer, const struct bgp_prefix *p,
                                       bool local, struct bgp_attrs *a,
                                       struct policy_scratch *scratch)
{
	struct policy_ords runs[POLICY_LENS + 1];
	size_t n = candidates(ix, p, runs);
	uint32_t ord, last = UINT32_MAX;
	while (next_candidate(runs, n, &ord)) {
		if (ord == last) /* under two bases that both cover p */
			continue;
		last = ord;
		enum policy_verdict v =
		        statement_apply(ix->statements[ord], peer, p, local, a, scratch);
		if (v != POLICY_NEXT)
			return v;
	}
	return POLICY_REJECT;
}
