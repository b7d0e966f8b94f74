/*
 * router_ctl: what the router answers on its control socket
 * (docs/control-socket.md): peers, routes, the FIB, policies, reload and
 * clear.  Views only read; clear and reload act as SIGHUP and vtysh do.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp/aspath.h"
#include "bgp/msg.h"
#include "fib/fib_json.h"
#include "lib/sbuf.h"
#include "router/config_json.h"
#include "router/router.h"
#include "router/router_ctl.h"
#include "router/routes.h"

#define TEXT_MAX 4096

static struct router *router_of(void *ctx)
{
	return ctx;
}

static json_t *ipv4_text(uint32_t host_order)
{
	char text[INET_ADDRSTRLEN];
	uint32_t net = htonl(host_order);
	inet_ntop(AF_INET, &net, text, sizeof(text));
	return json_string(text);
}

static json_t *addr_json(const union sockaddr_any *a)
{
	char text[ADDR_TEXT_MAX];
	return json_string(addr_text(a, text));
}

static json_t *instance(const struct router *r)
{
	return json_pack("{s:s, s:I, s:o}", "name", r->cfg.name, "local_asn",
	                 (json_int_t)r->cfg.asn, "router_id", ipv4_text(r->cfg.router_id));
}

/* --- peers --- */

static const char *state_text(enum bgp_state s)
{
	static const char *const names[] = { "idle",      "connect",      "active",
		                             "open_sent", "open_confirm", "established" };
	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static json_t *families_json(const struct bgp_peer *p)
{
	const struct router_peer *rp = p->rib;
	json_t *v = json_array();
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!bgp_peer_established(p) || !(p->neg.ctx.afs & BGP_AF_BIT(af)))
			continue;
		/* Received: what the peer sent (refused too, where counted);
		 * accepted: what the RIB holds. */
		json_array_append_new(
		        v, json_pack("{s:s, s:s, s:I, s:I, s:I}", "afi",
		                     af == BGP_AF_IPV4_UNICAST ? "ipv4" : "ipv6", "safi", "unicast",
		                     "received",
		                     (json_int_t)(rp->src.count[af] + rp->refused.count[af]),
		                     "accepted", (json_int_t)rp->src.count[af], "advertised",
		                     (json_int_t)rp->out.count[af]));
	}
	return v;
}

static json_t *last_error_json(const struct bgp_peer *p)
{
	const struct bgp_stats *st = &p->stats;
	char text[160];
	if (st->last_error[0] == 0)
		return json_null();
	const char *sub = bgp_err_subcode_name(st->last_error[0], st->last_error[1]);
	snprintf(text, sizeof(text), "%s / %s (%u/%u) %s", bgp_err_code_name(st->last_error[0]),
	         sub != NULL ? sub : "Unknown", st->last_error[0], st->last_error[1],
	         st->last_error_sent ? "sent" : "received");
	return json_string(text);
}

static json_t *local_address_json(const struct bgp_peer *p)
{
	union sockaddr_any local;
	socklen_t len = sizeof(local);
	if (!bgp_peer_established(p) ||
	    getsockname(p->conn.fd, (struct sockaddr *)&local, &len) < 0)
		return json_null();
	return addr_json(&local);
}

static uint64_t sum(const uint64_t *v, size_t n)
{
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += v[i];
	return t;
}

static json_t *peer_json(const struct router *r, const struct bgp_peer *p)
{
	bool up = bgp_peer_established(p);
	uint64_t now = loop_now(r->loop), since = (now - p->stats.last_change) / 1000;
	const struct router_peer *rp = p->rib;
	json_t *j = json_pack(
	        "{s:o, s:i, s:s, s:o, s:o, s:s, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:b}",
	        "address", addr_json(&p->cfg.addr), "port", addr_port(&p->cfg.addr), "group",
	        rp->group->name, "remote_asn",
	        up ? json_integer(p->neg.peer_asn)
	           : (p->cfg.asn != 0 ? json_integer(p->cfg.asn) : json_null()),
	        "router_id", up ? ipv4_text(p->neg.peer_id) : json_null(), "state",
	        state_text(p->fsm.state), "state_seconds", (json_int_t)since, "uptime_seconds",
	        (json_int_t)(up ? since : 0), "hold_time", up ? p->neg.hold_time : p->cfg.hold_time,
	        "keepalive", up ? p->neg.keepalive : p->cfg.keepalive, "configured_hold_time",
	        p->cfg.hold_time, "configured_keepalive", p->cfg.keepalive, "connect_retry",
	        p->cfg.connect_retry, "ebgp", up && p->neg.ebgp, "dynamic", p->dynamic, "shutdown",
	        p->cfg.shutdown);
	json_object_set_new(j, "local_address", local_address_json(p));
	json_object_set_new(j, "graceful_restart",
	                    json_pack("{s:b, s:i, s:o}", "enabled", p->cfg.graceful_restart,
	                              "restart_time", p->cfg.restart_time, "peer_restart_time",
	                              up && p->neg.peer_gr ? json_integer(p->neg.peer_restart_time)
	                                                   : json_null()));
	json_object_set_new(j, "messages",
	                    json_pack("{s:I, s:I, s:I, s:I}", "received",
	                              (json_int_t)sum(p->stats.msgs_in, 6), "sent",
	                              (json_int_t)sum(p->stats.msgs_out, 6), "updates_received",
	                              (json_int_t)p->stats.msgs_in[BGP_MSG_UPDATE], "updates_sent",
	                              (json_int_t)p->stats.msgs_out[BGP_MSG_UPDATE]));
	json_object_set_new(j, "out_queue", json_integer((json_int_t)p->conn.out_len));
	json_object_set_new(j, "families", families_json(p));
	json_object_set_new(j, "last_error", last_error_json(p));
	json_object_set_new(j, "flaps",
	                    json_integer(p->stats.established_count > 0
	                                         ? p->stats.established_count - (up ? 1 : 0)
	                                         : 0));
	return j;
}

static json_t *cmd_peers(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	(void)args, (void)err, (void)err_len;
	json_t *peers = json_array(), *inst = instance(r);
	for (const struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next)
		json_array_append_new(peers, peer_json(r, p));
	json_object_set_new(inst, "peers", peers);
	return json_pack("{s:[o]}", "instances", inst);
}

/* --- routes --- */

struct route_query {
	const char *table; /* loc-rib, adj-rib-in, adj-rib-out */
	enum bgp_af af;
	bool has_neighbor, has_prefix;
	union sockaddr_any neighbor;
	struct bgp_prefix prefix;
};

static int parse_route_query(const json_t *args, struct route_query *q, char *err, size_t len)
{
	const char *table = json_string_value(json_object_get(args, "table"));
	const char *afi = json_string_value(json_object_get(args, "afi"));
	const char *safi = json_string_value(json_object_get(args, "safi"));
	const char *neighbor = json_string_value(json_object_get(args, "neighbor"));
	const char *prefix = json_string_value(json_object_get(args, "prefix"));

	memset(q, 0, sizeof(*q));
	q->table = table != NULL ? table : "loc-rib";
	if (strcmp(q->table, "loc-rib") != 0 && strcmp(q->table, "adj-rib-in") != 0 &&
	    strcmp(q->table, "adj-rib-out") != 0) {
		snprintf(err, len, "invalid table \"%.32s\": loc-rib, adj-rib-in or adj-rib-out",
		         q->table);
		return -1;
	}
	if (afi != NULL && strcmp(afi, "ipv4") != 0 && strcmp(afi, "ipv6") != 0) {
		snprintf(err, len, "unknown AFI %.32s", afi);
		return -1;
	}
	if (safi != NULL && strcmp(safi, "unicast") != 0) {
		snprintf(err, len, "unknown SAFI %.32s", safi);
		return -1;
	}
	q->af = afi != NULL && strcmp(afi, "ipv6") == 0 ? BGP_AF_IPV6_UNICAST : BGP_AF_IPV4_UNICAST;
	if (neighbor != NULL) {
		if (addr_parse(neighbor, 179, &q->neighbor) < 0) {
			snprintf(err, len, "invalid peer IP address: %.64s", neighbor);
			return -1;
		}
		q->has_neighbor = true;
	}
	if (prefix != NULL) {
		if (bgp_prefix_parse(prefix, &q->prefix) < 0) {
			snprintf(err, len, "invalid prefix: %.64s", prefix);
			return -1;
		}
		q->af = (enum bgp_af)q->prefix.af;
		q->has_prefix = true;
	}
	return 0;
}

static json_t *next_hop_json(const struct bgp_attrs *a, enum bgp_af af)
{
	char text[INET6_ADDRSTRLEN];
	if (af == BGP_AF_IPV4_UNICAST && bgp_attr_has(a, BGP_ATTR_NEXT_HOP))
		return ipv4_text(a->next_hop);
	if (bgp_attr_has(a, BGP_ATTR_MP_REACH) && a->mp_reach.nh_len >= 16)
		return json_string(inet_ntop(AF_INET6, a->mp_reach.nh, text, sizeof(text)));
	if (bgp_attr_has(a, BGP_ATTR_MP_REACH) && a->mp_reach.nh_len == 4)
		return json_string(inet_ntop(AF_INET, a->mp_reach.nh, text, sizeof(text)));
	return json_string(af == BGP_AF_IPV4_UNICAST ? "0.0.0.0" : "::");
}

static json_t *communities_json(const struct bgp_attrs *a)
{
	json_t *v = json_array();
	struct rbuf r = a->communities;
	uint32_t c;
	char text[24];
	while (rbuf_u32(&r, &c) == 0) {
		const char *name = bgp_community_name(c);
		if (name == NULL)
			snprintf(text, sizeof(text), "%u:%u", c >> 16, c & 0xffff);
		json_array_append_new(v, json_string(name != NULL ? name : text));
	}
	return v;
}

static json_t *large_communities_json(const struct bgp_attrs *a)
{
	json_t *v = json_array();
	struct rbuf r = a->large_communities;
	uint32_t g, l1, l2;
	char text[40];
	while (rbuf_u32(&r, &g) == 0 && rbuf_u32(&r, &l1) == 0 && rbuf_u32(&r, &l2) == 0) {
		snprintf(text, sizeof(text), "%u:%u:%u", g, l1, l2);
		json_array_append_new(v, json_string(text));
	}
	return v;
}

static json_t *text_of(void (*format)(struct sbuf *, struct rbuf), struct rbuf field)
{
	char buf[TEXT_MAX];
	struct sbuf s;
	sbuf_init(&s, buf, sizeof(buf));
	format(&s, field);
	return json_string(buf);
}

/* A route we originate has no AS_PATH until it leaves (GoBGP, and so
 * Cilium, show none); kbgp keeps an empty one in the RIB. */
static json_t *attrs_json(const struct bgp_attrs *a, bool local)
{
	char buf[TEXT_MAX];
	struct sbuf s;
	struct bgp_attrs shown = *a;
	if (local && shown.as_path.len == 0)
		shown.present[BGP_ATTR_AS_PATH / 32] &= ~(1u << (BGP_ATTR_AS_PATH % 32));
	sbuf_init(&s, buf, sizeof(buf));
	bgp_attrs_format_gobgp(&s, &shown);
	return json_string(buf);
}

struct path_view {
	const struct bgp_attrs *a;
	enum bgp_af af;
	const struct rib_source *src; /* NULL: sent by us (adj-rib-out) */
	const union sockaddr_any *neighbor;
	uint32_t age_s;
	bool best, multipath, stale;
	const char *reason;
};

static json_t *path_json(const struct path_view *v)
{
	static const char *const origins[] = { "IGP", "EGP", "incomplete" };
	const struct bgp_attrs *a = v->a;
	bool local = v->src != NULL && v->src->local;
	json_t *j = json_pack(
	        "{s:o, s:o, s:b, s:o, s:I, s:b, s:b, s:b, s:o, s:I, s:s, s:o, s:o, s:o, s:o, s:o, "
	        "s:o}",
	        "neighbor", local || v->neighbor == NULL ? json_null() : addr_json(v->neighbor),
	        "neighbor_router_id",
	        v->src != NULL && !local ? ipv4_text(v->src->router_id) : json_null(), "ebgp",
	        v->src != NULL && v->src->ebgp, "next_hop", next_hop_json(a, v->af), "age_seconds",
	        (json_int_t)v->age_s, "best", v->best, "multipath", v->multipath, "stale", v->stale,
	        "reason", v->reason != NULL ? json_string(v->reason) : json_null(), "weight",
	        (json_int_t)(v->src != NULL ? v->src->weight : 0), "origin",
	        origins[a->origin < 3 ? a->origin : 2], "as_path",
	        text_of(aspath_format, a->as_path), "med",
	        bgp_attr_has(a, BGP_ATTR_MED) ? json_integer(a->med) : json_null(), "local_pref",
	        bgp_attr_has(a, BGP_ATTR_LOCAL_PREF) ? json_integer(a->local_pref) : json_null(),
	        "communities", communities_json(a), "large_communities", large_communities_json(a),
	        "attrs", attrs_json(a, local));
	return j;
}

static bool wanted_path(const struct route_query *q, const struct rib_source *src)
{
	if (strcmp(q->table, "adj-rib-in") == 0 && src->local)
		return false;
	return !q->has_neighbor || (!src->local && addr_equal(&src->addr, &q->neighbor));
}

static json_t *rib_paths_json(const struct router *r, const struct route_query *q,
                              const struct rib_entry *e)
{
	json_t *paths = json_array();
	uint32_t now_s = (uint32_t)(loop_now(r->loop) / 1000);
	for (const struct rib_path *p = rib_paths(e); p != NULL; p = rib_path_next(p)) {
		const struct rib_source *src = rib_path_source(&r->rib, p);
		if (!wanted_path(q, src))
			continue;
		struct bgp_attrs a;
		attrset_attrs(rib_path_attrs(&r->rib, p), &a);
		struct path_view v = { .a = &a,
			               .af = (enum bgp_af)e->af,
			               .src = src,
			               .neighbor = &src->addr,
			               .age_s = now_s - p->received_s,
			               .best = p == rib_best(e),
			               .multipath = p->multipath,
			               .stale = p->stale,
			               .reason = p == rib_best(e) && e->reason != DECIDE_NONE
			                                 ? decide_reason_text(
			                                           (enum decide_reason)e->reason)
			                                 : NULL };
		json_array_append_new(paths, path_json(&v));
	}
	return paths;
}

static json_t *sent_paths(const struct router *r, const struct route_query *q,
                          const struct rib_entry *e)
{
	json_t *paths = json_array();
	for (const struct bgp_peer *p = r->speaker.peers; p != NULL; p = p->next) {
		const struct router_peer *rp = p->rib;
		if (q->has_neighbor && !addr_equal(&p->cfg.addr, &q->neighbor))
			continue;
		const struct attrset *sent = adjout_sent(&rp->out, &r->rib, e);
		if (sent == NULL)
			continue;
		struct bgp_attrs a;
		attrset_attrs(sent, &a);
		struct path_view v = { .a = &a,
			               .af = (enum bgp_af)e->af,
			               .neighbor = &p->cfg.addr,
			               .best = true,
			               .multipath = true };
		json_array_append_new(paths, path_json(&v));
	}
	return paths;
}

static int by_prefix(const void *a, const void *b)
{
	struct bgp_prefix x = rib_entry_prefix(*(const struct rib_entry *const *)a);
	struct bgp_prefix y = rib_entry_prefix(*(const struct rib_entry *const *)b);
	return bgp_prefix_cmp(&x, &y);
}

static json_t *cmd_routes(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	struct route_query q;
	if (parse_route_query(args, &q, err, err_len) < 0)
		return NULL;
	json_t *asn = json_object_get(args, "instance");
	if (asn != NULL && json_integer_value(asn) != (json_int_t)r->cfg.asn) {
		snprintf(err, err_len, "no virtual router with ASN %lld",
		         (long long)json_integer_value(asn));
		return NULL;
	}
	size_t n = 0, pos = 0;
	struct rib_entry *e, **v = malloc((r->rib.entries.count + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	while ((e = rib_next(&r->rib, &pos)) != NULL) {
		struct bgp_prefix p = rib_entry_prefix(e);
		if (e->af == q.af && (!q.has_prefix || bgp_prefix_cmp(&p, &q.prefix) == 0))
			v[n++] = e;
	}
	qsort(v, n, sizeof(*v), by_prefix);
	json_t *routes = json_array();
	bool out = strcmp(q.table, "adj-rib-out") == 0;
	for (size_t i = 0; i < n; i++) {
		json_t *paths = out ? sent_paths(r, &q, v[i]) : rib_paths_json(r, &q, v[i]);
		char text[64];
		struct bgp_prefix p = rib_entry_prefix(v[i]);
		bgp_prefix_format(text, sizeof(text), &p);
		if (json_array_size(paths) > 0)
			json_array_append_new(
			        routes, json_pack("{s:s, s:o}", "prefix", text, "paths", paths));
		else
			json_decref(paths);
	}
	free(v);
	json_t *inst = instance(r);
	json_object_set_new(inst, "table", json_string(q.table));
	json_object_set_new(inst, "afi",
	                    json_string(q.af == BGP_AF_IPV4_UNICAST ? "ipv4" : "ipv6"));
	json_object_set_new(inst, "safi", json_string("unicast"));
	json_object_set_new(inst, "routes", routes);
	return json_pack("{s:[o]}", "instances", inst);
}

/* --- policies, in Cilium's model (cilium-dbg bgp route-policies) --- */

static json_t *communities_list(const uint32_t *v, size_t n)
{
	json_t *a = json_array();
	char text[24];
	for (size_t i = 0; i < n; i++) {
		const char *name = bgp_community_name(v[i]);
		snprintf(text, sizeof(text), "%u:%u", v[i] >> 16, v[i] & 0xffff);
		json_array_append_new(a, json_string(name != NULL ? name : text));
	}
	return a;
}

static json_t *statement_json(const struct policy_statement *st)
{
	static const char *const actions[] = { "none", "accept", "reject" };
	const struct policy_match *m = &st->match;
	const struct policy_set *set = &st->set;
	json_t *neighbors = json_array(), *families = json_array(), *prefixes = json_array();
	json_t *large = json_array();
	char text[ADDR_TEXT_MAX + 8];

	for (size_t i = 0; i < m->n_neighbors; i++) {
		char addr[ADDR_TEXT_MAX];
		snprintf(text, sizeof(text), "%s/%u", addr_text(&m->neighbors[i].base, addr),
		         m->neighbors[i].len);
		json_array_append_new(neighbors, json_string(text));
	}
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (m->families & BGP_AF_BIT(af))
			json_array_append_new(
			        families, json_string(af == 0 ? "ipv4/unicast" : "ipv6/unicast"));
	for (size_t i = 0; i < m->n_prefixes; i++) {
		bgp_prefix_format(text, sizeof(text), &m->prefixes[i].prefix);
		json_array_append_new(prefixes, json_pack("{s:s, s:i, s:i}", "cidr", text, "min",
		                                          m->prefixes[i].min_len, "max",
		                                          m->prefixes[i].max_len));
	}
	for (size_t i = 0; i < set->n_add_large_communities; i++) {
		const uint32_t *c = set->add_large_communities[i];
		snprintf(text, sizeof(text), "%u:%u:%u", c[0], c[1], c[2]);
		json_array_append_new(large, json_string(text));
	}
	char nh[ADDR_TEXT_MAX];
	return json_pack(
	        "{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "match_neighbors", neighbors,
	        "match_families", families, "match_prefixes", prefixes, "action",
	        actions[st->verdict], "set_local_preference",
	        set->has_local_pref ? json_integer(set->local_pref) : json_null(),
	        "add_communities", communities_list(set->add_communities, set->n_add_communities),
	        "add_large_communities", large, "next_hop",
	        set->has_next_hop ? json_string(addr_text(&set->next_hop, nh)) : json_null());
}

static bool in_chain(const struct policy *const *chain, size_t n, const struct policy *p)
{
	for (size_t i = 0; i < n; i++)
		if (chain[i] == p)
			return true;
	return false;
}

/* A policy is listed once per direction it is used in. */
static json_t *cmd_route_policies(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	(void)args, (void)err, (void)err_len;
	json_t *policies = json_array();
	for (size_t i = 0; i < r->cfg.n_policies; i++) {
		const struct policy *pol = &r->cfg.policies[i];
		for (int dir = 0; dir < 2; dir++) {
			bool used = false;
			for (size_t g = 0; g < r->cfg.n_groups && !used; g++) {
				const struct router_group *grp = &r->cfg.groups[g];
				used = dir == 0 ? in_chain(grp->import_policies,
				                           grp->n_import_policies, pol)
				                : in_chain(grp->export_policies,
				                           grp->n_export_policies, pol);
			}
			if (!used)
				continue;
			json_t *statements = json_array();
			for (size_t k = 0; k < pol->n_statements; k++)
				json_array_append_new(statements,
				                      statement_json(&pol->statements[k]));
			json_array_append_new(policies,
			                      json_pack("{s:s, s:s, s:o}", "name", pol->name,
			                                "type", dir == 0 ? "import" : "export",
			                                "statements", statements));
		}
	}
	json_t *inst = instance(r);
	json_object_set_new(inst, "policies", policies);
	return json_pack("{s:[o]}", "instances", inst);
}

/* --- the FIB --- */

static json_t *cmd_fib(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	const char *prefix = json_string_value(json_object_get(args, "prefix"));
	struct bgp_prefix only;
	if (prefix != NULL && bgp_prefix_parse(prefix, &only) < 0) {
		snprintf(err, err_len, "invalid prefix: %.64s", prefix);
		return NULL;
	}
	if (!r->fib_on)
		return json_pack("{s:b, s:[]}", "enabled", 0, "routes");
	return fib_json(&r->fib, prefix != NULL ? &only : NULL);
}

/* --- what FRR's views print beside the tables --- */

static json_t *cmd_stats(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	size_t entries[BGP_AF_COUNT] = { 0 }, pos = 0, groups = r->cfg.n_groups;
	struct rib_entry *e;
	(void)args, (void)err, (void)err_len;
	while ((e = rib_next(&r->rib, &pos)) != NULL)
		entries[e->af]++;
	json_t *fams = json_object();
	for (int af = 0; af < BGP_AF_COUNT; af++)
		json_object_set_new(fams, af == 0 ? "ipv4" : "ipv6",
		                    json_pack("{s:i, s:I, s:I}", "table_version", 0, "rib_entries",
		                              (json_int_t)entries[af], "peer_groups",
		                              (json_int_t)groups));
	return json_pack("{s:o}", r->cfg.name, fams);
}

static json_t *cmd_config(void *ctx, const json_t *args, char *err, size_t err_len)
{
	(void)args, (void)err, (void)err_len;
	return router_config_json(&router_of(ctx)->cfg);
}

/* --- actions --- */

static json_t *cmd_reload(void *ctx, const json_t *args, char *err, size_t err_len)
{
	(void)args;
	char *errors = router_reload(router_of(ctx));
	if (errors == NULL)
		return json_object();
	snprintf(err, err_len, "reload refused, running configuration kept: %s", errors);
	free(errors);
	return NULL;
}

static json_t *cmd_clear(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *r = router_of(ctx);
	const char *neighbor = json_string_value(json_object_get(args, "neighbor"));
	const char *mode = json_string_value(json_object_get(args, "mode"));
	union sockaddr_any addr;
	if (neighbor == NULL || addr_parse(neighbor, 179, &addr) < 0) {
		snprintf(err, err_len, "clear needs a neighbor address");
		return NULL;
	}
	struct bgp_peer *p = bgp_peer_find(&r->speaker, &addr);
	if (p == NULL) {
		snprintf(err, err_len, "no neighbor %.64s", neighbor);
		return NULL;
	}
	if (mode == NULL || strcmp(mode, "hard") == 0) {
		bgp_peer_reset(p, BGP_CEASE_ADMIN_RESET, "cleared by kbgpctl");
	} else if (strcmp(mode, "soft-in") == 0 || strcmp(mode, "soft-out") == 0) {
		if (!bgp_peer_established(p)) {
			snprintf(err, err_len, "neighbor %.64s is not established", neighbor);
			return NULL;
		}
		routes_clear_soft(r, p, strcmp(mode, "soft-in") == 0);
	} else {
		snprintf(err, err_len, "unknown mode %.32s: hard, soft-in or soft-out", mode);
		return NULL;
	}
	return json_object();
}

const struct ctl_command router_commands[] = {
	{ "peers", cmd_peers },
	{ "routes", cmd_routes },
	{ "route-policies", cmd_route_policies },
	{ "fib", cmd_fib },
	{ "stats", cmd_stats },
	{ "config", cmd_config },
	{ "reload", cmd_reload },
	{ "clear", cmd_clear },
	{ NULL, NULL },
};

json_t *router_call(struct router *r, const char *command, const json_t *args, char *err,
                    size_t err_len)
{
	for (const struct ctl_command *c = router_commands; c->name != NULL; c++)
		if (strcmp(c->name, command) == 0)
			return c->run(r, args, err, err_len);
	snprintf(err, err_len, "unknown command %.64s", command);
	return NULL;
}
