/*
 * networks: the router's own routes, its `networks` (FRR's `network`
 * statements): announced while the kernel has them (the import check, asked
 * again every few seconds), withdrawn when they leave the configuration or
 * the kernel.  Part of the routes module (routes.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fib/resolve.h"
#include "lib/log.h"
#include "router/router.h"
#include "router/routes.h"

static int prefix_order(const void *a, const void *b)
{
	return bgp_prefix_cmp(a, b);
}

static bool sorted_networks(const struct router_config *c)
{
	for (size_t i = 1; i < c->n_networks; i++)
		if (bgp_prefix_cmp(&c->networks[i - 1], &c->networks[i]) > 0)
			return false;
	return true;
}

/* Whether c lists n: a binary search in a sorted list (the agent's, a
 * thousand networks, on every reconcile), a scan in a file's own order. */
static bool listed(const struct router_config *c, const struct bgp_prefix *n, bool sorted)
{
	if (sorted)
		return bsearch(n, c->networks, c->n_networks, sizeof(*n), prefix_order) != NULL;
	for (size_t i = 0; i < c->n_networks; i++)
		if (bgp_prefix_cmp(&c->networks[i], n) == 0)
			return true;
	return false;
}

#define NETWORK_CHECK_MS 2000

static bool originated(const struct router *r, const struct bgp_prefix *p)
{
	const struct rib_entry *e = rib_lookup(&r->rib, p);
	for (const struct rib_path *path = e != NULL ? rib_paths(e) : NULL; path != NULL;
	     path = rib_path_next(path))
		if (rib_path_source(&r->rib, path) == &r->self)
			return true;
	return false;
}

/* FRR's `bgp network import-check`: a network goes out while the kernel
 * has a route to exactly it (a connected subnet, a static route). */
static bool network_present(struct router *r, const struct router_config *cfg,
                            const struct bgp_prefix *p)
{
	char text[64];
	if (!cfg->network_import_check)
		return true;
	int present = fib_route_present(&r->probe, p, cfg->fib.protocol);
	if (present >= 0)
		return present == 1;
	bgp_prefix_format(text, sizeof(text), p);
	log_emit(LOG_WARN, "router", NULL, "network %s: cannot ask the kernel: %s", text,
	         strerror(errno));
	return originated(r, p); /* keep what it was */
}

void routes_set_networks(struct router *r, const struct router_config *cfg)
{
	struct bgp_attrs a;
	char text[64];
	bool sorted = sorted_networks(cfg);
	for (size_t i = 0; i < r->cfg.n_networks; i++)
		if (!listed(cfg, &r->cfg.networks[i], sorted))
			rib_withdraw(&r->rib, &r->self, &r->cfg.networks[i]);
	for (size_t i = 0; i < cfg->n_networks; i++) {
		const struct bgp_prefix *p = &cfg->networks[i];
		bool was = originated(r, p), is = network_present(r, cfg, p);
		if (is) {
			rib_local_attrs((enum bgp_af)p->af, &a);
			rib_update(&r->rib, &r->self, p, &a, loop_now(r->loop));
		} else {
			rib_withdraw(&r->rib, &r->self, p);
		}
		if (was == is && r->networks_checked)
			continue;
		bgp_prefix_format(text, sizeof(text), p);
		log_emit(is ? LOG_INFO : LOG_WARN, "router", NULL, "network %s: %s", text,
		         is ? "announced"
		            : "not in the kernel's table: not announced (import check)");
	}
	r->networks_checked = true;
	routes_flush(r);
	loop_timer_at(r->loop, &r->network_timer, loop_now(r->loop) + NETWORK_CHECK_MS);
}

static void on_network_timer(struct loop_timer *t)
{
	struct router *r = container_of(t, struct router, network_timer);
	routes_set_networks(r, &r->cfg);
}

void routes_networks_init(struct router *r)
{
	loop_timer_init(&r->network_timer, on_network_timer);
}
