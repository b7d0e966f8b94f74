/*
 * export: what the RIB selects goes out to each peer through its
 * Adj-RIB-Out.
 *
 * The best path only: never back to the peer it came from, unless that is
 * an eBGP peer in a group that can hold several (see
 * routes_shares_updates), never iBGP to iBGP (no route reflection),
 * NO_ADVERTISE and NO_EXPORT honoured (RFC 1997), nothing to eBGP under
 * RFC 8212; eBGP gets our AS prepended, next hop self and no LOCAL_PREF,
 * MULTI_EXIT_DISC (RFC 4271 §5.1.4), ORIGINATOR_ID or CLUSTER_LIST; iBGP
 * gets LOCAL_PREF (100 unless set) and the original next hop, or ours for
 * the router's own routes.  UPDATEs leave in slices, after the MRAI; a
 * whole table is followed by End-of-RIB, or framed by BoRR and EoRR.
 */
#include "router/routes.h"

#include <ifaddrs.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "bgp/aspath.h"
#include "bgp/update_build.h"
#include "lib/log.h"
#include "router/router.h"

/* Where export policies build changed values; routes are interned right
 * after. */
static struct policy_scratch policy_scratch;

static const void *sockaddr_bytes(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	return &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
}

/*
 * A route of one family over a session of the other needs a next hop of its
 * own family: like FRR, take an address of that family from the interface
 * that holds the session's local address (a global one for IPv6).  Returns
 * -1 when the interface has none.
 */
static int sibling_address(const union sockaddr_any *local, int family, uint8_t *out)
{
	struct ifaddrs *list, *i;
	char ifname[IF_NAMESIZE] = "";
	size_t len = local->sa.sa_family == AF_INET ? 4 : 16;
	int rc = -1;

	if (getifaddrs(&list) < 0)
		return -1;
	for (i = list; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == local->sa.sa_family &&
		    memcmp(sockaddr_bytes(i->ifa_addr), sockaddr_bytes(&local->sa), len) == 0)
			snprintf(ifname, sizeof(ifname), "%s", i->ifa_name);
	for (i = list; i != NULL && ifname[0] != '\0' && rc < 0; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		const void *a = sockaddr_bytes(i->ifa_addr);
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
			continue;
		memcpy(out, a, family == AF_INET ? 4 : 16);
		rc = 0;
	}
	freeifaddrs(list);
	return rc;
}

/* The subnet of the interface that holds an IPv4 address. */
static int local_subnet(const union sockaddr_any *local, struct addr_range *out)
{
	struct ifaddrs *list;
	int rc = -1;

	if (getifaddrs(&list) < 0)
		return -1;
	for (struct ifaddrs *i = list; i != NULL && rc < 0; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    i->ifa_addr->sa_family != AF_INET ||
		    memcmp(sockaddr_bytes(i->ifa_addr), &local->in.sin_addr, 4) != 0)
			continue;
		uint32_t mask = ntohl(((const struct sockaddr_in *)(const void *)i->ifa_netmask)
		                              ->sin_addr.s_addr);
		out->base = *local;
		out->base.in.sin_addr.s_addr = htonl(addr_ipv4(local) & mask);
		out->base.in.sin_port = 0;
		out->len = (uint8_t)__builtin_popcount(mask);
		rc = 0;
	}
	freeifaddrs(list);
	return rc;
}

/* Next hop self for each family, from the session's local address. */
void routes_learn_next_hops(struct bgp_peer *p, struct router_peer *rp)
{
	union sockaddr_any local;
	socklen_t len = sizeof(local);
	uint8_t v4[4];

	rp->next_hop4 = 0;
	rp->have_next_hop6 = false;
	if (getsockname(p->conn.fd, &local.sa, &len) < 0)
		return;
	addr_unmap(&local);
	rp->have_shared4 = false;
	if (local.sa.sa_family == AF_INET) {
		rp->next_hop4 = addr_ipv4(&local);
		rp->have_shared4 =
		        rp->group->ebgp_multihop <= 1 && local_subnet(&local, &rp->shared4) == 0;
		rp->have_next_hop6 = sibling_address(&local, AF_INET6, rp->next_hop6) == 0;
		if (!rp->have_next_hop6) {
			/* No IPv6 address there: the IPv4-mapped form. */
			memset(rp->next_hop6, 0, 16);
			rp->next_hop6[10] = rp->next_hop6[11] = 0xff;
			memcpy(rp->next_hop6 + 12, &local.in.sin_addr, 4);
			rp->have_next_hop6 = true;
		}
		return;
	}
	memcpy(rp->next_hop6, &local.in6.sin6_addr, 16);
	rp->have_next_hop6 = true;
	if (sibling_address(&local, AF_INET, v4) == 0)
		rp->next_hop4 = (uint32_t)v4[0] << 24 | (uint32_t)v4[1] << 16 |
		                (uint32_t)v4[2] << 8 | v4[3];
}

/* A group that can hold several peers is one FRR update group: its
 * members get one stream, so what a member sent goes back to it with the
 * rest, and it drops what carries its own AS.  A peer alone in its group,
 * like FRR's single-member update group, never gets its routes back. */
bool routes_shares_updates(const struct router_group *g)
{
	return g->n_neighbors > 1 || g->n_listen_ranges > 0;
}

/* The peer's own route, which it is never sent back (see
 * routes_shares_updates). */
static bool own_route(const struct bgp_peer *p, const struct router_peer *rp,
                      const struct rib_source *src)
{
	return src == &rp->src && (!p->neg.ebgp || !routes_shares_updates(rp->group));
}

static bool may_export(const struct router *r, const struct bgp_peer *p,
                       const struct router_peer *rp, const struct rib_path *best)
{
	const struct rib_source *src = rib_path_source(&r->rib, best);
	const struct attrset *attrs = rib_path_attrs(&r->rib, best);
	if (own_route(p, rp, src))
		return false;
	if (!src->local && !src->ebgp && !p->neg.ebgp)
		return false; /* iBGP split horizon */
	if (attrs->no_advertise || (p->neg.ebgp && attrs->no_export))
		return false;
	/* RFC 8212: nothing goes out over eBGP without an export policy; the
	 * agent, like GoBGP's global policy, sends nothing without one at all. */
	bool needs_policy =
	        r->cfg.export_requires_policy || (p->neg.ebgp && r->cfg.ebgp_requires_policy);
	return !(needs_policy && rp->group->n_export_policies == 0);
}

bool routes_export_concerns(const struct router *r, const struct bgp_peer *p,
                            const struct rib_entry *e)
{
	const struct router_peer *rp = p->rib;
	const struct rib_path *best = rib_best(e);
	if (best == NULL || !own_route(p, rp, rib_path_source(&r->rib, best)))
		return true;
	return adjout_sent(&rp->out, &r->rib, e) != NULL;
}

/* RFC 4271 §5.1.3: to an eBGP peer one hop away, a route learned over eBGP
 * may keep its next hop when the peer shares a subnet with it: traffic
 * then goes straight there instead of through kbgp (FRR does the same). */
static bool keeps_third_party(const struct router_peer *rp, const struct rib_source *src,
                              enum bgp_af af, const struct bgp_attrs *a)
{
	union sockaddr_any nh = { .in = { .sin_family = AF_INET } };
	if (af != BGP_AF_IPV4_UNICAST || src->local || !src->ebgp || !rp->have_shared4 ||
	    !bgp_attr_has(a, BGP_ATTR_NEXT_HOP))
		return false;
	nh.in.sin_addr.s_addr = htonl(a->next_hop);
	return addr_in_range(&nh, &rp->shared4);
}

static void set_next_hop_self(const struct router_peer *rp, enum bgp_af af, struct bgp_attrs *a)
{
	if (af == BGP_AF_IPV4_UNICAST) {
		a->next_hop = rp->next_hop4;
		bgp_attr_set(a, BGP_ATTR_NEXT_HOP);
		return;
	}
	a->mp_reach.af = (uint8_t)af;
	a->mp_reach.nh_len = 16;
	memset(a->mp_reach.nh, 0, sizeof(a->mp_reach.nh));
	memcpy(a->mp_reach.nh, rp->next_hop6, 16);
	bgp_attr_set(a, BGP_ATTR_MP_REACH);
}

/* The attributes best goes to this peer with, interned. */
static struct attrset *export_attrs(struct router *r, const struct bgp_peer *p,
                                    const struct router_peer *rp, const struct rib_entry *e)
{
	const struct rib_path *best = rib_best(e);
	const struct rib_source *src = rib_path_source(&r->rib, best);
	enum bgp_af af = (enum bgp_af)e->af;
	uint8_t path[BGP_EXT_MAX_LEN];
	struct wbuf w;
	struct bgp_attrs a;
	attrset_attrs(rib_path_attrs(&r->rib, best), &a);

	if (p->neg.ebgp) {
		wbuf_init(&w, path, sizeof(path));
		aspath_prepend(&w, a.as_path, r->cfg.asn);
		a.as_path = wbuf_view(&w);
		bgp_attr_set(&a, BGP_ATTR_AS_PATH);
		static const uint8_t internal_only[] = { BGP_ATTR_LOCAL_PREF, BGP_ATTR_MED,
			                                 BGP_ATTR_ORIGINATOR_ID,
			                                 BGP_ATTR_CLUSTER_LIST };
		for (size_t i = 0; i < sizeof(internal_only); i++)
			bgp_attr_clear(&a, internal_only[i]);
		if (!keeps_third_party(rp, src, af, &a))
			set_next_hop_self(rp, af, &a);
	} else {
		if (!bgp_attr_has(&a, BGP_ATTR_LOCAL_PREF)) {
			a.local_pref = 100;
			bgp_attr_set(&a, BGP_ATTR_LOCAL_PREF);
		}
		if (src->local)
			set_next_hop_self(rp, af, &a);
	}
	const struct router_group *g = rp->group;
	struct bgp_prefix prefix = rib_entry_prefix(e);
	if (g->n_export_policies > 0 &&
	    policy_index_apply(&g->export_index, &p->cfg.addr, &prefix, src->local, &a,
	                       &policy_scratch) != POLICY_ACCEPT)
		return NULL;
	return attrset_intern(&r->rib.attrs, &a);
}

void routes_export_forget(struct router *r, struct router_peer *rp)
{
	if (rp->cache_in != NULL)
		attrset_unref(&r->rib.attrs, rp->cache_in);
	if (rp->cache_out != NULL)
		attrset_unref(&r->rib.attrs, rp->cache_out);
	rp->cache_in = rp->cache_out = NULL;
}

/* export_attrs, remembering the last answer: consecutive prefixes mostly
 * share their best path's attributes. */
static struct attrset *export_cached(struct router *r, const struct bgp_peer *p,
                                     struct router_peer *rp, const struct rib_entry *e)
{
	const struct rib_path *best = rib_best(e);
	struct attrset *in = rib_path_attrs(&r->rib, best);
	const struct rib_source *src = rib_path_source(&r->rib, best);
	uint8_t af = e->af;
	bool cacheable = rp->group->n_export_policies == 0;
	if (cacheable && rp->cache_in == in && rp->cache_local == src->local &&
	    rp->cache_ebgp == src->ebgp && rp->cache_af == af)
		return attrset_ref(rp->cache_out);
	struct attrset *out = export_attrs(r, p, rp, e);
	if (cacheable && out != NULL) {
		routes_export_forget(r, rp);
		rp->cache_in = attrset_ref(in);
		rp->cache_out = attrset_ref(out);
		rp->cache_local = src->local;
		rp->cache_ebgp = src->ebgp; /* a third-party next hop is kept for eBGP only */
		rp->cache_af = af;
	}
	return out;
}

static struct attrset *export_entry(void *ctx, const struct rib_entry *e)
{
	struct bgp_peer *p = ctx;
	struct router_peer *rp = p->rib;
	struct router *r = p->speaker->ctx;
	const struct rib_path *best = rib_best(e);

	if (best == NULL || !may_export(r, p, rp, best))
		return NULL;
	return export_cached(r, p, rp, e);
}

static int send_update(void *ctx, const uint8_t *msg, size_t len)
{
	return bgp_peer_send(ctx, msg, len);
}

static const struct adjout_ops export_ops = { .export = export_entry, .send = send_update };

/* Prefixes looked at per slice: a full table goes out in slices, so the
 * loop gets back to keepalives and reading between them. */
#define FLUSH_BUDGET 20000

static void send_marker(struct bgp_peer *p, enum bgp_af af, int subtype)
{
	uint8_t msg[BGP_UPDATE_MIN_LEN + 8];
	struct wbuf w;
	struct bgp_route_refresh rr = { bgp_af_table[af].afi, (uint8_t)subtype,
		                        bgp_af_table[af].safi };

	wbuf_init(&w, msg, sizeof(msg));
	if (subtype < 0)
		bgp_update_build_eor(&w, af);
	else
		bgp_route_refresh_encode(&w, &rr);
	bgp_peer_send(p, w.p, w.len);
}

static void send_markers(struct bgp_peer *p, struct router_peer *rp)
{
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (rp->markers_afs & BGP_AF_BIT(af))
			send_marker(p, (enum bgp_af)af, rp->marker);
	rp->markers_afs = 0;
}

/* One slice for one peer; true when it has more to do. */
static bool flush_peer(struct router *r, struct bgp_peer *p)
{
	struct router_peer *rp = p->rib;
	size_t max = p->neg.ext_message ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;

	if (!bgp_peer_established(p) || r->deferring)
		return false;
	if (!adjout_busy(&rp->out)) {
		send_markers(p, rp);
		return false;
	}
	uint32_t mrai_ms = rp->group->advertisement_interval * 1000u;
	if (mrai_ms != 0 && loop_now(r->loop) < rp->next_advert) {
		loop_timer_at(r->loop, &rp->mrai_timer, rp->next_advert);
		return false;
	}
	rp->next_advert = loop_now(r->loop) + mrai_ms;
	int rc = adjout_flush(&rp->out, &r->rib, &p->neg.ctx, max, FLUSH_BUDGET, &export_ops, p);
	if (rc < 0)
		routes_peer_note(p, LOG_WARN, "could not queue UPDATEs: the peer is not reading");
	if (rc == 0)
		send_markers(p, rp);
	return rc == 1;
}

void routes_flush(struct router *r)
{
	bool more = false;
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next)
		more |= flush_peer(r, p);
	loop_idle_set(r->loop, &r->work, more);
}

static void on_work(struct loop_idle *i)
{
	routes_flush(container_of(i, struct router, work));
}

static void on_mrai(struct loop_timer *t)
{
	struct router_peer *rp = container_of(t, struct router_peer, mrai_timer);
	routes_flush(rp->peer->speaker->ctx);
}

/* Every prefix of these families is looked at again for the peer. */
void routes_mark_table(struct router *r, struct router_peer *rp, uint8_t afs)
{
	struct rib_entry *e;
	size_t pos = 0;
	while ((e = rib_next(&r->rib, &pos)) != NULL)
		if (afs & BGP_AF_BIT(e->af))
			adjout_mark(&rp->out, e);
}

/* Every prefix of the peer's families, framed by End-of-RIB for the
 * initial table, or by BoRR and EoRR when answering an enhanced route
 * refresh (RFC 7313 §4); the closing markers go once the slices are out. */
void routes_send_table(struct router *r, struct bgp_peer *p, uint8_t afs, bool refresh)
{
	struct router_peer *rp = p->rib;
	bool enhanced = refresh && p->neg.enhanced_rr;

	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (enhanced && (afs & BGP_AF_BIT(af)))
			send_marker(p, (enum bgp_af)af, BGP_RR_BORR);
	routes_mark_table(r, rp, afs);
	if (enhanced || !refresh) {
		rp->markers_afs |= afs;
		rp->marker = enhanced ? BGP_RR_EORR : -1;
	}
	routes_flush(r);
}

void routes_export_init(struct router *r)
{
	loop_idle_init(&r->work, on_work);
}

void routes_export_peer_init(struct router_peer *rp)
{
	loop_timer_init(&rp->mrai_timer, on_mrai);
}
