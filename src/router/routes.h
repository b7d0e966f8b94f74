/*
 * routes: the router role's routing: what peers announce goes into the RIB
 * (with the import checks), what the RIB selects goes out to every peer
 * through its Adj-RIB-Out (with the export rules), and the `networks` are
 * the router's own routes.  Internal to src/router.
 */
#ifndef KBGP_ROUTER_ROUTES_H
#define KBGP_ROUTER_ROUTES_H

#include "bgp/session.h"
#include "lib/log.h"
#include "rib/adjout.h"
#include "rib/rib.h"
#include "router/config.h"
#include "router/refused.h"

struct router;

/* What the router keeps for one peer (bgp_peer.rib points here). */
struct router_peer {
	const struct router_group *group;
	struct rib_source src;      /* its paths in the RIB */
	struct refused_set refused; /* what import refused, when counted */
	struct adjout out;          /* what it has been sent */
	uint32_t next_hop4;         /* next hop self, per family, found at Established */
	uint8_t next_hop6[16];
	bool have_next_hop6;
	/* The IPv4 subnet shared with the peer, for third-party next hops. */
	bool have_shared4;
	struct addr_range shared4;
	bool over_limit_warned;
	bool import_refused_logged;
	/* MRAI (RFC 4271 §9.2.1.1): no UPDATE before next_advert. */
	uint64_t next_advert;
	struct loop_timer mrai_timer;
	/* The last export: routes sharing attributes, and a source of the
	 * same kind, share the result when no export policy looks at the
	 * prefix. */
	struct attrset *cache_in, *cache_out;
	bool cache_local, cache_ebgp;
	uint8_t cache_af;
	/* A reload changed what its routes go through on the way in / out. */
	bool reimport, reexport;
	/* Families the peer has sent End-of-RIB for in this session. */
	uint8_t eor_received_afs;
	/* End-of-RIB (or EoRR) to send per family once the table is out. */
	uint8_t markers_afs;
	int marker;
	/* Graceful restart helper: families whose routes are kept stale while
	 * the peer restarts, swept at its End-of-RIB or when the timer fires. */
	uint8_t stale_afs;
	struct loop_timer stale_timer;
	struct bgp_peer *peer;
};

void routes_init(struct router *r);
void routes_free(struct router *r);
/* Start converging: until the peers' End-of-RIB or the selection deferral
 * timer, a previous run's kernel routes stay, and, restarting after a
 * graceful stop, nothing is advertised. */
void routes_converge(struct router *r, bool restarting);
/* Reload, peer by peer: the peer keeps its session under group g of the
 * next configuration; note what must be looked at again (the routes a few
 * changed export policies name are marked at once). */
void routes_peer_regroup(struct router *r, struct router_peer *rp, const struct router_group *g,
                         const struct router_config *next);
/* Reload, once the next configuration is in place: decide every prefix
 * again if redecide, ask regrouped peers for their routes again (route
 * refresh) and send them what their new export gives. */
void routes_reloaded(struct router *r, bool redecide);
/* `clear bgp NEIGHBOR soft in|out`: ask the peer for its routes again, or
 * send it the whole table again (only differences go out). */
void routes_clear_soft(struct router *r, struct bgp_peer *p, bool in);
/* Make the RIB's local routes match cfg's networks (networks.c). */
void routes_set_networks(struct router *r, const struct router_config *cfg);
void routes_networks_init(struct router *r);
/* Send what the Adj-RIB-Outs have pending, in slices. */
void routes_flush(struct router *r);

struct router_peer *routes_peer_new(const struct router_group *g, const union sockaddr_any *addr);
/* Tie the router's state to its session (after bgp_peer_add). */
void routes_peer_attach(struct router_peer *rp, struct bgp_peer *p);
void routes_peer_free(struct router *r, struct router_peer *rp);

void routes_established(void *ctx, struct bgp_peer *p);
void routes_down(void *ctx, struct bgp_peer *p);
void routes_update(void *ctx, struct bgp_peer *p, const struct bgp_update *u);
void routes_refresh(void *ctx, struct bgp_peer *p, const struct bgp_route_refresh *rr);

/* Between routes.c, export.c and reload.c. */
void routes_peer_note(const struct bgp_peer *p, enum log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void routes_export_init(struct router *r);
void routes_export_peer_init(struct router_peer *rp);
void routes_learn_next_hops(struct bgp_peer *p, struct router_peer *rp);
/* Whether the peers of g get one stream of UPDATEs, like an FRR update group. */
bool routes_shares_updates(const struct router_group *g);
/* Drop the peer's export cache: what its routes go out with may change. */
void routes_export_forget(struct router *r, struct router_peer *rp);
void routes_mark_table(struct router *r, struct router_peer *rp, uint8_t afs);
/* Whether a change of e's selection may change what p hears of it: not
 * when the best path is p's own, which it never gets back, and p was sent
 * nothing for e.  A full table from one peer is then not looked at again
 * for that peer. */
bool routes_export_concerns(const struct router *r, const struct bgp_peer *p,
                            const struct rib_entry *e);
void routes_send_table(struct router *r, struct bgp_peer *p, uint8_t afs, bool refresh);

#endif
