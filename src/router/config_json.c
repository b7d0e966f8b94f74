/*
 * config_json: the running configuration as a BGPRouter manifest, every
 * default filled in (`kbgpctl show running-config`).  It reads back as the
 * same configuration, except authentication keys, shown as "<set>".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "router/config.h"
#include "router/config_json.h"

static json_t *addr_json(const union sockaddr_any *a)
{
	char text[ADDR_TEXT_MAX];
	return json_string(addr_text(a, text));
}

static json_t *range_json(const struct addr_range *r)
{
	char text[ADDR_TEXT_MAX], out[ADDR_TEXT_MAX + 8];
	snprintf(out, sizeof(out), "%s/%u", addr_text(&r->base, text), r->len);
	return json_string(out);
}

static json_t *prefix_json(const struct bgp_prefix *p)
{
	char text[64];
	bgp_prefix_format(text, sizeof(text), p);
	return json_string(text);
}

static json_t *community_list(const uint32_t *v, size_t n)
{
	json_t *a = json_array();
	char text[24];
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%u:%u", v[i] >> 16, v[i] & 0xffff);
		json_array_append_new(a, json_string(text));
	}
	return a;
}

static json_t *large_list(uint32_t (*v)[3], size_t n)
{
	json_t *a = json_array();
	char text[40];
	for (size_t i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%u:%u:%u", v[i][0], v[i][1], v[i][2]);
		json_array_append_new(a, json_string(text));
	}
	return a;
}

static json_t *families_json(uint8_t afs)
{
	json_t *a = json_array();
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (afs & BGP_AF_BIT(af))
			json_array_append_new(a, json_pack("{s:s, s:s}", "afi",
			                                   af == 0 ? "ipv4" : "ipv6", "safi",
			                                   "unicast"));
	return a;
}

static json_t *match_json(const struct policy_match *m)
{
	json_t *j = json_object(), *v;
	if (m->n_neighbors > 0) {
		json_object_set_new(j, "neighbors", v = json_array());
		for (size_t i = 0; i < m->n_neighbors; i++)
			json_array_append_new(v, range_json(&m->neighbors[i]));
	}
	if (m->families != 0)
		json_object_set_new(j, "families", families_json(m->families));
	if (m->n_prefixes > 0) {
		json_object_set_new(j, "prefixes", v = json_array());
		for (size_t i = 0; i < m->n_prefixes; i++)
			json_array_append_new(v, json_pack("{s:o, s:i, s:i}", "prefix",
			                                   prefix_json(&m->prefixes[i].prefix),
			                                   "minLength", m->prefixes[i].min_len,
			                                   "maxLength", m->prefixes[i].max_len));
	}
	if (m->n_communities > 0)
		json_object_set_new(j, "communities",
		                    community_list(m->communities, m->n_communities));
	if (m->n_large_communities > 0)
		json_object_set_new(j, "largeCommunities",
		                    large_list(m->large_communities, m->n_large_communities));
	if (m->has_neighbor_as || m->n_as_contains > 0) {
		json_t *as = json_object(), *contains = json_array();
		if (m->has_neighbor_as)
			json_object_set_new(as, "neighborAS", json_integer(m->neighbor_as));
		for (size_t i = 0; i < m->n_as_contains; i++)
			json_array_append_new(contains, json_integer(m->as_contains[i]));
		if (m->n_as_contains > 0)
			json_object_set_new(as, "contains", contains);
		else
			json_decref(contains);
		json_object_set_new(j, "asPath", as);
	}
	if (m->local_only)
		json_object_set_new(j, "localOnly", json_true());
	return j;
}

static json_t *set_json(const struct policy_set *s)
{
	json_t *j = json_object();
	if (s->has_local_pref)
		json_object_set_new(j, "localPreference", json_integer(s->local_pref));
	if (s->has_med)
		json_object_set_new(j, "med", json_integer(s->med));
	if (s->n_add_communities > 0)
		json_object_set_new(j, "addCommunities",
		                    community_list(s->add_communities, s->n_add_communities));
	if (s->n_add_large_communities > 0)
		json_object_set_new(
		        j, "addLargeCommunities",
		        large_list(s->add_large_communities, s->n_add_large_communities));
	if (s->prepend_as != 0)
		json_object_set_new(j, "asPathPrepend",
		                    json_pack("{s:I, s:i}", "asn", (json_int_t)s->prepend_as,
		                              "count", s->prepend_count));
	if (s->has_next_hop)
		json_object_set_new(j, "nextHop", addr_json(&s->next_hop));
	return j;
}

static json_t *statements_json(const struct policy *p)
{
	static const char *const actions[] = { "next", "accept", "reject" };
	json_t *a = json_array();
	for (size_t k = 0; k < p->n_statements; k++) {
		const struct policy_statement *s = &p->statements[k];
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s}", "name", s->name, "match",
		                                   match_json(&s->match), "set", set_json(&s->set),
		                                   "action", actions[s->verdict]));
	}
	return a;
}

static json_t *policies_json(const struct router_config *c)
{
	json_t *a = json_array();
	for (size_t i = 0; i < c->n_policies; i++)
		json_array_append_new(a, json_pack("{s:s, s:o}", "name", c->policies[i].name,
		                                   "statements", statements_json(&c->policies[i])));
	return a;
}

static json_t *chain_json(const struct policy *const *chain, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(chain[i]->name));
	return a;
}

static json_t *remote_asn(const struct router_group *g)
{
	switch (g->as_kind) {
	case BGP_PEER_AS_EXTERNAL:
		return json_string("external");
	case BGP_PEER_AS_INTERNAL:
		return json_string("internal");
	default:
		return json_integer(g->asn);
	}
}

static json_t *group_json(const struct router_group *g)
{
	json_t *neighbors = json_array(), *ranges = json_array();
	for (size_t i = 0; i < g->n_neighbors; i++)
		json_array_append_new(neighbors, addr_json(&g->neighbors[i]));
	for (size_t i = 0; i < g->n_listen_ranges; i++)
		json_array_append_new(ranges, range_json(&g->listen_ranges[i]));
	json_t *j = json_pack(
	        "{s:s, s:o, s:o, s:o, s:{s:i, s:i, s:i}, s:i, s:o, s:b, s:i, s:b, s:o, s:o}",
	        "name", g->name, "remoteASN", remote_asn(g), "neighbors", neighbors, "listenRanges",
	        ranges, "timers", "holdTimeSeconds", g->hold_time, "connectRetryTimeSeconds",
	        g->connect_retry, "advertisementIntervalSeconds", g->advertisement_interval,
	        "ebgpMultihop", g->ebgp_multihop, "families", families_json(g->families), "passive",
	        g->passive, "peerPort", g->peer_port, "shutdown", g->shutdown, "importPolicies",
	        chain_json(g->import_policies, g->n_import_policies), "exportPolicies",
	        chain_json(g->export_policies, g->n_export_policies));
	if (g->keepalive != 0) /* 0: a third of the hold time */
		json_object_set_new(json_object_get(j, "timers"), "keepAliveTimeSeconds",
		                    json_integer(g->keepalive));
	if (g->ttl_security_hops != 0)
		json_object_set_new(j, "ttlSecurityHops", json_integer(g->ttl_security_hops));
	if (g->allowas_in != 0)
		json_object_set_new(j, "allowASIn", json_integer(g->allowas_in));
	if (g->md5_key[0] != '\0')
		json_object_set_new(j, "authPassword", json_string("<set>"));
	if (g->has_local_address)
		json_object_set_new(j, "localAddress", addr_json(&g->local_address));
	if (g->gr_override)
		json_object_set_new(j, "gracefulRestart",
		                    json_pack("{s:b, s:i}", "enabled", g->graceful_restart,
		                              "restartTimeSeconds", g->restart_time));
	if (g->max_prefixes != 0) {
		json_t *mp = json_pack("{s:I, s:b}", "limit", (json_int_t)g->max_prefixes,
		                       "warningOnly", g->max_prefixes_warning_only);
		if (g->max_prefixes_restart != 0)
			json_object_set_new(mp, "restartSeconds",
			                    json_integer(g->max_prefixes_restart));
		json_object_set_new(j, "maxPrefixes", mp);
	}
	return j;
}

json_t *router_config_json(const struct router_config *c)
{
	char id[INET_ADDRSTRLEN];
	uint32_t net = htonl(c->router_id);
	json_t *listen = json_array(), *networks = json_array(), *groups = json_array();
	for (size_t i = 0; i < c->n_listen; i++)
		json_array_append_new(listen, addr_json(&c->listen[i]));
	for (size_t i = 0; i < c->n_networks; i++)
		json_array_append_new(networks, prefix_json(&c->networks[i]));
	for (size_t i = 0; i < c->n_groups; i++)
		json_array_append_new(groups, group_json(&c->groups[i]));
	json_t *fib =
	        json_pack("{s:b, s:I, s:I, s:i, s:b}", "install", c->fib_install, "table",
	                  (json_int_t)c->fib.table, "metric", (json_int_t)c->fib.metric, "protocol",
	                  c->fib.protocol, "nexthopObjects", c->fib.nexthop_objects);
	json_t *hash = json_object();
	if (c->fib.hash_policy4 >= 0)
		json_object_set_new(hash, "ipv4", json_integer(c->fib.hash_policy4));
	if (c->fib.hash_policy6 >= 0)
		json_object_set_new(hash, "ipv6", json_integer(c->fib.hash_policy6));
	if (json_object_size(hash) > 0)
		json_object_set_new(fib, "multipathHashPolicy", hash);
	else
		json_decref(hash);
	json_t *spec =
	        json_pack("{s:I, s:s, s:{s:i, s:o}, s:{s:b, s:i, s:i}, s:b, s:{s:b}, s:i, s:o, "
	                  "s:b, s:o, s:o, "
	                  "s:o}",
	                  "localASN", (json_int_t)c->asn, "routerID",
	                  inet_ntop(AF_INET, &net, id, sizeof(id)), "listen", "port",
	                  c->listen_port, "addresses", listen, "gracefulRestart", "enabled",
	                  c->graceful_restart, "restartTimeSeconds", c->restart_time,
	                  "selectionDeferralSeconds", c->selection_deferral, "ebgpRequiresPolicy",
	                  c->ebgp_requires_policy, "bestPath", "asPathMultipathRelax",
	                  c->as_path_multipath_relax, "maximumPaths", c->maximum_paths, "networks",
	                  networks, "networkImportCheck", c->network_import_check, "fib", fib,
	                  "policies", policies_json(c), "peerGroups", groups);
	return json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "kbgp.io/v1alpha1", "kind",
	                 "BGPRouter", "metadata", "name", c->name, "spec", spec);
}
