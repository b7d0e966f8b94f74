/*
 * router: wires the configuration to the session layer and keeps what each
 * peer announced.  Until the RIB lands, received routes are only counted
 * per peer (rib/prefix_set) and the router announces its `networks`.
 */
#include "router/router.h"

#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/update_build.h"
#include "lib/log.h"
#include "rib/prefix_set.h"

struct router_peer {
	const struct router_group *group;
	struct prefix_set adj_in;
	size_t count[BGP_AF_COUNT]; /* prefixes in adj_in per family */
	bool over_limit_warned;
};

static struct router *router_of(void *ctx)
{
	return ctx;
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

/* Attributes of a `network` route as sent to this peer: next hop self. */
static int network_attrs(const struct router *r, struct bgp_peer *p, enum bgp_af af,
                         struct bgp_attrs *a, uint8_t *path)
{
	union sockaddr_any local;
	socklen_t len = sizeof(local);

	memset(a, 0, sizeof(*a));
	if (getsockname(p->conn.fd, &local.sa, &len) < 0)
		return -1;
	a->origin = BGP_ORIGIN_IGP;
	bgp_attr_set(a, BGP_ATTR_ORIGIN);
	bgp_attr_set(a, BGP_ATTR_AS_PATH);
	if (p->neg.ebgp) {
		/* RFC 4271 §5.1.2: eBGP prepends our AS. */
		uint8_t seg[6] = { BGP_AS_SEQUENCE,
			           1,
			           (uint8_t)(r->cfg.asn >> 24),
			           (uint8_t)(r->cfg.asn >> 16),
			           (uint8_t)(r->cfg.asn >> 8),
			           (uint8_t)r->cfg.asn };
		memcpy(path, seg, sizeof(seg));
		a->as_path = rbuf_make(path, sizeof(seg));
	} else {
		a->local_pref = 100;
		bgp_attr_set(a, BGP_ATTR_LOCAL_PREF);
	}
	addr_unmap(&local);
	if (af == BGP_AF_IPV4_UNICAST) {
		uint8_t v4[4];
		bgp_attr_set(a, BGP_ATTR_NEXT_HOP);
		a->next_hop = addr_ipv4(&local);
		if (local.sa.sa_family == AF_INET6 && sibling_address(&local, AF_INET, v4) == 0)
			a->next_hop =
			        (uint32_t)v4[0] << 24 | (uint32_t)v4[1] << 16 | v4[2] << 8 | v4[3];
		return a->next_hop != 0 ? 0 : -1;
	}
	a->mp_reach.nh_len = 16;
	if (local.sa.sa_family == AF_INET6) {
		memcpy(a->mp_reach.nh, &local.in6.sin6_addr, 16);
	} else if (sibling_address(&local, AF_INET6, a->mp_reach.nh) < 0) {
		/* No IPv6 address on that interface: the IPv4-mapped form. */
		memset(a->mp_reach.nh, 0, 16);
		a->mp_reach.nh[10] = a->mp_reach.nh[11] = 0xff;
		memcpy(a->mp_reach.nh + 12, &local.in.sin_addr, 4);
	}
	return 0;
}

/* Announce the networks of one family, then End-of-RIB. */
static void announce_networks(struct router *r, struct bgp_peer *p, enum bgp_af af,
                              const struct router_config *cfg)
{
	static uint8_t msg[BGP_EXT_MAX_LEN];
	uint8_t path[6];
	struct bgp_attrs a;
	struct bgp_prefix v[64];
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_networks && n < 64; i++)
		if (cfg->networks[i].af == af)
			v[n++] = cfg->networks[i];
	size_t max = p->neg.ext_message ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
	if (n > 0 && network_attrs(r, p, af, &a, path) == 0) {
		for (size_t sent = 0; sent < n;) {
			struct wbuf w;
			wbuf_init(&w, msg, sizeof(msg));
			size_t k =
			        bgp_update_build(&w, max, &p->neg.ctx, &a, af, v + sent, n - sent);
			if (k == 0 || bgp_peer_send(p, w.p, w.len) < 0)
				return;
			sent += k;
		}
	}
	struct wbuf w;
	wbuf_init(&w, msg, sizeof(msg));
	bgp_update_build_eor(&w, af);
	bgp_peer_send(p, w.p, w.len);
}

static void on_established(void *ctx, struct bgp_peer *p)
{
	struct router *r = router_of(ctx);
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (p->neg.ctx.afs & BGP_AF_BIT(af))
			announce_networks(r, p, (enum bgp_af)af, &r->cfg);
}

static void on_down(void *ctx, struct bgp_peer *p)
{
	(void)ctx;
	struct router_peer *rp = p->rib;
	if (rp == NULL)
		return;
	if (rp->adj_in.count > 0)
		peer_note(p, LOG_INFO, "session down: %zu received prefixes dropped",
		          rp->adj_in.count);
	prefix_set_clear(&rp->adj_in);
}

/* RFC 4486 §4: Cease / Maximum Number of Prefixes Reached carries the
 * AFI, SAFI and the limit. */
static void enforce_max_prefixes(struct bgp_peer *p, struct router_peer *rp, enum bgp_af af)
{
	const struct router_group *g = rp->group;
	if (g->max_prefixes == 0 || rp->count[af] <= g->max_prefixes)
		return;
	if (g->max_prefixes_warning_only) {
		if (!rp->over_limit_warned)
			peer_note(p, LOG_WARN, "%zu %s prefixes, over the limit of %u",
			          rp->count[af], bgp_af_table[af].name, g->max_prefixes);
		rp->over_limit_warned = true;
		return;
	}
	peer_note(p, LOG_WARN, "%zu %s prefixes, over the limit of %u: stopping the session%s",
	          rp->count[af], bgp_af_table[af].name, g->max_prefixes,
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

static void on_update(void *ctx, struct bgp_peer *p, const struct bgp_update *u)
{
	(void)ctx;
	struct router_peer *rp = p->rib;
	struct bgp_route_iter ri;
	struct bgp_prefix pfx;
	enum bgp_af eor;
	bool reach;
	char text[64];

	if (bgp_update_is_eor(u, &eor)) {
		peer_note(p, LOG_INFO, "End-of-RIB for %s, %zu prefixes received",
		          bgp_af_table[eor].name, rp->count[eor]);
		return;
	}
	uint8_t touched = 0;
	bgp_route_iter_init(&ri, u, &p->neg.ctx);
	while (bgp_route_iter_next(&ri, &pfx, &reach) == 1) {
		if (reach && prefix_set_add(&rp->adj_in, &pfx) == 1)
			rp->count[pfx.af]++;
		else if (!reach && prefix_set_remove(&rp->adj_in, &pfx))
			rp->count[pfx.af]--;
		touched |= (uint8_t)BGP_AF_BIT(pfx.af);
		bgp_prefix_format(text, sizeof(text), &pfx);
		peer_note(p, LOG_DEBUG, "%s %s", reach ? "announced" : "withdrawn", text);
	}
	for (int af = 0; af < BGP_AF_COUNT && bgp_peer_established(p); af++)
		if (touched & BGP_AF_BIT(af))
			enforce_max_prefixes(p, rp, (enum bgp_af)af);
}

static void on_route_refresh(void *ctx, struct bgp_peer *p, const struct bgp_route_refresh *rr)
{
	enum bgp_af af;
	if (rr->subtype == BGP_RR_NORMAL && bgp_af_lookup(rr->afi, rr->safi, &af) &&
	    (p->neg.ctx.afs & BGP_AF_BIT(af)))
		announce_networks(router_of(ctx), p, af, &router_of(ctx)->cfg);
}

static void group_peer_cfg(const struct router *r, const struct router_group *g,
                           const union sockaddr_any *addr, struct bgp_peer_cfg *pc)
{
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->name, sizeof(pc->name), "%s", g->name);
	pc->addr = *addr;
	addr_set_port(&pc->addr, g->peer_port);
	pc->as_kind = g->as_kind;
	pc->asn = g->asn;
	pc->hold_time = g->hold_time;
	pc->keepalive = g->keepalive;
	pc->connect_retry = g->connect_retry;
	pc->passive = g->passive;
	pc->families = g->families;
	pc->graceful_restart = r->cfg.graceful_restart;
	pc->restart_time = r->cfg.restart_time;
	pc->shutdown = g->shutdown;
	bool ibgp = g->as_kind == BGP_PEER_AS_INTERNAL ||
	            (g->as_kind == BGP_PEER_AS_NUMBER && g->asn == r->cfg.asn);
	pc->transport.hops = ibgp ? 255 : g->ebgp_multihop;
	if (g->ttl_security_hops != 0) {
		pc->transport.gtsm = true;
		pc->transport.hops = g->ttl_security_hops;
	}
	snprintf(pc->transport.md5_key, sizeof(pc->transport.md5_key), "%s", g->md5_key);
	pc->transport.has_local = g->has_local_address;
	pc->transport.local = g->local_address;
}

static struct bgp_peer *add_peer(struct router *r, const struct router_group *g,
                                 const union sockaddr_any *addr, bool dynamic)
{
	struct bgp_peer_cfg pc;
	struct router_peer *rp = calloc(1, sizeof(*rp));

	if (rp == NULL)
		return NULL;
	group_peer_cfg(r, g, addr, &pc);
	pc.passive |= dynamic;
	rp->group = g;
	prefix_set_init(&rp->adj_in);
	struct bgp_peer *p = bgp_peer_add(&r->speaker, &pc);
	if (p == NULL) {
		free(rp);
		return NULL;
	}
	p->rib = rp;
	return p;
}

static void remove_peer(struct bgp_peer *p, uint8_t subcode, const char *message)
{
	struct router_peer *rp = p->rib;
	bgp_peer_remove(p, subcode, message);
	prefix_set_free(&rp->adj_in);
	free(rp);
}

static const struct router_group *group_for(const struct router *r, const union sockaddr_any *a)
{
	for (size_t i = 0; i < r->cfg.n_groups; i++)
		for (size_t k = 0; k < r->cfg.groups[i].n_listen_ranges; k++)
			if (addr_in_range(a, &r->cfg.groups[i].listen_ranges[k]))
				return &r->cfg.groups[i];
	return NULL;
}

/* Dynamic neighbours (FRR `bgp listen range`) take their group's settings
 * and never connect out. */
static struct bgp_peer *on_dynamic_peer(void *ctx, const union sockaddr_any *from)
{
	struct router *r = router_of(ctx);
	const struct router_group *g = group_for(r, from);
	return g != NULL ? add_peer(r, g, from, true) : NULL;
}

static const struct bgp_speaker_ops router_ops = {
	.established = on_established,
	.down = on_down,
	.update = on_update,
	.route_refresh = on_route_refresh,
	.dynamic_peer = on_dynamic_peer,
};

static int start_sessions(struct router *r);
static void stop_sessions(struct router *r);

static void on_stop_signal(struct loop_signal *s)
{
	struct router *r = s->w.signum == SIGTERM ? container_of(s, struct router, sigterm)
	                                          : container_of(s, struct router, sigint);
	log_emit(LOG_INFO, "router", NULL, "signal %d: stopping", s->w.signum);
	router_stop(r);
	loop_break(r->loop);
}

static bool same_globals(const struct router_config *a, const struct router_config *b)
{
	return a->asn == b->asn && a->router_id == b->router_id &&
	       a->listen_port == b->listen_port && a->n_listen == b->n_listen &&
	       memcmp(a->listen, b->listen, sizeof(a->listen)) == 0 &&
	       a->graceful_restart == b->graceful_restart && a->restart_time == b->restart_time;
}

/* The group a fixed or dynamic neighbour belongs to under cfg, or NULL. */
static const struct router_group *group_of(const struct router *r, const struct router_config *cfg,
                                           const struct bgp_peer *p)
{
	for (size_t i = 0; i < cfg->n_groups; i++)
		for (size_t k = 0; k < cfg->groups[i].n_neighbors; k++)
			if (!p->dynamic && addr_equal(&cfg->groups[i].neighbors[k], &p->cfg.addr))
				return &cfg->groups[i];
	(void)r;
	for (size_t i = 0; i < cfg->n_groups; i++)
		for (size_t k = 0; k < cfg->groups[i].n_listen_ranges; k++)
			if (p->dynamic &&
			    addr_in_range(&p->cfg.addr, &cfg->groups[i].listen_ranges[k]))
				return &cfg->groups[i];
	return NULL;
}

static bool peer_known(const struct router *r, const union sockaddr_any *a)
{
	return bgp_peer_find((struct bgp_speaker *)&r->speaker, a) != NULL;
}

/* `shutdown: true` is an administrative down (Cease/2), not a change that
 * restarts the session. */
static bool only_shutdown_differs(const struct bgp_peer_cfg *want, const struct bgp_peer_cfg *have)
{
	struct bgp_peer_cfg flipped = *have;
	flipped.shutdown = !flipped.shutdown;
	return memcmp(want, &flipped, sizeof(flipped)) == 0;
}

/* Reload = parse new, diff, swap: peers that left the file go with Cease/3,
 * peers whose settings changed restart with Cease/6, new ones are added,
 * and the rest keep their sessions. */
static void apply_peers(struct router *r, struct router_config *next)
{
	struct bgp_peer *p = r->speaker.peers, *following;
	for (; p != NULL; p = following) {
		following = p->next;
		struct router_peer *rp = p->rib;
		const struct router_group *g = group_of(r, next, p);
		struct bgp_peer_cfg want;
		if (g == NULL) {
			remove_peer(p, BGP_CEASE_PEER_DECONFIGURED,
			            "removed from the configuration");
			continue;
		}
		group_peer_cfg(r, g, &p->cfg.addr, &want);
		want.passive |= p->dynamic;
		if (only_shutdown_differs(&want, &p->cfg)) {
			if (want.shutdown)
				bgp_peer_disable(p, "shut down by configuration");
			else
				bgp_peer_enable(p);
		} else if (memcmp(&want, &p->cfg, sizeof(want)) != 0) {
			bool dynamic = p->dynamic;
			union sockaddr_any addr = p->cfg.addr;
			remove_peer(p, BGP_CEASE_CONFIG_CHANGE, "configuration changed");
			add_peer(r, g, &addr, dynamic);
			continue;
		}
		rp->group = g;
	}
	for (size_t i = 0; i < next->n_groups; i++)
		for (size_t k = 0; k < next->groups[i].n_neighbors; k++)
			if (!peer_known(r, &next->groups[i].neighbors[k]))
				add_peer(r, &next->groups[i], &next->groups[i].neighbors[k], false);
}

static bool has_network(const struct router_config *c, const struct bgp_prefix *n)
{
	for (size_t i = 0; i < c->n_networks; i++)
		if (bgp_prefix_cmp(&c->networks[i], n) == 0)
			return true;
	return false;
}

/* After a reload: withdraw the networks that left the file, announce the
 * current ones (announcing one again changes nothing at the peer). */
static void resend_networks(struct router *r, struct bgp_peer *p, const struct router_config *next)
{
	static uint8_t msg[BGP_EXT_MAX_LEN];
	size_t max = p->neg.ext_message ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;

	for (size_t i = 0; i < r->cfg.n_networks; i++) {
		const struct bgp_prefix *n = &r->cfg.networks[i];
		struct wbuf w;
		if (has_network(next, n) || !(p->neg.ctx.afs & BGP_AF_BIT(n->af)))
			continue;
		wbuf_init(&w, msg, sizeof(msg));
		if (bgp_update_build(&w, max, &p->neg.ctx, NULL, (enum bgp_af)n->af, n, 1) == 1)
			bgp_peer_send(p, w.p, w.len);
	}
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (p->neg.ctx.afs & BGP_AF_BIT(af))
			announce_networks(r, p, (enum bgp_af)af, next);
}

static void reload(struct router *r)
{
	struct router_config next;
	char *text = NULL;
	size_t len = 0;
	FILE *errors = open_memstream(&text, &len);

	int rc = router_config_load(r->cfg.path, &next, errors);
	fclose(errors);
	if (rc < 0) {
		log_emit(LOG_ERROR, "router", NULL,
		         "reload refused, running configuration kept:\n%s",
		         text != NULL ? text : "");
		free(text);
		return;
	}
	free(text);
	if (!same_globals(&r->cfg, &next)) {
		log_emit(LOG_WARN, "router", NULL,
		         "reload: AS, router ID, listen or graceful-restart settings changed: "
		         "every session restarts");
		stop_sessions(r);
		router_config_free(&r->cfg);
		r->cfg = next;
		if (start_sessions(r) < 0)
			log_emit(LOG_ERROR, "router", NULL, "reload: sessions could not start");
		return;
	}
	apply_peers(r, &next);
	for (struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next)
		if (bgp_peer_established(p))
			resend_networks(r, p, &next);
	router_config_free(&r->cfg);
	r->cfg = next;
	log_emit(LOG_INFO, "router", NULL, "reloaded %s", r->cfg.path);
}

static void on_reload_signal(struct loop_signal *s)
{
	reload(container_of(s, struct router, sighup));
}

static int start_listeners(struct router *r)
{
	char text[ADDR_TEXT_MAX];
	for (size_t i = 0; i < r->cfg.n_listen; i++) {
		union sockaddr_any a = r->cfg.listen[i];
		addr_set_port(&a, r->cfg.listen_port);
		if (bgp_speaker_listen(&r->speaker, &a) < 0) {
			log_emit(LOG_ERROR, "router", NULL, "cannot listen on %s port %u: %s",
			         addr_text(&a, text), r->cfg.listen_port, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int start_sessions(struct router *r)
{
	struct bgp_speaker_cfg sc = {
		.asn = r->cfg.asn,
		.router_id = r->cfg.router_id,
		.idle_hold_min_ms = 1000,
		.idle_hold_max_ms = 60000,
	};

	gethostname(sc.hostname, sizeof(sc.hostname) - 1);
	if (bgp_speaker_init(&r->speaker, r->loop, &sc, &router_ops, r) < 0 ||
	    start_listeners(r) < 0)
		return -1;
	for (size_t i = 0; i < r->cfg.n_groups; i++) {
		const struct router_group *g = &r->cfg.groups[i];
		for (size_t k = 0; k < g->n_neighbors; k++)
			if (add_peer(r, g, &g->neighbors[k], false) == NULL)
				return -1;
	}
	log_emit(LOG_INFO, "router", NULL,
	         "router started: AS %u, router-id %u.%u.%u.%u, %zu groups", r->cfg.asn,
	         r->cfg.router_id >> 24, (r->cfg.router_id >> 16) & 0xff,
	         (r->cfg.router_id >> 8) & 0xff, r->cfg.router_id & 0xff, r->cfg.n_groups);
	return 0;
}

static void stop_sessions(struct router *r)
{
	while (r->speaker.peers != NULL)
		remove_peer(r->speaker.peers, BGP_CEASE_ADMIN_SHUTDOWN, "kbgpd shutting down");
	bgp_speaker_free(&r->speaker);
}

int router_start(struct router *r, struct loop *l, struct router_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->loop = l;
	r->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	if (start_sessions(r) < 0)
		return -1;
	loop_signal_start(l, &r->sigterm, SIGTERM, on_stop_signal);
	loop_signal_start(l, &r->sigint, SIGINT, on_stop_signal);
	loop_signal_start(l, &r->sighup, SIGHUP, on_reload_signal);
	return 0;
}

void router_stop(struct router *r)
{
	stop_sessions(r);
	router_config_free(&r->cfg);
}

static void router_usage(FILE *out)
{
	fprintf(out, "usage: kbgpd router -c FILE [-v] [--log-json] [--check]\n"
	             "  -c FILE      BGPRouter manifest (docs/router-config.md)\n"
	             "  -v           debug logging\n"
	             "  --log-json   log lines as JSON instead of logfmt\n"
	             "  --check      validate FILE and exit\n");
}

int router_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' }, { "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, 'j' },     { "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'j':
			log_set_json(true);
			break;
		case 'n':
			check = true;
			break;
		case 'h':
			router_usage(stdout);
			return 0;
		default:
			router_usage(stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc) {
		router_usage(stderr);
		return 2;
	}
	struct router_config cfg;
	if (router_config_load(path, &cfg, stderr) < 0)
		return 1;
	if (check) {
		router_config_free(&cfg);
		printf("%s: valid\n", path);
		return 0;
	}
	struct loop l;
	struct router r;
	if (loop_init(&l) < 0 || router_start(&r, &l, &cfg) < 0)
		return 1;
	loop_run(&l);
	return 0;
}
