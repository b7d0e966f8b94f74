/*
 * routes: the router role's import, and its peers' routes through their
 * sessions' lives (export is export.c, reloads reload.c, its own routes,
 * the networks, networks.c).
 *
 * Import: a route whose AS_PATH holds our AS is a loop and is dropped
 * (RFC 4271 §9.1.2); over eBGP nothing is imported while RFC 8212 is on
 * (ebgpRequiresPolicy, until policies exist).  A changed selection goes to
 * the kernel and to every peer's Adj-RIB-Out.  Graceful restart, as helper
 * and as restarting speaker, and the maximum-prefix limit live here.
 */
#include "router/routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/aspath.h"
#include "lib/log.h"
#include "router/router.h"

#define STALEPATH_S 360 /* FRR's stalepath-time: a restarted peer's deadline for End-of-RIB */

/* Where import policies build changed values; routes are interned right
 * after. */
static struct policy_scratch policy_scratch;

static struct router *router_of(void *ctx)
{
	return ctx;
}

static uint64_t now_ms(const struct router *r)
{
	return loop_now(r->loop);
}

void routes_peer_note(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
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
		if (bgp_peer_established(p) && (p->neg.ctx.afs & BGP_AF_BIT(e->af)) &&
		    routes_export_concerns(r, p, e))
			adjout_mark(&rp->out, e);
	}
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
	routes_export_forget(r, rp);
	routes_learn_next_hops(p, rp);
	if (rp->stale_afs != 0) {
		routes_peer_note(p, LOG_INFO,
		                 "peer back after a restart: stale routes stay until its "
		                 "End-of-RIB");
		loop_timer_at(r->loop, &rp->stale_timer, now_ms(r) + STALEPATH_S * 1000u);
	}
	routes_send_table(r, p, p->neg.ctx.afs, false);
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
	routes_peer_note(p, LOG_INFO, "graceful restart: keeping %zu routes stale for %u s",
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
			routes_peer_note(p, LOG_INFO, "session down: %zu received prefixes dropped",
			                 had);
	}
	adjout_free(&rp->out, &r->rib);
	refused_clear(&rp->refused);
	routes_export_forget(r, rp);
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
	routes_peer_note(p, LOG_INFO, "%s: %zu stale routes removed", why, swept);
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
			routes_peer_note(p, LOG_WARN, "%zu %s prefixes, over the limit of %u", have,
			                 bgp_af_table[af].name, g->max_prefixes);
		rp->over_limit_warned = true;
		return;
	}
	routes_peer_note(p, LOG_WARN,
	                 "%zu %s prefixes, over the limit of %u: stopping the session%s", have,
	                 bgp_af_table[af].name, g->max_prefixes,
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
			routes_peer_note(p, LOG_WARN,
			                 "routes ignored: RFC 8212 requires an import policy for "
			                 "eBGP (or ebgpRequiresPolicy: false)");
		rp->import_refused_logged = true;
		return false;
	}
	return true;
}

/* One UPDATE's import: what holds for all of its routes. */
struct import_run {
	struct router *r;
	struct bgp_peer *p;
	struct router_peer *rp;
	const struct bgp_update *u;
	bool per_route;  /* import policies look at each route */
	bool accept_all; /* without them, all are accepted or none */
	/* Routes accepted as they came share the UPDATE's attributes,
	 * interned once. */
	struct attrset *shared;
	uint8_t touched; /* families */
	size_t lost;
	uint64_t now;
};

static void import_one(struct import_run *run, const struct rib_key *k, bool reach)
{
	struct router *r = run->r;
	struct router_peer *rp = run->rp;
	const struct bgp_prefix *pfx = &k->prefix;
	const struct bgp_attrs *attrs = &run->u->attrs;
	struct bgp_attrs a;
	bool accepted = reach && run->accept_all, as_received = accepted;
	if (reach && run->per_route) {
		memcpy(&a, attrs, sizeof(a)); /* padding too: compared below */
		accepted = import_route(r, run->p, rp, pfx, &a);
		as_received = accepted && memcmp(&a, attrs, sizeof(a)) == 0;
		attrs = &a;
	}
	if (as_received && run->shared == NULL)
		run->shared = attrset_intern(&r->rib.attrs, &run->u->attrs);
	if (as_received && run->shared != NULL)
		run->lost += rib_update_set(&r->rib, &rp->src, k, run->shared, run->now) < 0;
	else if (accepted)
		run->lost += rib_update(&r->rib, &rp->src, pfx, attrs, run->now) < 0;
	else
		rib_withdraw(&r->rib, &rp->src, pfx);
	if (rp->group->count_refused)
		refused_note(&rp->refused, pfx, reach && !accepted);
	run->touched |= (uint8_t)BGP_AF_BIT(pfx->af);
	if (log_enabled(LOG_DEBUG)) {
		char text[64];
		bgp_prefix_format(text, sizeof(text), pfx);
		routes_peer_note(run->p, LOG_DEBUG, "%s %s", reach ? "announced" : "withdrawn",
		                 text);
	}
}

/* Prefixes decoded, hashed and fetched ahead of their import: enough to
 * overlap the cache misses of a table sent in no particular order, few
 * enough that the first are still cached. */
#define IMPORT_BATCH 32

void routes_update(void *ctx, struct bgp_peer *p, const struct bgp_update *u)
{
	struct router *r = router_of(ctx);
	struct router_peer *rp = p->rib;
	enum bgp_af eor;

	if (bgp_update_is_eor(u, &eor)) {
		routes_peer_note(p, LOG_INFO, "End-of-RIB for %s, %zu prefixes received",
		                 bgp_af_table[eor].name, rp->src.count[eor]);
		if (rp->stale_afs & BGP_AF_BIT(eor))
			sweep_stale(r, p, rp, eor, "End-of-RIB after a restart");
		rp->eor_received_afs |= (uint8_t)BGP_AF_BIT(eor);
		convergence_check(r);
		return;
	}
	struct import_run run = { .r = r,
		                  .p = p,
		                  .rp = rp,
		                  .u = u,
		                  .per_route = rp->group->n_import_policies > 0,
		                  .now = now_ms(r) };
	struct bgp_attrs checked = u->attrs;
	run.accept_all = !run.per_route && import_route(r, p, rp, NULL, &checked);
	struct rib_key keys[IMPORT_BATCH];
	bool reach[IMPORT_BATCH];
	struct bgp_route_iter ri;
	size_t n;
	bgp_route_iter_init(&ri, u, &p->neg.ctx);
	do {
		n = 0;
		while (n < IMPORT_BATCH &&
		       bgp_route_iter_next(&ri, &keys[n].prefix, &reach[n]) == 1)
			n++;
		rib_keys_make(&r->rib, keys, n);
		for (size_t i = 0; i < n; i++)
			import_one(&run, &keys[i], reach[i]);
	} while (n == IMPORT_BATCH);
	if (run.shared != NULL)
		attrset_unref(&r->rib.attrs, run.shared);
	if (run.lost > 0)
		routes_peer_note(
		        p, LOG_ERROR,
		        "%zu routes of an UPDATE are not in the RIB: out of memory, or more "
		        "than 65535 peers with routes",
		        run.lost);
	for (int af = 0; af < BGP_AF_COUNT && bgp_peer_established(p); af++)
		if (run.touched & BGP_AF_BIT(af))
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
		routes_send_table(r, p, BGP_AF_BIT(af), true);
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
	routes_export_peer_init(rp);
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
	routes_export_forget(r, rp);
	rib_source_detach(&r->rib, &rp->src);
	adjout_free(&rp->out, &r->rib);
	refused_clear(&rp->refused);
	free(rp);
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
	routes_export_init(r);
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
