/*
 * router_metrics: the router's Prometheus metrics: Cilium's BGP control
 * plane metrics under kbgp_ (the same labels, so dashboards carry over),
 * and the daemon's health: RIB sizes, FIB states, memory, queued updates,
 * event-loop lag.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl/http.h"
#include "router/router.h"
#include "router/router_ctl.h"
#include "router/routes.h"

#define LAG_EVERY_MS 1000

/* Cilium's neighbor label: ip:port, IPv6 in brackets. */
static void neighbor_label(const struct bgp_peer *p, char *buf, size_t len)
{
	char text[ADDR_TEXT_MAX];
	addr_text(&p->cfg.addr, text);
	bool six = p->cfg.addr.sa.sa_family == AF_INET6;
	snprintf(buf, len, "%s%s%s:%u", six ? "[" : "", text, six ? "]" : "",
	         addr_port(&p->cfg.addr));
}

static void session_state_metrics(const struct router *const *rs, size_t n, FILE *out)
{
	char nb[ADDR_TEXT_MAX + 10];
	metrics_help(out, "kbgp_bgp_control_plane_session_state", "gauge",
	             "1 when the BGP session is established, 0 otherwise");
	for (size_t i = 0; i < n; i++)
		for (const struct bgp_peer *p = rs[i]->speaker.peers; p != NULL; p = p->next) {
			neighbor_label(p, nb, sizeof(nb));
			fprintf(out,
			        "kbgp_bgp_control_plane_session_state{vrouter=\"%u\",neighbor=\"%"
			        "s\","
			        "neighbor_asn=\"%u\"} %d\n",
			        rs[i]->cfg.asn, nb,
			        bgp_peer_established(p) ? p->neg.peer_asn : p->cfg.asn,
			        bgp_peer_established(p));
		}
}

static void route_count_metrics(const struct router *const *rs, size_t n, FILE *out)
{
	static const char *const which[] = { "advertised", "received" };
	char nb[ADDR_TEXT_MAX + 10];
	for (int k = 0; k < 2; k++) {
		char name[96];
		snprintf(name, sizeof(name), "kbgp_bgp_control_plane_%s_routes", which[k]);
		metrics_help(
		        out, name, "gauge",
		        k == 0 ? "routes advertised to the neighbour"
		               : "routes received from the neighbour (refused ones where counted)");
		for (size_t i = 0; i < n; i++)
			for (const struct bgp_peer *p = rs[i]->speaker.peers; p != NULL;
			     p = p->next) {
				const struct router_peer *rp = p->rib;
				neighbor_label(p, nb, sizeof(nb));
				for (int af = 0; af < BGP_AF_COUNT; af++)
					if (p->cfg.families & BGP_AF_BIT(af))
						fprintf(out,
						        "%s{vrouter=\"%u\",neighbor=\"%s\",afi=\"%"
						        "s\","
						        "safi=\"unicast\"} %zu\n",
						        name, rs[i]->cfg.asn, nb,
						        af == 0 ? "ipv4" : "ipv6",
						        k == 0 ? rp->out.count[af]
						               : rp->src.count[af] +
						                         rp->refused.count[af]);
			}
	}
}

void router_metrics_sessions(const struct router *const *rs, size_t n, FILE *out)
{
	session_state_metrics(rs, n, out);
	route_count_metrics(rs, n, out);
}

static size_t queued_updates(const struct router *r)
{
	size_t n = 0;
	for (const struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		const struct router_peer *rp = p->rib;
		n += rp->out.n_pending - rp->out.done_pending;
	}
	return n;
}

static long resident_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * sysconf(_SC_PAGESIZE);
}

static void rib_metrics(const struct router *const *rs, size_t n, FILE *out)
{
	size_t prefixes = 0, paths = 0, sets = 0, queued = 0;
	for (size_t i = 0; i < n; i++) {
		prefixes += rs[i]->rib.entries.count;
		paths += rs[i]->rib.n_paths;
		sets += rs[i]->rib.attrs.sets.count;
		queued += queued_updates(rs[i]);
	}
	metrics_help(out, "kbgp_rib_prefixes", "gauge", "prefixes in the routing tables");
	fprintf(out, "kbgp_rib_prefixes %zu\n", prefixes);
	metrics_help(out, "kbgp_rib_paths", "gauge", "paths in the routing tables");
	fprintf(out, "kbgp_rib_paths %zu\n", paths);
	metrics_help(out, "kbgp_rib_attribute_sets", "gauge", "distinct interned attribute sets");
	fprintf(out, "kbgp_rib_attribute_sets %zu\n", sets);
	metrics_help(out, "kbgp_update_queue", "gauge",
	             "prefixes waiting to be looked at for peers");
	fprintf(out, "kbgp_update_queue %zu\n", queued);
}

static void fib_metrics(const struct fib_stats *st, FILE *out)
{
	metrics_help(out, "kbgp_fib_routes", "gauge", "selected routes by kernel state");
	fprintf(out, "kbgp_fib_routes{state=\"installed\"} %zu\n", st->installed);
	fprintf(out, "kbgp_fib_routes{state=\"failed\"} %zu\n", st->failed);
	fprintf(out, "kbgp_fib_routes{state=\"selected\"} %zu\n", st->routes);
	metrics_help(out, "kbgp_fib_nexthop_objects", "gauge", "kernel nexthop objects and groups");
	fprintf(out, "kbgp_fib_nexthop_objects{kind=\"nexthop\"} %zu\n", st->hops);
	fprintf(out, "kbgp_fib_nexthop_objects{kind=\"group\"} %zu\n", st->groups);
}

void router_metrics_health(const struct router *const *rs, size_t n, uint64_t loop_lag_ms,
                           FILE *out)
{
	rib_metrics(rs, n, out);
	for (size_t i = 0; i < n; i++)
		if (rs[i]->fib_on) {
			fib_metrics(&rs[i]->fib.stats, out); /* one kernel table per process */
			break;
		}
	metrics_help(out, "kbgp_resident_memory_bytes", "gauge", "resident set size");
	fprintf(out, "kbgp_resident_memory_bytes %ld\n", resident_bytes());
	metrics_help(out, "kbgp_event_loop_lag_seconds", "gauge",
	             "how late a 1 s timer fired, worst of the last interval");
	fprintf(out, "kbgp_event_loop_lag_seconds %.3f\n", loop_lag_ms / 1000.0);
}

void router_metrics(void *ctx, FILE *out)
{
	const struct router *r = ctx;
	router_metrics_sessions(&r, 1, out);
	metrics_help(out, "kbgp_bgp_control_plane_reconcile_errors_total", "counter",
	             "configuration reloads refused");
	fprintf(out, "kbgp_bgp_control_plane_reconcile_errors_total{vrouter=\"%s\"} %lu\n",
	        r->cfg.name, (unsigned long)r->reload_errors);
	router_metrics_health(&r, 1, r->loop_lag_ms, out);
}

static void on_lag_timer(struct loop_timer *t)
{
	struct router *r = container_of(t, struct router, lag_timer);
	uint64_t now = loop_now(r->loop);
	r->loop_lag_ms = now > r->lag_deadline ? now - r->lag_deadline : 0;
	r->lag_deadline = now + LAG_EVERY_MS;
	loop_timer_at(r->loop, &r->lag_timer, r->lag_deadline);
}

void router_lag_start(struct router *r)
{
	loop_timer_init(&r->lag_timer, on_lag_timer);
	r->lag_deadline = loop_now(r->loop) + LAG_EVERY_MS;
	loop_timer_at(r->loop, &r->lag_timer, r->lag_deadline);
}
