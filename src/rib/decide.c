/*
 * decide: RFC 4271 §9.1.2.2, steps numbered as in decide.h.
 *
 * Where this follows FRR rather than the RFC text: a local weight and the
 * preference for locally originated routes come first (steps 0 and 2);
 * a missing MED counts as 0 (RFC 4271 §9.1.2.2 c says "lowest possible",
 * and so do FRR and BIRD by default); between two eBGP paths the older one
 * wins before identifiers are compared (RFC 5004), unless
 * compare_router_id is set; there is no IGP metric step, since kbgp does
 * not run an IGP (next hops are connected or resolved by the kernel).
 */
#include "rib/decide.h"

#include <string.h>

#include "bgp/aspath.h"

static const char *const reason_text[] = {
	[DECIDE_NONE] = "First path received",
	[DECIDE_WEIGHT] = "Weight",
	[DECIDE_LOCAL_PREF] = "Local Pref",
	[DECIDE_LOCAL_ROUTE] = "Local Route",
	[DECIDE_AS_PATH] = "AS Path",
	[DECIDE_ORIGIN] = "Origin",
	[DECIDE_MED] = "MED",
	[DECIDE_PEER_TYPE] = "Peer Type",
	[DECIDE_OLDER] = "Older Path",
	[DECIDE_ROUTER_ID] = "Router ID",
	[DECIDE_CLUSTER_LIST] = "Cluster length",
	[DECIDE_PEER_ADDR] = "Neighbor IP",
	[DECIDE_SAME] = "Nothing left to compare",
};

const char *decide_reason_text(enum decide_reason reason)
{
	return reason_text[reason];
}

#define LOCAL_PREF_DEFAULT 100

void decide_attrs_of(const struct bgp_attrs *a, struct decide_attrs *out)
{
	bool has_path = bgp_attr_has(a, BGP_ATTR_AS_PATH);
	*out = (struct decide_attrs){
		.local_pref =
		        bgp_attr_has(a, BGP_ATTR_LOCAL_PREF) ? a->local_pref : LOCAL_PREF_DEFAULT,
		.med = bgp_attr_has(a, BGP_ATTR_MED) ? a->med : 0,
		.has_originator = bgp_attr_has(a, BGP_ATTR_ORIGINATOR_ID),
		.originator_id = a->originator_id,
		/* both fit: an UPDATE is at most 65535 bytes */
		.as_path_length = has_path ? (uint16_t)aspath_length(a->as_path) : 0,
		.cluster_length = bgp_attr_has(a, BGP_ATTR_CLUSTER_LIST)
		                          ? (uint16_t)(a->cluster_list.len / 4)
		                          : 0,
		.origin = a->origin,
	};
}

/* RFC 4456 §9: a reflected route is compared by its ORIGINATOR_ID. */
static uint32_t router_id(const struct decide_path *p)
{
	return p->attrs->has_originator ? p->attrs->originator_id : p->peer_id;
}

static int addr_cmp(const union sockaddr_any *a, const union sockaddr_any *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return a->sa.sa_family == AF_INET ? -1 : 1;
	if (a->sa.sa_family == AF_INET)
		return memcmp(&a->in.sin_addr, &b->in.sin_addr, 4);
	return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16);
}

/* Lower is better unless noted; returns from the enclosing comparison. */
#define PREFER_LOWER(x, y, step)                                                                   \
	do {                                                                                       \
		if ((x) != (y)) {                                                                  \
			*reason = (step);                                                          \
			return (x) < (y) ? -1 : 1;                                                 \
		}                                                                                  \
	} while (0)
#define PREFER_HIGHER(x, y, step) PREFER_LOWER(y, x, step)

/* Steps 0..6: what makes paths equal enough for multipath. */
static int compare_attributes(const struct decide_path *a, const struct decide_path *b,
                              const struct decide_config *cfg, enum decide_reason *reason)
{
	/* 0. local weight */
	PREFER_HIGHER(a->weight, b->weight, DECIDE_WEIGHT);
	/* 1. LOCAL_PREF */
	PREFER_HIGHER(a->attrs->local_pref, b->attrs->local_pref, DECIDE_LOCAL_PREF);
	/* 2. locally originated */
	PREFER_HIGHER(a->local, b->local, DECIDE_LOCAL_ROUTE);
	/* 3. AS_PATH length */
	PREFER_LOWER(a->attrs->as_path_length, b->attrs->as_path_length, DECIDE_AS_PATH);
	/* 4. ORIGIN: IGP < EGP < INCOMPLETE */
	PREFER_LOWER(a->attrs->origin, b->attrs->origin, DECIDE_ORIGIN);
	/* 5. MED, only between paths from the same neighbour AS */
	if (cfg->med_always_compare || a->peer_asn == b->peer_asn)
		PREFER_LOWER(a->attrs->med, b->attrs->med, DECIDE_MED);
	/* 6. eBGP over iBGP */
	PREFER_HIGHER(a->ebgp, b->ebgp, DECIDE_PEER_TYPE);
	return 0;
}

int decide_compare(const struct decide_path *a, const struct decide_path *b,
                   const struct decide_config *cfg, enum decide_reason *reason)
{
	int c = compare_attributes(a, b, cfg, reason);
	if (c != 0)
		return c;
	/* 7. the older of two eBGP paths: fewer flaps (RFC 5004) */
	if (a->ebgp && b->ebgp && !cfg->compare_router_id)
		PREFER_LOWER(a->received_s, b->received_s, DECIDE_OLDER);
	/* 8. lowest BGP Identifier */
	PREFER_LOWER(router_id(a), router_id(b), DECIDE_ROUTER_ID);
	/* 9. shortest CLUSTER_LIST */
	PREFER_LOWER(a->attrs->cluster_length, b->attrs->cluster_length, DECIDE_CLUSTER_LIST);
	/* 10. lowest peer address */
	int addr = addr_cmp(&a->peer_addr, &b->peer_addr);
	if (addr != 0) {
		*reason = DECIDE_PEER_ADDR;
		return addr;
	}
	*reason = DECIDE_SAME;
	return 0;
}

static bool same_as_path(const struct decide_path *a, const struct decide_path *b)
{
	const struct rbuf *x = &a->as_path, *y = &b->as_path;
	return x->len == y->len && (x->len == 0 || memcmp(rbuf_data(x), rbuf_data(y), x->len) == 0);
}

bool decide_multipath(const struct decide_path *best, const struct decide_path *candidate,
                      const struct decide_config *cfg)
{
	enum decide_reason reason;
	uint8_t width = best->ebgp ? cfg->maximum_paths_ebgp : cfg->maximum_paths_ibgp;

	if (width <= 1 || best->local || candidate->local || best->ebgp != candidate->ebgp)
		return false;
	if (compare_attributes(best, candidate, cfg, &reason) != 0)
		return false;
	/* Without relax, FRR wants the very same AS_PATH; with it, an equal
	 * length suffices, so paths from different neighbour ASes count. */
	return cfg->as_path_multipath_relax || same_as_path(best, candidate);
}
