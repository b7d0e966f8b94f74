/*
 * fib_json: the FIB's state as the control socket shows it
 * (docs/control-socket.md, `fib`).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fib/fib_impl.h"
#include "fib/fib_json.h"

static json_t *address(uint8_t family, const uint8_t *addr)
{
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
		return json_null();
	return json_string(text);
}

static json_t *hop_json(const struct fib_hop *h)
{
	uint8_t family = h->key.af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET;
	char dev[IF_NAMESIZE] = "";
	bool named = h->resolved && if_indextoname(h->path.oif, dev) != NULL;
	return json_pack("{s:o, s:o, s:o, s:b}", "via", address(family, h->key.addr), "gateway",
	                 h->resolved ? address(h->path.family, h->path.gw) : json_null(), "dev",
	                 named ? json_string(dev) : json_null(), "resolved", h->resolved);
}

static const char *state_of(const struct fib *f, const struct fib_route *r)
{
	struct fib_hop *live[FIB_MAX_PATHS];
	if (r->failed)
		return "failed";
	if (fib_group_live(r->want, live) == 0)
		return "unresolved";
	if (r->queued || r->have != r->want)
		return "pending";
	(void)f;
	return "installed";
}

static json_t *route_json(const struct fib *f, const struct fib_route *r)
{
	struct bgp_prefix p = { .af = r->af, .len = r->len };
	char text[64];
	memcpy(p.addr, r->addr, sizeof(r->addr));
	bgp_prefix_format(text, sizeof(text), &p);
	json_t *hops = json_array();
	for (size_t i = 0; i < r->want->n; i++)
		json_array_append_new(hops, hop_json(r->want->hops[i]));
	uint32_t nhid = 0;
	if (f->objects && r->have != NULL)
		nhid = r->have->n > 1 ? r->have->id : r->have->hops[0]->id;
	return json_pack("{s:s, s:s, s:o, s:o}", "prefix", text, "state", state_of(f, r), "nhid",
	                 nhid != 0 ? json_integer(nhid) : json_null(), "nexthops", hops);
}

static int by_prefix(const void *a, const void *b)
{
	const struct fib_route *x = *(const struct fib_route *const *)a;
	const struct fib_route *y = *(const struct fib_route *const *)b;
	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

json_t *fib_json(const struct fib *f, const struct bgp_prefix *only)
{
	size_t n = 0, pos = 0;
	const struct fib_route **v = malloc((f->routes.count + 1) * sizeof(*v));
	const struct fib_route *r;
	if (v == NULL)
		return NULL;
	while ((r = htab_next(&f->routes, &pos)) != NULL)
		if (r->want != NULL &&
		    (only == NULL || (only->af == r->af && only->len == r->len &&
		                      memcmp(only->addr, r->addr, sizeof(r->addr)) == 0)))
			v[n++] = r;
	qsort(v, n, sizeof(*v), by_prefix);
	json_t *routes = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(routes, route_json(f, v[i]));
	free(v);
	return json_pack("{s:b, s:I, s:i, s:I, s:b, s:{s:i, s:i}, s:o}", "enabled", 1, "table",
	                 (json_int_t)f->cfg.table, "protocol", f->cfg.protocol, "metric",
	                 (json_int_t)f->cfg.metric, "nexthop_objects", f->objects, "hash_policy",
	                 "ipv4", f->hash_policy[0], "ipv6", f->hash_policy[1], "routes", routes);
}
