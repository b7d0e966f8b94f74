/*
 * routes: import and export of the router role (its own routes, the
 * networks, are networks.c).
 *
 * Import: a route whose AS_PATH holds our AS is a loop and is dropped
 * (RFC 4271 §9.1.2); over eBGP nothing is imported while RFC 8212 is on
 * (ebgpRequiresPolicy, until policies exist).  Export, for the best path
 * only: never back to the peer it came from, unless that is an eBGP peer
 * in a group that can hold several (see shares_updates), never iBGP to
 * iBGP (no route reflection), NO_ADVERTISE and NO_EXPORT honoured (RFC 1997), nothing to
 * eBGP under RFC 8212; eBGP gets our AS prepended, next hop self and no
 * LOCAL_PREF, MULTI_EXIT_DISC (RFC 4271 §5.1.4), ORIGINATOR_ID or
 * CLUSTER_LIST; iBGP gets LOCAL_PREF (100 unless set) and the original next
 * hop, or ours for the router's own routes.
 */
#include "router/routes.h"

#include <ifaddrs.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/aspath.h"
#include "bgp/update_build.h"
#include "lib/log.h"
#include "router/router.h"

#define STALEPATH_S 360 /* FRR's stalepath-time: a restarted peer's deadline for End-of-RIB */

/* Where policies build changed values; routes are interned right after. */
static struct policy_scratch policy_scratch;

static struct router *router_of(void *ctx)
{
	return ctx;
}

static uint64_t now_ms(const struct router *r)
{
	return loop_now(r->loop);
}

static void peer_note(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void peer_note(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
{
	char addr[ADDR_TEXT_MAX], msg[256];
	va_list ap;
	const struct log_field fields[] = { { "peer", addr_text(&p->cfg.addr, addr) },
		                            { NULL, NULL } };
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level, "router", fields, "%s", msg);
}

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
static void learn_next_hops(struct bgp_peer *p, struct router_peer *rp)
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
static bool shares_updates(const struct router_group *g)
{
	return g->n_neighbors > 1 || g->n_listen_ranges > 0;
}

static bool may_export(const struct router *r, const struct bgp_peer *p,
                       const struct router_peer *rp, const struct rib_path *best)
{
	const struct rib_source *src = rib_path_source(&r->rib, best);
	const struct attrset *attrs = rib_path_attrs(&r->rib, best);
	if (src == &rp->src && (!p->neg.ebgp || !shares_updates(rp->group)))
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

static void export_cache_clear(struct router *r, struct router_peer *rp)
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
		export_cache_clear(r, rp);
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

static void send_marker(struct bgp_peer *p, enum bgp_af af, int subtype);

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
	if (mrai_ms != 0 && now_ms(r) < rp->next_advert) {
		loop_timer_at(r->loop, &rp->mrai_timer, rp->next_advert);
		return false;
	}
	rp->next_advert = now_ms(r) + mrai_ms;
	int rc = adjout_flush(&rp->out, &r->rib, &p->neg.ctx, max, FLUSH_BUDGET, &export_ops, p);
	if (rc < 0)
		peer_note(p, LOG_WARN, "could not queue UPDATEs: the peer is not reading");
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

static void log_selection(const struct rib *rib, const struct rib_entry *e)
{
	char prefix[64], via[ADDR_TEXT_MAX];
	const struct rib_path *best = rib_best(e);

	if (!log_enabled(LOG_DEBUG))
		return;
	struct bgp_prefix p = rib_entry_prefix(e);
	bgp_prefix_format(prefix, sizeof(prefix), &p);
	if (best == NULL) {
		log_emit(LOG_DEBUG, "rib", NULL, "%s: no path left", prefix);
		return;
	}
	const struct rib_source *src = rib_path_source(rib, best);
	log_emit(LOG_DEBUG, "rib", NULL, "%s: best via %s (%s), %u path%s in the ECMP set", prefix,
	         src->local ? "local" : addr_text(&src->addr, via),
	         decide_reason_text((enum decide_reason)e->reason), e->n_multipath,
	         e->n_multipath == 1 ? "" : "s");
}

/* The address a path's packets go to, as the kernel wants it. */
static bool next_hop_of(const struct attrset *set, uint8_t af, struct fib_nexthop *out)
{
	const struct attrset_fixed *a = &set->fixed;
	memset(out, 0, sizeof(*out));
	if (af == BGP_AF_IPV4_UNICAST && attrset_has(set, BGP_ATTR_NEXT_HOP)) {
		out->af = BGP_AF_IPV4_UNICAST;
		for (int i = 0; i < 4; i++)
			out->addr[i] = (uint8_t)(a->next_hop >> (24 - 8 * i));
		return true;
	}
	if (attrset_has(set, BGP_ATTR_MP_REACH) && a->mp_nh_len >= 16) {
		out->af = BGP_AF_IPV6_UNICAST;
		memcpy(out->addr, attrset_mp_next_hop(set), 16);
		return true;
	}
	return false;
}

/* The kernel gets the best path and its ECMP set; the router's own
 * networks lead nowhere and stay out. */
static void program_fib(struct router *r, const struct rib_entry *e)
{
	struct fib_nexthop nh[FIB_MAX_PATHS];
	size_t n = 0;
	for (const struct rib_path *p = rib_paths(e);
	     p != NULL && p->multipath && n < FIB_MAX_PATHS; p = rib_path_next(p))
		if (!rib_path_source(&r->rib, p)->local &&
		    next_hop_of(rib_path_attrs(&r->rib, p), e->af, &nh[n]))
			n++;
	struct bgp_prefix pfx = rib_entry_prefix(e);
	if (fib_set(&r->fib, &pfx, nh, n) < 0)
		log_emit(LOG_ERROR, "fib", NULL, "out of memory: a route is not in the kernel");
}

/* The RIB changed what it selects for e: every peer looks at it again. */
static void on_rib_changed(void *ctx, struct rib_entry *e)
{
	struct router *r = ctx;
	log_selection(&r->rib, e);
	if (r->fib_on)
		program_fib(r, e);
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		struct router_peer *rp = p->rib;
		if (bgp_peer_established(p) && (p->neg.ctx.afs & BGP_AF_BIT(e->af)))
			adjout_mark(&rp->out, e);
	}
}

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

/* Every prefix of these families is looked at again for the peer. */
static void mark_table(struct router *r, struct router_peer *rp, uint8_t afs)
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
static void send_table(struct router *r, struct bgp_peer *p, uint8_t afs, bool refresh)
{
	struct router_peer *rp = p->rib;
	bool enhanced = refresh && p->neg.enhanced_rr;

	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (enhanced && (afs & BGP_AF_BIT(af)))
			send_marker(p, (enum bgp_af)af, BGP_RR_BORR);
	mark_table(r, rp, afs);
	if (enhanced || !refresh) {
		rp->markers_afs |= afs;
		rp->marker = enhanced ? BGP_RR_EORR : -1;
	}
	routes_flush(r);
}

static void converged(struct router *r, const char *why)
{
	r->converging = false;
	loop_timer_at(r->loop, &r->deferral_timer, 0);
	if (r->deferring)
		log_emit(LOG_INFO, "rib", NULL, "route selection deferral over: %s", why);
	r->deferring = false;
	if (r->fib_on)
		fib_converged(&r->fib);
	routes_flush(r);
}

/*
 * RFC 4724 §4.1: the deferral ends when every peer that can restart
 * gracefully has sent End-of-RIB for all its families.  Only established
 * peers count, and at least one must be: a peer that never comes back
 * would otherwise hold the table until the timer.
 */
static void convergence_check(struct router *r)
{
	size_t established = 0;
	if (!r->converging)
		return;
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		const struct router_peer *rp = p->rib;
		if (!bgp_peer_established(p))
			continue;
		established++;
		bool waits = p->neg.peer_gr && p->neg.peer_restart_time > 0;
		if (waits && (rp->eor_received_afs & p->neg.ctx.afs) != p->neg.ctx.afs)
			return;
	}
	if (established > 0)
		converged(r, "the peers sent End-of-RIB");
}

static void on_deferral_timer(struct loop_timer *t)
{
	converged(container_of(t, struct router, deferral_timer),
	          "the selection deferral timer expired");
}

void routes_converge(struct router *r, bool restarting)
{
	r->converging = true;
	r->deferring = restarting;
	loop_timer_at(r->loop, &r->deferral_timer,
	              loop_now(r->loop) + r->cfg.selection_deferral * 1000u);
	if (restarting)
		log_emit(LOG_INFO, "rib", NULL,
		         "back from a graceful restart: advertising nothing until the peers "
		         "send End-of-RIB (at most %u s)",
		         r->cfg.selection_deferral);
}

static void sweep_stale(struct router *r, struct bgp_peer *p, struct router_peer *rp, int af,
                        const char *why);

void routes_established(void *ctx, struct bgp_peer *p)
{
	struct router *r = router_of(ctx);
	struct router_peer *rp = p->rib;

	rp->src.ebgp = p->neg.ebgp;
	rp->src.asn = p->neg.peer_asn;
	rp->src.router_id = p->neg.peer_id;
	rp->import_refused_logged = false;
	rp->eor_received_afs = 0;
	export_cache_clear(r, rp);
	learn_next_hops(p, rp);
	if (rp->stale_afs != 0) {
		peer_note(p, LOG_INFO,
		          "peer back after a restart: stale routes stay until its "
		          "End-of-RIB");
		loop_timer_at(r->loop, &rp->stale_timer, now_ms(r) + STALEPATH_S * 1000u);
	}
	send_table(r, p, p->neg.ctx.afs, false);
	/* RFC 4724 §4.2: a family whose forwarding state the peer did not
	 * keep (no F bit), or no longer restarts gracefully, loses its stale
	 * routes at once. */
	for (int af = 0; af < BGP_AF_COUNT && rp->stale_afs != 0; af++)
		if ((rp->stale_afs & BGP_AF_BIT(af)) &&
		    !(p->neg.peer_gr_forwarding & BGP_AF_BIT(af)))
			sweep_stale(r, p, rp, af, "peer back without its forwarding state");
}

/*
 * RFC 4724 helper mode, always on (we always announce the capability): the
 * routes of a peer that can restart gracefully stay, stale, when its session fails, unless kbgp
 * itself stopped it with a Cease, or it ended with a NOTIFICATION without the N bit or with a Hard
 * Reset (RFC 8538 §4).
 */
static bool keeps_routes(const struct bgp_peer *p)
{
	const struct bgp_stats *st = &p->stats;
	if (!p->neg.peer_gr || p->neg.peer_restart_time == 0)
		return false;
	if (!st->ended_by_notification)
		return true;
	if (st->last_error_sent && st->last_error[0] == BGP_ERR_CEASE)
		return false;
	bool hard = st->last_error[0] == BGP_ERR_CEASE && st->last_error[1] == BGP_CEASE_HARD_RESET;
	return p->neg.peer_gr_notification && !hard;
}

static void keep_stale(struct router *r, struct bgp_peer *p, struct router_peer *rp)
{
	uint8_t kept = p->peer_open.caps.gr.afs & p->neg.ctx.afs;
	rib_mark_stale(&r->rib, &rp->src, -1);
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (!(kept & BGP_AF_BIT(af)))
			rib_sweep_stale(&r->rib, &rp->src, af);
	rp->stale_afs = kept;
	loop_timer_at(r->loop, &rp->stale_timer, now_ms(r) + p->neg.peer_restart_time * 1000u);
	peer_note(p, LOG_INFO, "graceful restart: keeping %zu routes stale for %u s",
	          rp->src.count[0] + rp->src.count[1], p->neg.peer_restart_time);
}

void routes_down(void *ctx, struct bgp_peer *p)
{
	struct router *r = router_of(ctx);
	struct router_peer *rp = p->rib;
	size_t had = rp->src.count[0] + rp->src.count[1];

	if (keeps_routes(p)) {
		keep_stale(r, p, rp);
	} else {
		rib_flush(&r->rib, &rp->src);
		rp->stale_afs = 0;
		loop_timer_at(r->loop, &rp->stale_timer, 0);
		if (had > 0)
			peer_note(p, LOG_INFO, "session down: %zu received prefixes dropped", had);
	}
	adjout_free(&rp->out, &r->rib);
	refused_clear(&rp->refused);
	export_cache_clear(r, rp);
	rp->over_limit_warned = false;
	convergence_check(r);
	routes_flush(r);
}

static void sweep_stale(struct router *r, struct bgp_peer *p, struct router_peer *rp, int af,
                        const char *why)
{
	size_t swept = rib_sweep_stale(&r->rib, &rp->src, af);
	rp->stale_afs &= (uint8_t)(af < 0 ? 0 : ~BGP_AF_BIT(af));
	if (rp->stale_afs == 0)
		loop_timer_at(r->loop, &rp->stale_timer, 0);
	if (rp->stale_afs == 0 && p->dynamic) /* it may go now (router.c) */
		loop_timer_at(r->loop, &r->reap_timer, now_ms(r));
	peer_note(p, LOG_INFO, "%s: %zu stale routes removed", why, swept);
	routes_flush(r);
}

static void on_stale_timer(struct loop_timer *t)
{
	struct router_peer *rp = container_of(t, struct router_peer, stale_timer);
	struct bgp_peer *p = rp->peer;
	sweep_stale(p->speaker->ctx, p, rp, -1, "graceful restart timer expired");
}

/* RFC 4486 §4: Cease / Maximum Number of Prefixes Reached carries the
 * AFI, SAFI and the limit. */
static void enforce_max_prefixes(struct bgp_peer *p, struct router_peer *rp, enum bgp_af af)
{
	const struct router_group *g = rp->group;
	size_t have = rp->src.count[af];
	if (g->max_prefixes == 0 || have <= g->max_prefixes)
		return;
	if (g->max_prefixes_warning_only) {
		if (!rp->over_limit_warned)
			peer_note(p, LOG_WARN, "%zu %s prefixes, over the limit of %u", have,
			          bgp_af_table[af].name, g->max_prefixes);
		rp->over_limit_warned = true;
		return;
	}
	peer_note(p, LOG_WARN, "%zu %s prefixes, over the limit of %u: stopping the session%s",
	          have, bgp_af_table[af].name, g->max_prefixes,
	          g->max_prefixes_restart != 0 ? " for a while" : " until it is re-enabled");
	struct bgp_notice n;
	bgp_notice_set(&n, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX);
	n.own[0] = (uint8_t)(bgp_af_table[af].afi >> 8);
	n.own[1] = (uint8_t)bgp_af_table[af].afi;
	n.own[2] = bgp_af_table[af].safi;
	for (int i = 0; i < 4; i++)
		n.own[3 + i] = (uint8_t)(g->max_prefixes >> (24 - 8 * i));
	n.own_len = 7;
	bgp_peer_stop(p, &n, g->max_prefixes_restart);
}

/*
 * Import: the group's import policies decide and may change the route;
 * without them RFC 8212 refuses everything over eBGP.  A route whose
 * AS_PATH holds our AS is a loop.  Returns false when the route must be
 * treated as withdrawn; *a may be changed.
 */
static bool import_route(struct router *r, struct bgp_peer *p, struct router_peer *rp,
                         const struct bgp_prefix *pfx, struct bgp_attrs *a)
{
	const struct router_group *g = rp->group;
	if (bgp_attr_has(a, BGP_ATTR_AS_PATH) &&
	    aspath_count(a->as_path, r->cfg.asn) > g->allowas_in)
		return false;
	if (g->n_import_policies > 0)
		return policy_index_apply(&g->import_index, &p->cfg.addr, pfx, false, a,
		                          &policy_scratch) == POLICY_ACCEPT;
	if (p->neg.ebgp && r->cfg.ebgp_requires_policy) {
		if (!rp->import_refused_logged)
			peer_note(p, LOG_WARN,
			          "routes ignored: RFC 8212 requires an import policy for "
			          "eBGP (or ebgpRequiresPolicy: false)");
		rp->import_refused_logged = true;
		return false;
	}
	return true;
}

void routes_update(void *ctx, struct bgp_peer *p, const struct bgp_update *u)
{
	struct router *r = router_of(ctx);
	struct router_peer *rp = p->rib;
	struct bgp_route_iter ri;
	struct bgp_prefix pfx;
	enum bgp_af eor;
	bool reach;
	char text[64];

	if (bgp_update_is_eor(u, &eor)) {
		peer_note(p, LOG_INFO, "End-of-RIB for %s, %zu prefixes received",
		          bgp_af_table[eor].name, rp->src.count[eor]);
		if (rp->stale_afs & BGP_AF_BIT(eor))
			sweep_stale(r, p, rp, eor, "End-of-RIB after a restart");
		rp->eor_received_afs |= (uint8_t)BGP_AF_BIT(eor);
		convergence_check(r);
		return;
	}
	/* Without import policies the UPDATE's routes are all accepted or
	 * all refused; with them, each route is looked at. */
	bool per_route = rp->group->n_import_policies > 0;
	struct bgp_attrs checked = u->attrs;
	bool accept_all = !per_route && import_route(r, p, rp, NULL, &checked);
	/* Routes accepted as they came share the UPDATE's attributes,
	 * interned once. */
	struct attrset *shared = NULL;
	uint8_t touched = 0;
	size_t lost = 0;
	uint64_t now = now_ms(r);
	/* The RIB's memory for these prefixes is fetched all at once, not one
	 * cache miss after another: a full table is a million new prefixes. */
	bgp_route_iter_init(&ri, u, &p->neg.ctx);
	while (bgp_route_iter_next(&ri, &pfx, &reach) == 1)
		rib_prefetch(&r->rib, &pfx);
	bgp_route_iter_init(&ri, u, &p->neg.ctx);
	while (bgp_route_iter_next(&ri, &pfx, &reach) == 1) {
		struct bgp_attrs a;
		memcpy(&a, &u->attrs, sizeof(a)); /* padding too: compared below */
		bool accepted =
		        reach && (accept_all || (per_route && import_route(r, p, rp, &pfx, &a)));
		bool as_received =
		        accepted && (!per_route || memcmp(&a, &u->attrs, sizeof(a)) == 0);
		if (as_received && shared == NULL)
			shared = attrset_intern(&r->rib.attrs, &u->attrs);
		if (as_received && shared != NULL)
			lost += rib_update_set(&r->rib, &rp->src, &pfx, shared, now) < 0;
		else if (accepted)
			lost += rib_update(&r->rib, &rp->src, &pfx, &a, now) < 0;
		else
			rib_withdraw(&r->rib, &rp->src, &pfx);
		if (rp->group->count_refused)
			refused_note(&rp->refused, &pfx, reach && !accepted);
		touched |= (uint8_t)BGP_AF_BIT(pfx.af);
		if (!log_enabled(LOG_DEBUG))
			continue;
		bgp_prefix_format(text, sizeof(text), &pfx);
		peer_note(p, LOG_DEBUG, "%s %s", reach ? "announced" : "withdrawn", text);
	}
	if (shared != NULL)
		attrset_unref(&r->rib.attrs, shared);
	if (lost > 0)
		peer_note(p, LOG_ERROR,
		          "%zu routes of an UPDATE are not in the RIB: out of memory, or more "
		          "than 65535 peers with routes",
		          lost);
	for (int af = 0; af < BGP_AF_COUNT && bgp_peer_established(p); af++)
		if (touched & BGP_AF_BIT(af))
			enforce_max_prefixes(p, rp, (enum bgp_af)af);
	routes_flush(r);
}

/*
 * ROUTE-REFRESH.  A request: forget what the peer was sent of that family
 * and send it all again.  BoRR and EoRR from the peer (RFC 7313 §4): its
 * routes of the family go stale at the beginning and what it did not send
 * again is removed at the end.
 */
void routes_refresh(void *ctx, struct bgp_peer *p, const struct bgp_route_refresh *rr)
{
	struct router *r = router_of(ctx);
	struct router_peer *rp = p->rib;
	enum bgp_af af;

	if (!bgp_af_lookup(rr->afi, rr->safi, &af) || !(p->neg.ctx.afs & BGP_AF_BIT(af)))
		return;
	switch (rr->subtype) {
	case BGP_RR_BORR:
		rib_mark_stale(&r->rib, &rp->src, af);
		return;
	case BGP_RR_EORR:
		if (rib_sweep_stale(&r->rib, &rp->src, af) > 0)
			routes_flush(r);
		return;
	default:
		adjout_forget(&rp->out, &r->rib, af);
		send_table(r, p, BGP_AF_BIT(af), true);
	}
}

struct router_peer *routes_peer_new(const struct router_group *g, const union sockaddr_any *addr)
{
	struct router_peer *rp = calloc(1, sizeof(*rp));
	if (rp == NULL)
		return NULL;
	rp->group = g;
	rp->src.addr = *addr;
	adjout_init(&rp->out);
	refused_init(&rp->refused);
	loop_timer_init(&rp->stale_timer, on_stale_timer);
	loop_timer_init(&rp->mrai_timer, on_mrai);
	return rp;
}

void routes_peer_attach(struct router_peer *rp, struct bgp_peer *p)
{
	rp->peer = p;
	p->rib = rp;
}

void routes_peer_free(struct router *r, struct router_peer *rp)
{
	loop_timer_at(r->loop, &rp->stale_timer, 0);
	loop_timer_at(r->loop, &rp->mrai_timer, 0);
	export_cache_clear(r, rp);
	rib_source_detach(&r->rib, &rp->src);
	adjout_free(&rp->out, &r->rib);
	refused_clear(&rp->refused);
	free(rp);
	routes_flush(r);
}

static bool same_policy(const struct policy *a, const struct policy *b)
{
	return a->digest == b->digest && strcmp(a->name, b->name) == 0;
}

/* Where two chains differ: they agree on their first *head policies and
 * on their last *tail, head and tail not overlapping in either. */
static void chain_diff(const struct policy *const *a, size_t na, const struct policy *const *b,
                       size_t nb, size_t *head, size_t *tail)
{
	size_t h = 0, t = 0, shorter = na < nb ? na : nb;
	while (h < shorter && same_policy(a[h], b[h]))
		h++;
	while (t < shorter - h && same_policy(a[na - 1 - t], b[nb - 1 - t]))
		t++;
	*head = h;
	*tail = t;
}

static bool same_chain(const struct policy *const *a, size_t na, const struct policy *const *b,
                       size_t nb)
{
	size_t head, tail;
	chain_diff(a, na, b, nb, &head, &tail);
	return na == nb && head == na;
}

/* Every statement of these policies has prefix conditions: none of them
 * can match a route those do not cover. */
static bool prefixed(const struct policy *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i]->n_statements; k++)
			if (v[i]->statements[k].match.n_prefixes == 0)
				return false;
	return true;
}

/* The peer looks again at the routes pp may hold for: one lookup for an
 * exact prefix, a walk for a range of lengths. */
static void mark_covered(struct router *r, struct router_peer *rp, const struct policy_prefix *pp)
{
	struct bgp_prefix base = policy_prefix_base(pp);
	struct rib_entry *e;
	size_t pos = 0;

	if (!(rp->peer->neg.ctx.afs & BGP_AF_BIT(base.af)))
		return;
	if (pp->max_len <= base.len) {
		if ((e = rib_lookup(&r->rib, &base)) != NULL)
			adjout_mark(&rp->out, e);
		return;
	}
	while ((e = rib_next(&r->rib, &pos)) != NULL) {
		struct bgp_prefix p = rib_entry_prefix(e);
		if (policy_prefix_covers(pp, &p))
			adjout_mark(&rp->out, e);
	}
}

static void mark_prefixes(struct router *r, struct router_peer *rp, const struct policy *const *v,
                          size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i]->n_statements; k++)
			for (size_t j = 0; j < v[i]->statements[k].match.n_prefixes; j++)
				mark_covered(r, rp, &v[i]->statements[k].match.prefixes[j]);
}

/*
 * The export chain changed from was's to g's: outside the prefixes that
 * the policies between their common head and tail (old and new versions)
 * name, both run the same statements in the same order, so only the
 * routes under those prefixes are looked at again, now.  Not when one of
 * those statements names no prefix (it may match any route), nor when
 * either chain is empty (then RFC 8212, or no policy at all, decides for
 * every route): false, the whole table must be.
 */
static bool reexport_changed(struct router *r, struct router_peer *rp,
                             const struct router_group *was, const struct router_group *g)
{
	size_t head, tail;
	chain_diff(was->export_policies, was->n_export_policies, g->export_policies,
	           g->n_export_policies, &head, &tail);
	size_t n_gone = was->n_export_policies - head - tail;
	size_t n_came = g->n_export_policies - head - tail;
	if (n_gone == 0 && n_came == 0)
		return true;
	if (was->n_export_policies == 0 || g->n_export_policies == 0)
		return false;
	const struct policy *const *gone = was->export_policies + head;
	const struct policy *const *came = g->export_policies + head;
	if (!prefixed(gone, n_gone) || !prefixed(came, n_came))
		return false;
	if (bgp_peer_established(rp->peer)) {
		mark_prefixes(r, rp, gone, n_gone);
		mark_prefixes(r, rp, came, n_came);
	}
	return true;
}

void routes_peer_regroup(struct router *r, struct router_peer *rp, const struct router_group *g,
                         const struct router_config *next)
{
	const struct router_group *was = rp->group;
	bool rule = r->cfg.ebgp_requires_policy != next->ebgp_requires_policy ||
	            r->cfg.export_requires_policy != next->export_requires_policy;
	if (rule || was->allowas_in != g->allowas_in ||
	    !same_chain(was->import_policies, was->n_import_policies, g->import_policies,
	                g->n_import_policies))
		rp->reimport = true;
	if (rule || shares_updates(was) != shares_updates(g) || !reexport_changed(r, rp, was, g))
		rp->reexport = true;
	rp->group = g;
}

static void reimport(struct bgp_peer *p)
{
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if ((p->neg.ctx.afs & BGP_AF_BIT(af)) && bgp_peer_refresh(p, (enum bgp_af)af) < 0) {
			peer_note(p, LOG_WARN,
			          "the peer cannot refresh: its routes follow the import policy "
			          "as they next arrive");
			return;
		}
	peer_note(p, LOG_INFO, "asked the peer for its routes again");
}

void routes_clear_soft(struct router *r, struct bgp_peer *p, bool in)
{
	struct router_peer *rp = p->rib;
	if (in) {
		reimport(p);
		return;
	}
	export_cache_clear(r, rp);
	mark_table(r, rp, p->neg.ctx.afs);
	routes_flush(r);
}

void routes_reloaded(struct router *r, bool redecide)
{
	if (redecide)
		rib_redecide(&r->rib);
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		struct router_peer *rp = p->rib;
		if (bgp_peer_established(p) && rp->reimport) {
			peer_note(p, LOG_INFO, "import policy changed");
			reimport(p);
		}
		if (bgp_peer_established(p) && rp->reexport) {
			export_cache_clear(r, rp);
			mark_table(r, rp, p->neg.ctx.afs);
		}
		rp->reimport = rp->reexport = false;
	}
	routes_flush(r);
}

void routes_init(struct router *r)
{
	struct decide_config dc = {
		.as_path_multipath_relax = r->cfg.as_path_multipath_relax,
		.maximum_paths_ebgp = r->cfg.maximum_paths,
		.maximum_paths_ibgp = 1,
	};
	rib_init(&r->rib, &dc, on_rib_changed, r);
	loop_idle_init(&r->work, on_work);
	loop_timer_init(&r->deferral_timer, on_deferral_timer);
	routes_networks_init(r);
	rib_local_source_init(&r->self, r->cfg.router_id);
}

void routes_free(struct router *r)
{
	loop_idle_set(r->loop, &r->work, false);
	loop_timer_at(r->loop, &r->deferral_timer, 0);
	loop_timer_at(r->loop, &r->network_timer, 0);
	rib_free(&r->rib);
}
