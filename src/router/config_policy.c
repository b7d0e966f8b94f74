/*
 * config_policy: the `policies` of a BGPRouter manifest and the
 * importPolicies / exportPolicies of its peer groups (docs/router-config.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/manifest.h"
#include "router/config_impl.h"

#define ITEMS_MAX 1024

static const char *const match_keys[] = { "neighbors",        "families", "prefixes", "communities",
	                                  "largeCommunities", "asPath",   NULL };
static const char *const set_keys[] = {
	"localPreference", "med", "addCommunities", "addLargeCommunities", "asPathPrepend",
	"nextHop",         NULL
};

/* "65000:99", or a well-known name as FRR and GoBGP write it. */
static int parse_community(const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t value;
	} names[] = { { "no-export", BGP_COMM_NO_EXPORT },
		      { "no-advertise", BGP_COMM_NO_ADVERTISE },
		      { "no-peer", BGP_COMM_NO_PEER },
		      { "blackhole", BGP_COMM_BLACKHOLE },
		      { "graceful-shutdown", BGP_COMM_GRACEFUL_SHUTDOWN } };
	unsigned long hi, lo;
	char *end;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].value;
			return 0;
		}
	hi = strtoul(s, &end, 10);
	if (end == s || *end != ':' || hi > 0xffff)
		return -1;
	lo = strtoul(end + 1, &end, 10);
	if (*end != '\0' || lo > 0xffff || end == s)
		return -1;
	*out = (uint32_t)(hi << 16 | lo);
	return 0;
}

static int parse_large(const char *s, uint32_t out[3])
{
	const char *c = s;
	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long long v = strtoull(c, &end, 10);
		if (end == c || v > UINT32_MAX || *end != (i < 2 ? ':' : '\0'))
			return -1;
		out[i] = (uint32_t)v;
		c = end + 1;
	}
	return 0;
}

static void *items_alloc(size_t n, size_t size)
{
	return n == 0 ? NULL : calloc(n, size);
}

static void decode_communities(struct manifest_ctx *ctx, const char *path, uint32_t **out,
                               size_t *n_out)
{
	const char *items[ITEMS_MAX];
	size_t n;
	if (manifest_get_strings(ctx, path, MANIFEST_NONEMPTY, items, ITEMS_MAX, &n) != 1)
		return;
	*out = items_alloc(n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		if (parse_community(items[i], &(*out)[*n_out]) == 0)
			(*n_out)++;
		else
			manifest_errorf(ctx, path,
			                "\"%s\" is not a community (ASN:VALUE or a name)",
			                items[i]);
	}
}

static void decode_large(struct manifest_ctx *ctx, const char *path, uint32_t (**out)[3],
                         size_t *n_out)
{
	const char *items[ITEMS_MAX];
	size_t n;
	if (manifest_get_strings(ctx, path, MANIFEST_NONEMPTY, items, ITEMS_MAX, &n) != 1)
		return;
	*out = items_alloc(n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		if (parse_large(items[i], (*out)[*n_out]) == 0)
			(*n_out)++;
		else
			manifest_errorf(ctx, path, "\"%s\" is not a large community (A:B:C)",
			                items[i]);
	}
}

static void decode_prefixes(struct manifest_ctx *ctx, struct policy_match *m)
{
	static const char *const keys[] = { "prefix", "minLength", "maxLength", NULL };
	size_t n;
	if (manifest_get_list(ctx, "prefixes", MANIFEST_NONEMPTY, &n) != 1)
		return;
	m->prefixes = items_alloc(n, sizeof(*m->prefixes));
	for (size_t i = 0; i < n; i++) {
		struct policy_prefix *pp = &m->prefixes[m->n_prefixes];
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "prefixes[%zu]", i))
			continue;
		manifest_check_keys(ctx, keys);
		if (manifest_get_prefix(ctx, "prefix", MANIFEST_REQUIRED, &pp->prefix) == 1) {
			uint32_t max_bits = pp->prefix.af == BGP_AF_IPV4_UNICAST ? 32 : 128;
			uint32_t lo = pp->prefix.len, hi = pp->prefix.len;
			manifest_get_u32(ctx, "minLength", 0, pp->prefix.len, max_bits, &lo);
			manifest_get_u32(ctx, "maxLength", 0, pp->prefix.len, max_bits, &hi);
			if (lo > hi)
				manifest_errorf(ctx, "maxLength", "must not be below minLength");
			pp->min_len = (uint8_t)lo;
			pp->max_len = (uint8_t)hi;
			m->n_prefixes++;
		}
		manifest_leave(ctx);
	}
}

static void decode_match(struct manifest_ctx *ctx, struct policy_match *m)
{
	static const char *const as_keys[] = { "neighborAS", "contains", NULL };
	static const char *const afis[] = { "ipv4", "ipv6", NULL };
	const char *items[ITEMS_MAX];
	size_t n;

	if (!manifest_enter(ctx, 0, "match"))
		return;
	manifest_check_keys(ctx, match_keys);
	if (manifest_get_strings(ctx, "neighbors", MANIFEST_NONEMPTY, items, ITEMS_MAX, &n) == 1) {
		m->neighbors = items_alloc(n, sizeof(*m->neighbors));
		for (size_t i = 0; i < n; i++) {
			union sockaddr_any host;
			struct addr_range *r = &m->neighbors[m->n_neighbors];
			if (addr_range_parse(items[i], r) == 0) {
				m->n_neighbors++;
			} else if (addr_parse(items[i], 0, &host) == 0) {
				r->base = host;
				r->len = host.sa.sa_family == AF_INET ? 32 : 128;
				m->n_neighbors++;
			} else {
				manifest_errorf(ctx, "neighbors",
				                "\"%s\" is not an address or prefix", items[i]);
			}
		}
	}
	if (manifest_get_list(ctx, "families", MANIFEST_NONEMPTY, &n) == 1)
		for (size_t i = 0; i < n; i++) {
			unsigned afi;
			char path[48];
			snprintf(path, sizeof(path), "families[%zu].afi", i);
			if (manifest_get_enum(ctx, path, MANIFEST_REQUIRED, afis, &afi) == 1)
				m->families |= (uint8_t)BGP_AF_BIT(afi == 0 ? BGP_AF_IPV4_UNICAST
				                                            : BGP_AF_IPV6_UNICAST);
		}
	decode_prefixes(ctx, m);
	decode_communities(ctx, "communities", &m->communities, &m->n_communities);
	decode_large(ctx, "largeCommunities", &m->large_communities, &m->n_large_communities);
	if (manifest_enter(ctx, 0, "asPath")) {
		manifest_check_keys(ctx, as_keys);
		m->has_neighbor_as =
		        manifest_get_u32(ctx, "neighborAS", 0, 1, UINT32_MAX, &m->neighbor_as) == 1;
		if (manifest_get_list(ctx, "contains", MANIFEST_NONEMPTY, &n) == 1) {
			m->as_contains = items_alloc(n, sizeof(*m->as_contains));
			for (size_t i = 0; i < n; i++) {
				char path[48];
				snprintf(path, sizeof(path), "contains[%zu]", i);
				if (manifest_get_u32(ctx, path, 0, 1, UINT32_MAX,
				                     &m->as_contains[m->n_as_contains]) == 1)
					m->n_as_contains++;
			}
		}
		manifest_leave(ctx);
	}
	manifest_leave(ctx);
}

static void decode_set(struct manifest_ctx *ctx, struct policy_set *s)
{
	static const char *const prepend_keys[] = { "asn", "count", NULL };
	uint32_t count = 1;

	if (!manifest_enter(ctx, 0, "set"))
		return;
	manifest_check_keys(ctx, set_keys);
	s->has_local_pref =
	        manifest_get_u32(ctx, "localPreference", 0, 0, UINT32_MAX, &s->local_pref) == 1;
	s->has_med = manifest_get_u32(ctx, "med", 0, 0, UINT32_MAX, &s->med) == 1;
	decode_communities(ctx, "addCommunities", &s->add_communities, &s->n_add_communities);
	decode_large(ctx, "addLargeCommunities", &s->add_large_communities,
	             &s->n_add_large_communities);
	if (manifest_enter(ctx, 0, "asPathPrepend")) {
		manifest_check_keys(ctx, prepend_keys);
		manifest_get_u32(ctx, "asn", MANIFEST_REQUIRED, 1, UINT32_MAX, &s->prepend_as);
		manifest_get_u32(ctx, "count", 0, 1, 16, &count);
		s->prepend_count = (uint8_t)count;
		manifest_leave(ctx);
	}
	s->has_next_hop = manifest_get_ip(ctx, "nextHop", 0, &s->next_hop) == 1;
	manifest_leave(ctx);
}

static void decode_statement(struct manifest_ctx *ctx, struct policy_statement *st)
{
	static const char *const keys[] = { "name", "match", "set", "action", NULL };
	static const char *const actions[] = { "next", "accept", "reject", NULL };
	const char *name = "";
	unsigned action = 0;

	manifest_check_keys(ctx, keys);
	manifest_get_string(ctx, "name", 0, &name);
	snprintf(st->name, sizeof(st->name), "%s", name);
	decode_match(ctx, &st->match);
	decode_set(ctx, &st->set);
	manifest_get_enum(ctx, "action", MANIFEST_REQUIRED, actions, &action);
	st->verdict = (enum policy_verdict)action;
}

/* FNV-1a over a canonical encoding: every field in a fixed order, lists
 * after their lengths, values only where their flag is set. */
static void mix(uint64_t *h, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ull;
}

static void mix_u32(uint64_t *h, uint32_t v)
{
	mix(h, &v, sizeof(v));
}

static void mix_u32s(uint64_t *h, const uint32_t *v, size_t n)
{
	mix_u32(h, (uint32_t)n);
	if (n > 0)
		mix(h, v, n * sizeof(*v));
}

static void mix_addr(uint64_t *h, const union sockaddr_any *a)
{
	bool v4 = a->sa.sa_family == AF_INET;
	mix(h, &v4, sizeof(v4));
	if (v4)
		mix(h, &a->in.sin_addr, 4);
	else
		mix(h, &a->in6.sin6_addr, 16);
}

static void mix_prefix(uint64_t *h, const struct policy_prefix *pp)
{
	struct bgp_prefix base = policy_prefix_base(pp);
	const uint8_t head[] = { base.af, base.len, pp->min_len, pp->max_len };
	mix(h, head, sizeof(head));
	mix(h, base.addr, sizeof(base.addr));
}

static void mix_match(uint64_t *h, const struct policy_match *m)
{
	const uint8_t flags[] = { m->families, m->has_neighbor_as, m->local_only };
	mix(h, flags, sizeof(flags));
	mix_u32(h, m->has_neighbor_as ? m->neighbor_as : 0);
	mix_u32(h, (uint32_t)m->n_neighbors);
	for (size_t i = 0; i < m->n_neighbors; i++) {
		mix_addr(h, &m->neighbors[i].base);
		mix(h, &m->neighbors[i].len, sizeof(m->neighbors[i].len));
	}
	mix_u32(h, (uint32_t)m->n_prefixes);
	for (size_t i = 0; i < m->n_prefixes; i++)
		mix_prefix(h, &m->prefixes[i]);
	mix_u32s(h, m->communities, m->n_communities);
	mix_u32s(h, (const uint32_t *)m->large_communities, 3 * m->n_large_communities);
	mix_u32s(h, m->as_contains, m->n_as_contains);
}

static void mix_set(uint64_t *h, const struct policy_set *s)
{
	const uint8_t flags[] = { s->has_local_pref, s->has_med, s->has_next_hop,
		                  s->prepend_count };
	mix(h, flags, sizeof(flags));
	mix_u32(h, s->has_local_pref ? s->local_pref : 0);
	mix_u32(h, s->has_med ? s->med : 0);
	mix_u32(h, s->prepend_as);
	mix_u32s(h, s->add_communities, s->n_add_communities);
	mix_u32s(h, (const uint32_t *)s->add_large_communities, 3 * s->n_add_large_communities);
	if (s->has_next_hop)
		mix_addr(h, &s->next_hop);
}

uint64_t config_policy_digest(const struct policy *p)
{
	uint64_t h = 0xcbf29ce484222325ull;
	mix_u32(&h, (uint32_t)p->n_statements);
	for (size_t k = 0; k < p->n_statements; k++) {
		const struct policy_statement *st = &p->statements[k];
		size_t len = strlen(st->name);
		const uint8_t verdict = (uint8_t)st->verdict;
		mix_u32(&h, (uint32_t)len);
		mix(&h, st->name, len);
		mix(&h, &verdict, sizeof(verdict));
		mix_match(&h, &st->match);
		mix_set(&h, &st->set);
	}
	return h;
}

void config_decode_policies(struct manifest_ctx *ctx, struct router_config *c)
{
	static const char *const keys[] = { "name", "statements", NULL };
	size_t n, m;

	if (manifest_get_list(ctx, "policies", 0, &n) != 1)
		return;
	c->policies = items_alloc(n, sizeof(*c->policies));
	for (size_t i = 0; i < n; i++) {
		struct policy *pol = &c->policies[c->n_policies];
		const char *name = "";
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "policies[%zu]", i))
			continue;
		manifest_check_keys(ctx, keys);
		manifest_get_string(ctx, "name", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &name);
		snprintf(pol->name, sizeof(pol->name), "%s", name);
		if (manifest_get_list(ctx, "statements", MANIFEST_REQUIRED | MANIFEST_NONEMPTY,
		                      &m) == 1) {
			pol->statements = items_alloc(m, sizeof(*pol->statements));
			for (size_t k = 0; k < m; k++) {
				if (!manifest_enter(ctx, MANIFEST_REQUIRED, "statements[%zu]", k))
					continue;
				decode_statement(ctx, &pol->statements[pol->n_statements++]);
				manifest_leave(ctx);
			}
		}
		pol->digest = config_policy_digest(pol);
		c->n_policies++;
		manifest_leave(ctx);
	}
}

/* importPolicies / exportPolicies: names of spec.policies, in order. */
void config_decode_chain(struct manifest_ctx *ctx, const struct router_config *c, const char *path,
                         const struct policy ***out, size_t *n_out)
{
	const char *names[ITEMS_MAX];
	size_t n;
	if (manifest_get_strings(ctx, path, 0, names, ITEMS_MAX, &n) != 1)
		return;
	*out = items_alloc(n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		const struct policy *found = NULL;
		for (size_t k = 0; k < c->n_policies && found == NULL; k++)
			if (strcmp(c->policies[k].name, names[i]) == 0)
				found = &c->policies[k];
		if (found != NULL)
			(*out)[(*n_out)++] = found;
		else
			manifest_errorf(ctx, path, "no policy named \"%s\" in spec.policies",
			                names[i]);
	}
}

int config_index_chains(struct router_group *g)
{
	if (policy_index_init(&g->import_index, g->import_policies, g->n_import_policies) < 0)
		return -1;
	return policy_index_init(&g->export_index, g->export_policies, g->n_export_policies);
}
