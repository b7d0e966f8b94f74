/*
 * nodeconfig: ClusterConfig -> per-node CiliumBGPNodeConfig, the router-ID
 * pool, and the ClusterConfig and PeerConfig conditions (see nodeconfig.h),
 * after Cilium 1.18's operator/pkg/bgpv2 cluster.go and peer.go.
 *
 * One run: decide who owns each node, give router IDs in ip-pool mode,
 * then render the NodeConfigs and the conditions.  Cilium's operator gets
 * there over several reconciles (each write triggers the next); this
 * computes the state they settle in.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp/nodeconfig.h"

/* ---- name lists: Go's sets.List() and "%v" of a []string ---- */

struct names {
	const char **v;
	size_t n, cap;
};

static bool names_add(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap != 0 ? 2 * l->cap : 8;
		const char **grown = realloc(l->v, cap * sizeof(*grown));
		if (grown == NULL)
			return false;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = name;
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void names_sort_unique(struct names *l)
{
	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), name_cmp);
	size_t kept = 1;
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->v[i], l->v[kept - 1]) != 0)
			l->v[kept++] = l->v[i];
	l->n = kept;
}

/* prefix followed by the sorted names as Go prints them ("[a b]"), or ""
 * when there are none: Cilium leaves the message empty on False. */
static json_t *names_message(const char *prefix, struct names *l)
{
	names_sort_unique(l);
	if (l->n == 0)
		return json_string("");
	size_t len = strlen(prefix) + 3;
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	char *text = malloc(len);
	if (text == NULL)
		return NULL;
	char *p = stpcpy(stpcpy(text, prefix), "[");
	for (size_t i = 0; i < l->n; i++)
		p = stpcpy(stpcpy(p, i > 0 ? " " : ""), l->v[i]);
	strcpy(p, "]");
	json_t *message = json_string(text);
	free(text);
	return message;
}

/* ---- the run ---- */

/* A router ID given to one instance of one node. */
struct rid_slot {
	bool set;
	uint32_t addr; /* host order */
};

struct node_plan {
	const struct k8s_object *node;
	const struct k8s_object *existing; /* its NodeConfig from the last run, or NULL */
	const struct k8s_object *override; /* its NodeConfigOverride, or NULL */
	int owner;                         /* ClusterConfig rendering it, -1: none */
	struct rid_slot *rid;              /* ip-pool mode: per instance of the owner */
};

struct cc_state {
	size_t matching;        /* nodes its nodeSelector selects */
	struct names conflicts; /* owners of selected nodes it cannot have */
};

/* The ip-pool allocator: addresses held, sorted, each with its holder. */
struct pool_entry {
	uint32_t addr;
	size_t node, instance;
};

struct pool {
	uint32_t first;
	uint64_t size; /* 0 when the CIDR is not IPv4 */
	struct pool_entry *v;
	size_t n, cap;
};

struct run {
	const struct k8s_store *s;
	const struct cp_operator_cfg *cfg;
	size_t n_nodes, n_cc;
	struct node_plan *node; /* store order: by name */
	struct cc_state *cc;    /* store order: by name */
	struct pool pool;
	json_t *errors;
	bool oom;
};

static const struct k8s_object *cc_at(const struct run *r, size_t c)
{
	return k8s_store_at(r->s, K8S_BGP_CLUSTER_CONFIG, c);
}

static const struct k8s_bgp_cluster_config *owner_spec(const struct run *r,
                                                       const struct node_plan *p)
{
	return &cc_at(r, (size_t)p->owner)->u.cluster_config;
}

static int cc_index(const struct run *r, const char *name)
{
	for (size_t c = 0; name != NULL && c < r->n_cc; c++)
		if (strcmp(cc_at(r, c)->meta.name, name) == 0)
			return (int)c;
	return -1;
}

static bool selects(const struct k8s_object *cc, const struct k8s_object *node)
{
	struct k8s_labels labels = { .map = node->meta.labels };
	/* nodeSelector absent: every node (Cilium's labels.Everything()). */
	return k8s_selector_matches(&cc->u.cluster_config.node_selector, &labels, true);
}

static const struct k8s_bgp_instance *instance_named(const struct k8s_bgp_instance *v, size_t n,
                                                     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static const struct k8s_bgp_peer *peer_named(const struct k8s_bgp_instance *in, const char *name)
{
	for (size_t i = 0; in != NULL && i < in->n_peers; i++)
		if (strcmp(in->peers[i].name, name) == 0)
			return &in->peers[i];
	return NULL;
}

static const struct k8s_bgp_instance *override_of(const struct node_plan *p, const char *instance)
{
	if (p->override == NULL)
		return NULL;
	const struct k8s_bgp_node_config_override *o = &p->override->u.override;
	return instance_named(o->instances, o->n_instances, instance);
}

static void add_error(struct run *r, json_t *text)
{
	if (json_array_append_new(r->errors, text) != 0)
		r->oom = true;
}

static int run_init(struct run *r, const struct k8s_store *s, const struct cp_operator_cfg *cfg)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->cfg = cfg;
	r->n_nodes = k8s_store_count(s, K8S_NODE);
	r->n_cc = k8s_store_count(s, K8S_BGP_CLUSTER_CONFIG);
	/* +1: never a zero-size allocation, whose NULL would read as
	 * out of memory. */
	r->node = calloc(r->n_nodes + 1, sizeof(*r->node));
	r->cc = calloc(r->n_cc + 1, sizeof(*r->cc));
	r->errors = json_array();
	if (r->node == NULL || r->cc == NULL || r->errors == NULL)
		return -1;
	for (size_t n = 0; n < r->n_nodes; n++) {
		struct node_plan *p = &r->node[n];
		p->node = k8s_store_at(s, K8S_NODE, n);
		p->existing = k8s_store_get(s, K8S_BGP_NODE_CONFIG, NULL, p->node->meta.name);
		p->override =
		        k8s_store_get(s, K8S_BGP_NODE_CONFIG_OVERRIDE, NULL, p->node->meta.name);
		p->owner = -1;
	}
	return 0;
}

static void run_free(struct run *r)
{
	for (size_t n = 0; r->node != NULL && n < r->n_nodes; n++)
		free(r->node[n].rid);
	for (size_t c = 0; r->cc != NULL && c < r->n_cc; c++)
		free(r->cc[c].conflicts.v);
	free(r->node);
	free(r->cc);
	free(r->pool.v);
	json_decref(r->errors);
}

/* ---- who owns each node ---- */

/*
 * "First owner wins": a NodeConfig written earlier stays with its owner.
 * Only while the owner still exists and selects the node, though: Cilium's
 * owner deletes a NodeConfig it no longer selects (Kubernetes' garbage
 * collector one whose owner is gone), and the deletion triggers the
 * reconcile in which another ClusterConfig takes the node.  A NodeConfig
 * without an owner is not one the operator wrote, and claims nothing.
 */
static void claim_existing(struct run *r)
{
	for (size_t n = 0; n < r->n_nodes; n++) {
		struct node_plan *p = &r->node[n];
		int c = p->existing != NULL ? cc_index(r, p->existing->meta.owner) : -1;
		if (c >= 0 && selects(cc_at(r, (size_t)c), p->node))
			p->owner = c;
	}
}

/*
 * A node nobody owns goes to the first ClusterConfig selecting it; any
 * other selecting it records the owner as a conflict.  Cilium reconciles
 * ClusterConfigs in its store's listing order, which is unspecified; name
 * order makes the winner predictable.  Conflicting nodes still count as
 * matching, as in Cilium (no NoMatchingNode for the loser).
 */
static void claim_selected(struct run *r)
{
	for (size_t c = 0; c < r->n_cc; c++)
		for (size_t n = 0; n < r->n_nodes; n++) {
			struct node_plan *p = &r->node[n];
			if (!selects(cc_at(r, c), p->node))
				continue;
			r->cc[c].matching++;
			if (p->owner < 0)
				p->owner = (int)c;
			else if (p->owner != (int)c &&
			         !names_add(&r->cc[c].conflicts,
			                    cc_at(r, (size_t)p->owner)->meta.name))
				r->oom = true;
		}
}

/* ---- router IDs, ip-pool mode ---- */

static void pool_init(struct pool *pool, const struct bgp_prefix *cidr)
{
	if (cidr->af != BGP_AF_IPV4_UNICAST)
		return;
	/* The whole CIDR, network and broadcast addresses included, as
	 * Cilium's lbipam.RangeFromPrefix gives its allocator. */
	pool->first = (uint32_t)cidr->addr[0] << 24 | (uint32_t)cidr->addr[1] << 16 |
	              (uint32_t)cidr->addr[2] << 8 | cidr->addr[3];
	pool->size = (uint64_t)1 << (32 - cidr->len);
}

static bool pool_contains(const struct pool *pool, uint32_t addr)
{
	return (uint64_t)(uint32_t)(addr - pool->first) < pool->size;
}

static int entry_cmp(const void *key, const void *entry)
{
	uint32_t a = *(const uint32_t *)key, b = ((const struct pool_entry *)entry)->addr;
	return a < b ? -1 : a > b;
}

static const struct pool_entry *pool_holder(const struct pool *pool, uint32_t addr)
{
	return pool->n == 0 ? NULL
	                    : bsearch(&addr, pool->v, pool->n, sizeof(pool->v[0]), entry_cmp);
}

/* Lowest first, so a fresh cluster numbers its nodes in name order. */
static bool pool_lowest_free(const struct pool *pool, uint32_t *out)
{
	uint64_t want = pool->first;
	for (size_t i = 0; i < pool->n && pool->v[i].addr == want; i++)
		want++;
	if (want >= (uint64_t)pool->first + pool->size)
		return false;
	*out = (uint32_t)want;
	return true;
}

/* One instance of one owned node, as the passes below visit it. */
struct slot {
	size_t node, instance;
	struct node_plan *plan;
	const struct k8s_bgp_instance *spec;     /* the ClusterConfig's */
	const struct k8s_bgp_instance *override; /* the override's, or NULL */
};

static bool override_sets_router_id(const struct slot *s)
{
	return s->override != NULL && s->override->has_router_id;
}

static void pool_take(struct run *r, uint32_t addr, const struct slot *s)
{
	struct pool *pool = &r->pool;
	if (pool->n == pool->cap) {
		size_t cap = pool->cap != 0 ? 2 * pool->cap : 16;
		struct pool_entry *grown = realloc(pool->v, cap * sizeof(*grown));
		if (grown == NULL) {
			r->oom = true;
			return;
		}
		pool->v = grown;
		pool->cap = cap;
	}
	size_t at = 0;
	while (at < pool->n && pool->v[at].addr < addr)
		at++;
	memmove(&pool->v[at + 1], &pool->v[at], (pool->n - at) * sizeof(pool->v[0]));
	pool->v[at] = (struct pool_entry){ .addr = addr, .node = s->node, .instance = s->instance };
	pool->n++;
	s->plan->rid[s->instance] = (struct rid_slot){ .set = true, .addr = addr };
}

static void format_router_id(char text[16], uint32_t addr)
{
	snprintf(text, 16, "%u.%u.%u.%u", addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff,
	         addr & 0xff);
}

/* Reports that addr, wanted by s for why, is held; false when it is free. */
static bool report_held(struct run *r, uint32_t addr, const struct slot *s, const char *why)
{
	const struct pool_entry *holder = pool_holder(&r->pool, addr);
	if (holder == NULL)
		return false;
	const struct node_plan *hp = &r->node[holder->node];
	char text[16];
	format_router_id(text, addr);
	add_error(r, json_sprintf("CiliumBGPNodeConfig %s instance %s: routerID %s (%s) is already "
	                          "the router ID of node %s instance %s",
	                          s->plan->node->meta.name, s->spec->name, text, why,
	                          hp->node->meta.name,
	                          owner_spec(r, hp)->instances[holder->instance].name));
	return true;
}

/*
 * Sticky router IDs: what the last run wrote for this node and instance
 * stays (Cilium restores its allocator from the NodeConfig specs after a
 * restart).  One outside the pool, or one an override now replaces, was
 * never an allocation.
 */
static void restore_router_id(struct run *r, const struct slot *s)
{
	if (s->plan->existing == NULL || override_sets_router_id(s))
		return;
	const struct k8s_bgp_node_config *was = &s->plan->existing->u.node_config;
	const struct k8s_bgp_instance *in =
	        instance_named(was->instances, was->n_instances, s->spec->name);
	if (in == NULL || !in->has_router_id || !pool_contains(&r->pool, in->router_id))
		return;
	if (!report_held(r, in->router_id, s, "restored from the last run"))
		pool_take(r, in->router_id, s);
}

/*
 * An override's router ID inside the pool is taken out of it, so no node
 * is given it as well.  One already held is reported, and still written:
 * the override wins, as in Cilium, which does not check at all.
 */
static void reserve_override(struct run *r, const struct slot *s)
{
	if (!override_sets_router_id(s) || !pool_contains(&r->pool, s->override->router_id))
		return;
	if (!report_held(r, s->override->router_id, s, "from CiliumBGPNodeConfigOverride"))
		pool_take(r, s->override->router_id, s);
}

/* The rest get the lowest free address; an exhausted pool leaves the
 * instance without a router ID, which the agent refuses in ip-pool mode. */
static void allocate_router_id(struct run *r, const struct slot *s)
{
	if (override_sets_router_id(s) || s->plan->rid[s->instance].set)
		return;
	uint32_t addr;
	if (pool_lowest_free(&r->pool, &addr)) {
		pool_take(r, addr, s);
		return;
	}
	char cidr[64];
	bgp_prefix_format(cidr, sizeof(cidr), &r->cfg->router_id_cidr);
	add_error(r, json_sprintf("CiliumBGPNodeConfig %s instance %s: no router ID left in the "
	                          "pool %s",
	                          s->plan->node->meta.name, s->spec->name, cidr));
}

typedef void slot_fn(struct run *r, const struct slot *s);

/* Owned nodes in name order, each owner's instances in spec order. */
static void each_slot(struct run *r, slot_fn *fn)
{
	for (size_t n = 0; n < r->n_nodes; n++) {
		struct node_plan *p = &r->node[n];
		if (p->owner < 0)
			continue;
		const struct k8s_bgp_cluster_config *cc = owner_spec(r, p);
		for (size_t i = 0; i < cc->n_instances; i++) {
			struct slot s = { .node = n,
				          .instance = i,
				          .plan = p,
				          .spec = &cc->instances[i],
				          .override = override_of(p, cc->instances[i].name) };
			fn(r, &s);
		}
	}
}

static void plan_router_ids(struct run *r)
{
	pool_init(&r->pool, &r->cfg->router_id_cidr);
	for (size_t n = 0; n < r->n_nodes; n++) {
		struct node_plan *p = &r->node[n];
		if (p->owner >= 0 &&
		    (p->rid = calloc(owner_spec(r, p)->n_instances + 1, sizeof(*p->rid))) == NULL) {
			r->oom = true;
			return;
		}
	}
	each_slot(r, restore_router_id);
	each_slot(r, reserve_override);
	each_slot(r, allocate_router_id);
}

/* ---- NodeConfig objects (Go's JSON: optional fields omitted) ---- */

static void set_text(json_t *j, const char *key, const char *text)
{
	json_object_set_new(j, key, json_string(text));
}

static void set_address(json_t *j, const char *key, const union sockaddr_any *a)
{
	char text[ADDR_TEXT_MAX + 12];
	addr_text(a, text);
	/* The zone as the decoder kept it: an interface index. */
	if (a->sa.sa_family == AF_INET6 && a->in6.sin6_scope_id != 0)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%%%u",
		         (unsigned)a->in6.sin6_scope_id);
	set_text(j, key, text);
}

static json_t *peer_json(const struct k8s_bgp_peer *p, const struct k8s_bgp_instance *override)
{
	/* peerASN is always there: the CRD defaults it to 0 (so does the
	 * decoder) before the operator reads the ClusterConfig. */
	json_t *j = json_pack("{s:s, s:I}", "name", p->name, "peerASN", (json_int_t)p->asn);
	if (p->has_address)
		set_address(j, "peerAddress", &p->address);
	if (p->auto_discovery)
		json_object_set_new(
		        j, "autoDiscovery",
		        json_pack("{s:s, s:{s:s}}", "mode", "DefaultGateway", "defaultGateway",
		                  "addressFamily",
		                  p->auto_discovery_af == BGP_AF_IPV6_UNICAST ? "ipv6" : "ipv4"));
	if (p->peer_config != NULL)
		json_object_set_new(j, "peerConfigRef", json_pack("{s:s}", "name", p->peer_config));
	/* localAddress only: Cilium never copies the override's peer localPort. */
	const struct k8s_bgp_peer *o = peer_named(override, p->name);
	if (o != NULL && o->has_local_address)
		set_address(j, "localAddress", &o->local_address);
	return j;
}

/* The ClusterConfig's instance with the pool's router ID, then the
 * override's routerID, localPort and localASN where it sets them. */
static struct k8s_bgp_instance effective_instance(const struct k8s_bgp_instance *spec,
                                                  const struct k8s_bgp_instance *o,
                                                  const struct rid_slot *rid)
{
	struct k8s_bgp_instance e = *spec;
	if (rid != NULL && rid->set) {
		e.has_router_id = true;
		e.router_id = rid->addr;
	}
	if (o == NULL)
		return e;
	if (o->has_router_id) {
		e.has_router_id = true;
		e.router_id = o->router_id;
	}
	if (o->has_local_port) {
		e.has_local_port = true;
		e.local_port = o->local_port;
	}
	if (o->has_local_asn) {
		e.has_local_asn = true;
		e.local_asn = o->local_asn;
	}
	return e;
}

static json_t *instance_json(const struct k8s_bgp_instance *e, const struct k8s_bgp_instance *o)
{
	json_t *j = json_pack("{s:s}", "name", e->name);
	if (e->has_local_asn)
		json_object_set_new(j, "localASN", json_integer(e->local_asn));
	if (e->has_router_id) {
		char text[16];
		format_router_id(text, e->router_id);
		set_text(j, "routerID", text);
	}
	if (e->has_local_port)
		json_object_set_new(j, "localPort", json_integer(e->local_port));
	if (e->n_peers == 0)
		return j;
	json_t *peers = json_array();
	for (size_t i = 0; i < e->n_peers; i++)
		json_array_append_new(peers, peer_json(&e->peers[i], o));
	json_object_set_new(j, "peers", peers);
	return j;
}

static json_t *owner_reference(const struct k8s_object *cc)
{
	json_t *ref = json_pack("{s:s, s:s, s:s, s:b}", "apiVersion", "cilium.io/v2", "kind",
	                        "CiliumBGPClusterConfig", "name", cc->meta.name, "controller", 1);
	/* Manifests rarely carry a uid; Go would write "" where we leave it out. */
	if (cc->meta.uid != NULL)
		set_text(ref, "uid", cc->meta.uid);
	return ref;
}

static json_t *node_config_json(const struct run *r, const struct node_plan *p)
{
	const struct k8s_object *cc = cc_at(r, (size_t)p->owner);
	json_t *instances = json_array();
	for (size_t i = 0; i < cc->u.cluster_config.n_instances; i++) {
		const struct k8s_bgp_instance *spec = &cc->u.cluster_config.instances[i];
		const struct k8s_bgp_instance *o = override_of(p, spec->name);
		struct k8s_bgp_instance e =
		        effective_instance(spec, o, p->rid != NULL ? &p->rid[i] : NULL);
		json_array_append_new(instances, instance_json(&e, o));
	}
	/* Created once: the time survives as long as the NodeConfig does. */
	const char *created = p->existing != NULL && p->existing->meta.creation != NULL &&
	                                      p->existing->meta.owner != NULL &&
	                                      strcmp(p->existing->meta.owner, cc->meta.name) == 0
	                              ? p->existing->meta.creation
	                              : r->cfg->now;
	json_t *nc = json_pack("{s:s, s:s, s:{s:s, s:[o]}, s:{s:o}}", "apiVersion", "cilium.io/v2",
	                       "kind", "CiliumBGPNodeConfig", "metadata", "name",
	                       p->node->meta.name, "ownerReferences", owner_reference(cc), "spec",
	                       "bgpInstances", instances);
	if (created != NULL)
		json_object_set_new(json_object_get(nc, "metadata"), "creationTimestamp",
		                    json_string(created));
	return nc;
}

static json_t *node_configs_json(const struct run *r)
{
	json_t *list = json_array();
	for (size_t n = 0; n < r->n_nodes; n++)
		if (r->node[n].owner >= 0)
			json_array_append_new(list, node_config_json(r, &r->node[n]));
	return list;
}

/* ---- conditions (metav1.Condition, set as meta.SetStatusCondition does) ---- */

struct condition {
	const char *type;
	bool status;
	const char *reason;
	json_t *message; /* taken */
};

/* The object's lastTransitionTime when the status did not change. */
static const char *transition_time(const json_t *status, const char *type, const char *value,
                                   const char *now)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(status, "conditions"), i, c)
	{
		const char *was_type = json_string_value(json_object_get(c, "type"));
		if (was_type == NULL || strcmp(was_type, type) != 0)
			continue;
		const char *was = json_string_value(json_object_get(c, "status"));
		const char *at = json_string_value(json_object_get(c, "lastTransitionTime"));
		return was != NULL && at != NULL && strcmp(was, value) == 0 ? at : now;
	}
	return now;
}

/* observedGeneration is left out: manifests have no generation (Go's 0). */
static void add_condition(json_t *list, const struct k8s_object *o, const struct condition *c,
                          const char *now)
{
	const char *value = c->status ? "True" : "False";
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", c->type,
	                                      "status", value, "lastTransitionTime",
	                                      transition_time(o->status, c->type, value, now),
	                                      "reason", c->reason, "message", c->message));
}

/* Referenced PeerConfigs that do not exist; peers without a reference use
 * the defaults and are not missing anything. */
static bool missing_peer_configs(const struct run *r, const struct k8s_object *cc,
                                 struct names *missing)
{
	const struct k8s_bgp_cluster_config *spec = &cc->u.cluster_config;
	for (size_t i = 0; i < spec->n_instances; i++)
		for (size_t k = 0; k < spec->instances[i].n_peers; k++) {
			const char *ref = spec->instances[i].peers[k].peer_config;
			if (ref != NULL &&
			    k8s_store_get(r->s, K8S_BGP_PEER_CONFIG, NULL, ref) == NULL &&
			    !names_add(missing, ref))
				return false;
		}
	return true;
}

/* Built in type order, which is the order Cilium sorts them into. */
static json_t *cluster_conditions(struct run *r, size_t c)
{
	json_t *list = json_array();
	if (!r->cfg->status_report)
		return list;
	const struct k8s_object *cc = cc_at(r, c);
	struct cc_state *st = &r->cc[c];
	struct names missing = { 0 };
	if (!missing_peer_configs(r, cc, &missing))
		r->oom = true;
	const struct condition conds[] = {
		{ "cilium.io/ConflictingClusterConfig", st->conflicts.n > 0,
		  "ConflictingClusterConfigs",
		  names_message("Selecting the same node(s) with ClusterConfig(s): ",
		                &st->conflicts) },
		{ "cilium.io/MissingPeerConfigs", missing.n > 0, "MissingPeerConfigs",
		  names_message("Referenced CiliumBGPPeerConfig(s) are missing: ", &missing) },
		{ "cilium.io/NoMatchingNode", st->matching == 0, "NoMatchingNode",
		  json_string("No node matches spec.nodeSelector") },
	};
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		add_condition(list, cc, &conds[i], r->cfg->now);
	free(missing.v);
	return list;
}

/* Go's %q of a name: for the printable text of names, JSON's quoting. */
static json_t *auth_secret_message(const char *secret)
{
	json_t *name = json_string(secret);
	char *quoted = json_dumps(name, JSON_ENCODE_ANY);
	json_t *message = quoted != NULL
	                          ? json_sprintf("Referenced Auth Secret %s is missing", quoted)
	                          : NULL;
	free(quoted);
	json_decref(name);
	return message;
}

static json_t *peer_conditions(const struct run *r, const struct k8s_object *pc)
{
	json_t *list = json_array();
	if (!r->cfg->status_report)
		return list;
	const char *ns = r->cfg->secrets_ns != NULL ? r->cfg->secrets_ns : "kube-system";
	const char *secret = pc->u.peer_config.auth_secret;
	bool missing = secret != NULL && k8s_store_get(r->s, K8S_SECRET, ns, secret) == NULL;
	const struct condition cond = { "cilium.io/MissingAuthSecret", missing, "MissingAuthSecret",
		                        missing ? auth_secret_message(secret) : json_string("") };
	add_condition(list, pc, &cond, r->cfg->now);
	return list;
}

static json_t *cluster_statuses(struct run *r)
{
	json_t *all = json_object();
	for (size_t c = 0; c < r->n_cc; c++)
		json_object_set_new(all, cc_at(r, c)->meta.name,
		                    json_pack("{s:o}", "conditions", cluster_conditions(r, c)));
	return all;
}

static json_t *peer_statuses(const struct run *r)
{
	json_t *all = json_object();
	for (size_t i = 0; i < k8s_store_count(r->s, K8S_BGP_PEER_CONFIG); i++) {
		const struct k8s_object *pc = k8s_store_at(r->s, K8S_BGP_PEER_CONFIG, i);
		json_object_set_new(all, pc->meta.name,
		                    json_pack("{s:o}", "conditions", peer_conditions(r, pc)));
	}
	return all;
}

json_t *cp_node_configs(const struct k8s_store *s, const struct cp_operator_cfg *cfg)
{
	struct run r;
	json_t *out = NULL;
	if (run_init(&r, s, cfg) == 0) {
		claim_existing(&r);
		claim_selected(&r);
		if (cfg->router_id_pool)
			plan_router_ids(&r);
		json_t *node_configs = node_configs_json(&r);
		json_t *clusters = cluster_statuses(&r);
		json_t *peers = peer_statuses(&r);
		out = json_pack("{s:o, s:o, s:o, s:O}", "nodeConfigs", node_configs,
		                "clusterConfigs", clusters, "peerConfigs", peers, "errors",
		                r.errors);
	}
	if (r.oom) {
		json_decref(out);
		out = NULL;
	}
	run_free(&r);
	return out;
}
