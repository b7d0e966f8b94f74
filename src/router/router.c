/*
 * router: the router role's lifecycle: configuration to peers (fixed and
 * dynamic), listeners, reload (parse, diff, swap) and signals.  Routes are
 * in routes.c.
 */
#include "router/router.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bgp/gr_marker.h"
#include "lib/log.h"
#include "router/router_ctl.h"
#include "router/routes.h"

#define DEFAULT_RUN_DIR "/run/kbgp"
#define DEFAULT_METRICS "127.0.0.1:9179"

static struct router *router_of(void *ctx)
{
	return ctx;
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
	pc->graceful_restart = g->gr_override ? g->graceful_restart : r->cfg.graceful_restart;
	pc->restart_time = g->gr_override ? g->restart_time : r->cfg.restart_time;
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
	struct router_peer *rp = routes_peer_new(g, addr);

	if (rp == NULL)
		return NULL;
	group_peer_cfg(r, g, addr, &pc);
	pc.passive |= dynamic;
	struct bgp_peer *p = bgp_peer_add(&r->speaker, &pc);
	if (p == NULL) {
		routes_peer_free(r, rp);
		return NULL;
	}
	routes_peer_attach(rp, p);
	return p;
}

static void remove_peer(struct router *r, struct bgp_peer *p, uint8_t subcode, const char *message)
{
	struct router_peer *rp = p->rib;
	bgp_peer_remove(p, subcode, message);
	routes_peer_free(r, rp);
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

/* A dynamic neighbour lives as long as its session (as in FRR): once down,
 * and done with any stale routes it left, it goes; it comes back by
 * connecting again.  Not from inside the session's callback: a timer. */
static void on_reap(struct loop_timer *t)
{
	struct router *r = container_of(t, struct router, reap_timer);
	struct bgp_peer *p = r->speaker.peers, *following;
	char text[ADDR_TEXT_MAX];
	for (; p != NULL; p = following) {
		following = p->next;
		const struct router_peer *rp = p->rib;
		if (!p->dynamic || rp->stale_afs != 0 ||
		    (p->fsm.state != BGP_ST_IDLE && p->fsm.state != BGP_ST_ACTIVE))
			continue;
		log_emit(LOG_INFO, "router", NULL,
		         "dynamic neighbour %s removed: its session ended",
		         addr_text(&p->cfg.addr, text));
		remove_peer(r, p, 0, NULL);
	}
}

static void on_down(void *ctx, struct bgp_peer *p)
{
	struct router *r = router_of(ctx);
	routes_down(ctx, p);
	if (p->dynamic)
		loop_timer_at(r->loop, &r->reap_timer, loop_now(r->loop));
}

static const struct bgp_speaker_ops router_ops = {
	.established = routes_established,
	.down = on_down,
	.update = routes_update,
	.route_refresh = routes_refresh,
	.dynamic_peer = on_dynamic_peer,
};

static int start_sessions(struct router *r);
static void stop_sessions(struct router *r, bool graceful);

static void stop_on_signal(void *ctx)
{
	router_stop(ctx);
}

static bool same_globals(const struct router_config *a, const struct router_config *b)
{
	return a->asn == b->asn && a->router_id == b->router_id &&
	       a->listen_port == b->listen_port && a->n_listen == b->n_listen &&
	       memcmp(a->listen, b->listen, sizeof(a->listen)) == 0 &&
	       a->graceful_restart == b->graceful_restart && a->restart_time == b->restart_time &&
	       a->fib_install == b->fib_install && fib_cfg_equal(&a->fib, &b->fib);
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
			remove_peer(r, p, BGP_CEASE_PEER_DECONFIGURED,
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
			remove_peer(r, p, BGP_CEASE_CONFIG_CHANGE, "configuration changed");
			add_peer(r, g, &addr, dynamic);
			continue;
		}
		routes_peer_regroup(r, rp, g, next);
	}
	for (size_t i = 0; i < next->n_groups; i++)
		for (size_t k = 0; k < next->groups[i].n_neighbors; k++)
			if (!peer_known(r, &next->groups[i].neighbors[k]))
				add_peer(r, &next->groups[i], &next->groups[i].neighbors[k], false);
}

void router_apply(struct router *r, struct router_config *next)
{
	if (!same_globals(&r->cfg, next)) {
		log_emit(LOG_WARN, "router", NULL,
		         "AS, router ID, listen, graceful-restart or FIB settings changed: "
		         "every session restarts");
		stop_sessions(r, false);
		router_config_free(&r->cfg);
		r->cfg = *next;
		memset(next, 0, sizeof(*next));
		if (start_sessions(r) < 0)
			log_emit(LOG_ERROR, "router", NULL, "sessions could not start");
		return;
	}
	apply_peers(r, next);
	routes_set_networks(r, next);
	bool redecide = r->rib.decide.as_path_multipath_relax != next->as_path_multipath_relax ||
	                r->rib.decide.maximum_paths_ebgp != next->maximum_paths;
	r->rib.decide.as_path_multipath_relax = next->as_path_multipath_relax;
	r->rib.decide.maximum_paths_ebgp = next->maximum_paths;
	router_config_free(&r->cfg);
	r->cfg = *next;
	memset(next, 0, sizeof(*next));
	routes_reloaded(r, redecide);
}

char *router_reload(struct router *r)
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
		r->reload_errors++;
		return text != NULL ? text : strdup("reload refused");
	}
	free(text);
	router_apply(r, &next);
	log_emit(LOG_INFO, "router", NULL, "reloaded %s", r->cfg.path);
	return NULL;
}

static void reload_on_signal(void *ctx)
{
	free(router_reload(ctx));
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
	/* Taken even with graceful restart off, so an old one never lingers. */
	bool restarting = gr_marker_take(r->run_dir, r->cfg.name, r->cfg.restart_time) &&
	                  r->cfg.graceful_restart;
	struct bgp_speaker_cfg sc = {
		.asn = r->cfg.asn,
		.router_id = r->cfg.router_id,
		.idle_hold_min_ms = 1000,
		.idle_hold_max_ms = 60000,
		.restarting_until =
		        restarting ? loop_now(r->loop) + r->cfg.restart_time * 1000u : 0,
	};

	gethostname(sc.hostname, sizeof(sc.hostname) - 1);
	routes_init(r);
	loop_timer_init(&r->reap_timer, on_reap);
	if (nl_open(&r->probe, NULL) < 0) {
		log_emit(LOG_ERROR, "router", NULL, "cannot open netlink: %s", strerror(errno));
		return -1;
	}
	r->fib_on = r->cfg.fib_install;
	if (r->fib_on && fib_open(&r->fib, r->loop, &r->cfg.fib) < 0) {
		r->fib_on = false;
		return -1;
	}
	if (bgp_speaker_init(&r->speaker, r->loop, &sc, &router_ops, r) < 0 ||
	    start_listeners(r) < 0)
		return -1;
	routes_set_networks(r, &r->cfg);
	routes_converge(r, restarting);
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

/* Stopping for a restart with graceful restart on, kbgpd leaves without a
 * NOTIFICATION, like FRR, so its peers keep the routes until it is back
 * (RFC 4724).  Otherwise (or stopping for good) peers get a Cease. */
static void stop_sessions(struct router *r, bool graceful)
{
	graceful &= r->cfg.graceful_restart;
	uint8_t subcode = graceful ? 0 : BGP_CEASE_ADMIN_SHUTDOWN;
	if (graceful && gr_marker_leave(r->run_dir, r->cfg.name) < 0)
		log_emit(LOG_WARN, "router", NULL,
		         "cannot leave the graceful-restart marker in %s: %s; the next start "
		         "will not defer route selection",
		         r->run_dir, strerror(errno));
	/* The kernel first: with graceful restart the routes stay for the next
	 * run, and dropping the peers must not withdraw them one by one. */
	if (r->fib_on)
		fib_close(&r->fib, graceful);
	r->fib_on = false;
	while (r->speaker.peers != NULL)
		remove_peer(r, r->speaker.peers, subcode, "kbgpd shutting down");
	loop_timer_at(r->loop, &r->reap_timer, 0);
	bgp_speaker_free(&r->speaker);
	routes_free(r);
	nl_close(&r->probe);
}

static int open_control_socket(struct router *r)
{
	char path[256];
	if (r->socket_path != NULL)
		snprintf(path, sizeof(path), "%s", r->socket_path);
	else
		snprintf(path, sizeof(path), "%s/%s.sock", r->run_dir, r->cfg.name);
	if (mkdir(r->run_dir, 0750) < 0 && errno != EEXIST) {
		log_emit(LOG_ERROR, "router", NULL, "cannot make %s: %s", r->run_dir,
		         strerror(errno));
		return -1;
	}
	if (ctl_server_open(&r->ctl, r->loop, path, router_commands, r) < 0) {
		log_emit(LOG_ERROR, "router", NULL, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	log_emit(LOG_INFO, "router", NULL, "control socket %s", path);
	return 0;
}

/* Metrics are a convenience: a port already taken costs a warning, not
 * the router. */
static void open_metrics(struct router *r)
{
	union sockaddr_any addr;
	r->metrics.fd = -1;
	if (r->metrics_addr == NULL)
		return;
	if (addr_parse_hostport(r->metrics_addr, &addr) < 0 ||
	    http_server_open(&r->metrics, r->loop, &addr, router_metrics, r) < 0) {
		log_emit(LOG_WARN, "router", NULL, "no metrics on %s: %s", r->metrics_addr,
		         errno != 0 ? strerror(errno) : "not ADDR:PORT");
		return;
	}
	log_emit(LOG_INFO, "router", NULL, "metrics on http://%s/metrics", r->metrics_addr);
}

int router_engine_start(struct router *r, struct loop *l, struct router_config *cfg,
                        const char *run_dir)
{
	memset(r, 0, sizeof(*r));
	r->loop = l;
	r->run_dir = run_dir;
	r->ctl.fd = -1;
	r->metrics.fd = -1;
	r->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	return start_sessions(r);
}

void router_engine_stop(struct router *r, bool graceful)
{
	stop_sessions(r, graceful);
	router_config_free(&r->cfg);
}

int router_start(struct router *r, struct loop *l, struct router_config *cfg, const char *run_dir,
                 const char *socket_path, const char *metrics_addr)
{
	if (router_engine_start(r, l, cfg, run_dir) < 0)
		return -1;
	r->socket_path = socket_path;
	r->metrics_addr = metrics_addr;
	if (open_control_socket(r) < 0)
		return -1;
	errno = 0;
	open_metrics(r);
	router_lag_start(r);
	daemon_signals_start(&r->signals, l, "router", stop_on_signal, reload_on_signal, r);
	return 0;
}

void router_stop(struct router *r)
{
	loop_timer_at(r->loop, &r->lag_timer, 0);
	http_server_close(&r->metrics);
	ctl_server_close(&r->ctl);
	router_engine_stop(r, true);
}

static void router_usage(FILE *out)
{
	fprintf(out, "usage: kbgpd router -c FILE [--run-dir DIR] [--socket PATH] [--metrics "
	             "ADDR:PORT] [-v] [--log-json] "
	             "[--check]\n"
	             "  -c FILE        BGPRouter manifest (docs/router-config.md)\n"
	             "  --run-dir DIR  runtime state of this instance, " DEFAULT_RUN_DIR "\n"
	             "  --socket PATH  control socket, DIR/NAME.sock (docs/control-socket.md)\n"
	             "  --metrics ADDR:PORT|off\n"
	             "                 Prometheus /metrics, " DEFAULT_METRICS "\n"
	             "  -v             debug logging\n"
	             "  --log-json     log lines as JSON instead of logfmt\n"
	             "  --check        validate FILE and exit\n");
}

int router_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "metrics", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *run_dir = DEFAULT_RUN_DIR, *socket_path = NULL;
	const char *metrics = DEFAULT_METRICS;
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
		case 'r':
			run_dir = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'm':
			metrics = strcmp(optarg, "off") == 0 ? NULL : optarg;
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
	if (loop_init(&l) < 0 || router_start(&r, &l, &cfg, run_dir, socket_path, metrics) < 0)
		return 1;
	loop_run(&l);
	return 0;
}
