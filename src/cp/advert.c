/*
 * advert: a node's CiliumBGPNodeConfig, and the objects it leads to, made
 * into one router configuration per BGP instance, as Cilium's agent
 * (pkg/bgpv1/manager, reconcilerv2) would run them: neighbours with their
 * PeerConfig, advertised prefixes as local networks, and Cilium's export
 * policies per peer and family, named and merged exactly as Cilium does.
 */
#include "cp/advert.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/htab.h"
#include "router/config_impl.h"
#include "router/config_json.h"

#define DEFAULT_SECRETS_NS     "kube-system"
#define BGP_LOADBALANCER_CLASS "io.cilium/bgp-control-plane"
#define SHARED                 SIZE_MAX /* owner of the import policies every group uses */

/* A peer without a peerConfigRef gets Cilium's defaults (SetDefaults()),
 * with n_families 0 standing for ipv4 and ipv6 unicast, and no
 * advertisements: those are only reached through a PeerConfig. */
static const struct k8s_bgp_peer_config default_peer_config = {
	.peer_port = 179,
	.connect_retry = 120,
	.hold_time = 90,
	.keepalive = 30,
	.restart_time = 120,
	.ebgp_multihop = 1,
};

static const struct {
	unsigned bit;
	const char *name;
} svc_addr_kinds[] = {
	{ K8S_SVC_ADDR_LB, "LoadBalancerIP" },
	{ K8S_SVC_ADDR_EXTERNAL, "ExternalIP" },
	{ K8S_SVC_ADDR_CLUSTER, "ClusterIP" },
};

struct prefix_list {
	struct bgp_prefix *v;
	size_t n, cap;
};

/* A policy being built, and the group whose export chain takes it. */
struct pending_policy {
	struct policy pol;
	size_t owner; /* group index, or SHARED */
};

/* One instance being derived. */
struct build {
	const struct k8s_store *s;
	const struct cp_agent_opts *o;
	const struct k8s_object *node; /* NULL when the Node is not known */
	const char *instance;
	uint32_t asn;
	json_t *errors;
	struct router_config *cfg;
	size_t cap_groups;
	struct pending_policy *pending;
	size_t n_pending, cap_pending;
	/* The pending policies by owner and name, as positions in pending
	 * plus one (the array moves as it grows), until finish_policies
	 * sorts them. */
	struct htab by_name;
	struct prefix_list networks;
	bool oom;
};

/* Where an advertisement goes: one peer, one family. */
struct target {
	size_t group;
	const char *peer;
	const union sockaddr_any *addr;
	enum bgp_af af;
};

static void report(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct build *b, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(b->errors, json_sprintf("%s: %s", b->instance, msg));
}

static void *alloc(struct build *b, size_t n, size_t size)
{
	void *p = n == 0 ? NULL : calloc(n, size);
	b->oom |= n != 0 && p == NULL;
	return p;
}

/* Room for `want` items in *v; false (out of memory noted) otherwise. */
static bool reserve(struct build *b, void **v, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return true;
	size_t grown = *cap != 0 ? *cap * 2 : 8;
	void *p = realloc(*v, (grown > want ? grown : want) * size);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	*v = p;
	*cap = grown > want ? grown : want;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *afi_name(enum bgp_af af)
{
	return af == BGP_AF_IPV4_UNICAST ? "ipv4" : "ipv6";
}

static uint8_t host_len(enum bgp_af af)
{
	return af == BGP_AF_IPV4_UNICAST ? 32 : 128;
}

/* ---- prefixes ---- */

static void prefix_push(struct build *b, struct prefix_list *l, const struct bgp_prefix *p)
{
	if (reserve(b, (void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)))
		l->v[l->n++] = *p;
}

static int prefix_order(const void *a, const void *b)
{
	return bgp_prefix_cmp(a, b);
}

static void prefix_sort_unique(struct prefix_list *l)
{
	size_t kept = 0;
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), prefix_order);
	for (size_t i = 0; i < l->n; i++)
		if (kept == 0 || bgp_prefix_cmp(&l->v[kept - 1], &l->v[i]) != 0)
			l->v[kept++] = l->v[i];
	l->n = kept;
}

/* The address as a prefix of family af and length len, host bits
 * cleared; false when the address is of the other family. */
static bool addr_prefix(const union sockaddr_any *a, enum bgp_af af, uint8_t len,
                        struct bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (af == BGP_AF_IPV4_UNICAST && a->sa.sa_family == AF_INET)
		memcpy(p->addr, &a->in.sin_addr, 4);
	else if (af == BGP_AF_IPV6_UNICAST && a->sa.sa_family == AF_INET6)
		memcpy(p->addr, &a->in6.sin6_addr, 16);
	else
		return false;
	p->af = (uint8_t)af;
	p->len = len;
	bgp_prefix_mask(p);
	return true;
}

/* ---- policies ---- */

/* Append item unless *list has it already (Cilium de-duplicates
 * communities keeping the first spelling, so the first one wins). */
static void union_item(struct build *b, void **list, size_t *n, const void *item, size_t size)
{
	for (size_t i = 0; i < *n; i++)
		if (memcmp((const char *)*list + i * size, item, size) == 0)
			return;
	size_t cap = *n;
	if (reserve(b, list, &cap, *n + 1, size))
		memcpy((char *)*list + (*n)++ * size, item, size);
}

/* Union of communities, the higher local preference (MergeRoutePolicies). */
static void merge_set(struct build *b, struct policy_set *into, const struct policy_set *from)
{
	if (from->has_local_pref &&
	    (!into->has_local_pref || from->local_pref > into->local_pref)) {
		into->has_local_pref = true;
		into->local_pref = from->local_pref;
	}
	for (size_t i = 0; i < from->n_add_communities; i++)
		union_item(b, (void **)&into->add_communities, &into->n_add_communities,
		           &from->add_communities[i], sizeof(uint32_t));
	for (size_t i = 0; i < from->n_add_large_communities; i++)
		union_item(b, (void **)&into->add_large_communities, &into->n_add_large_communities,
		           from->add_large_communities[i], sizeof(uint32_t[3]));
}

/* The advertisement's attributes: standard then well-known communities
 * (the decoder keeps that order) merged by value, large ones likewise. */
static void advert_set(struct build *b, const char *policy, const struct k8s_advert *ad,
                       struct policy_set *set)
{
	for (size_t i = 0; i < ad->n_communities; i++)
		union_item(b, (void **)&set->add_communities, &set->n_add_communities,
		           &ad->communities[i].value, sizeof(uint32_t));
	for (size_t i = 0; i < ad->n_large_communities; i++)
		union_item(b, (void **)&set->add_large_communities, &set->n_add_large_communities,
		           ad->large_communities[i].large, sizeof(uint32_t[3]));
	if (!ad->has_local_pref)
		return;
	if (ad->local_pref < 0 || ad->local_pref > UINT32_MAX) {
		report(b, "%s: localPreference %lld is out of range 0..4294967295: not set", policy,
		       (long long)ad->local_pref);
		return;
	}
	set->has_local_pref = true;
	set->local_pref = (uint32_t)ad->local_pref;
}

/* CreatePolicy's one statement: to this neighbour, exactly these
 * prefixes, accept.  The statement is the caller's to free. */
static struct policy_statement *export_statement(struct build *b, const struct target *t,
                                                 const struct prefix_list *l)
{
	struct policy_statement *st = alloc(b, 1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->verdict = POLICY_ACCEPT;
	st->match.neighbors = alloc(b, 1, sizeof(*st->match.neighbors));
	st->match.prefixes = alloc(b, l->n, sizeof(*st->match.prefixes));
	if (st->match.neighbors != NULL) {
		st->match.neighbors[0].base = *t->addr;
		st->match.neighbors[0].len = t->addr->sa.sa_family == AF_INET ? 32 : 128;
		st->match.n_neighbors = 1;
	}
	for (size_t i = 0; i < l->n && st->match.prefixes != NULL; i++) {
		struct policy_prefix *pp = &st->match.prefixes[st->match.n_prefixes++];
		pp->prefix = l->v[i];
		pp->min_len = pp->max_len = l->v[i].len;
	}
	return st;
}

static bool same_conditions(const struct policy_match *a, const struct policy_match *b)
{
	if (a->n_neighbors != b->n_neighbors || a->n_prefixes != b->n_prefixes ||
	    a->local_only != b->local_only)
		return false;
	for (size_t i = 0; i < a->n_neighbors; i++)
		if (a->neighbors[i].len != b->neighbors[i].len ||
		    !addr_equal(&a->neighbors[i].base, &b->neighbors[i].base))
			return false;
	for (size_t i = 0; i < a->n_prefixes; i++)
		if (bgp_prefix_cmp(&a->prefixes[i].prefix, &b->prefixes[i].prefix) != 0 ||
		    a->prefixes[i].min_len != b->prefixes[i].min_len ||
		    a->prefixes[i].max_len != b->prefixes[i].max_len)
			return false;
	return true;
}

struct pending_key {
	const struct build *b;
	size_t owner;
	const char *name;
};

static uint64_t pending_hash(size_t owner, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull ^ owner; /* FNV-1a */
	for (const char *c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	return h;
}

static bool pending_is(const void *elem, const void *key)
{
	const struct pending_key *k = key;
	const struct pending_policy *pp = &k->b->pending[(uintptr_t)elem - 1];
	return pp->owner == k->owner && strcmp(pp->pol.name, k->name) == 0;
}

static struct pending_policy *find_pending(struct build *b, size_t owner, const char *name)
{
	struct pending_key k = { b, owner, name };
	void *at = htab_find(&b->by_name, pending_hash(owner, name), &k, pending_is);
	return at != NULL ? &b->pending[(uintptr_t)at - 1] : NULL;
}

/* Add a statement (taken) to the policy `name` of owner, creating it; a
 * statement with the same conditions as one already there is merged into
 * it, as Cilium merges same-name policies from overlapping
 * advertisements. */
static void add_statement(struct build *b, size_t owner, const char *name,
                          struct policy_statement *st)
{
	struct pending_policy *pp = find_pending(b, owner, name);
	struct policy single = { .statements = st, .n_statements = 1 };

	if (pp == NULL && reserve(b, (void **)&b->pending, &b->cap_pending, b->n_pending + 1,
	                          sizeof(*b->pending))) {
		pp = &b->pending[b->n_pending++];
		*pp = (struct pending_policy){ .owner = owner };
		snprintf(pp->pol.name, sizeof(pp->pol.name), "%s", name);
		b->oom |= htab_add(&b->by_name, pending_hash(owner, pp->pol.name),
		                   (void *)(uintptr_t)b->n_pending) < 0;
	}
	for (size_t i = 0; pp != NULL && i < pp->pol.n_statements; i++)
		if (same_conditions(&pp->pol.statements[i].match, &st->match)) {
			merge_set(b, &pp->pol.statements[i].set, &st->set);
			policy_free(&single);
			return;
		}
	/* Grown one at a time: nearly every policy has one statement, and a
	 * thousand Services make a thousand policies. */
	struct policy_statement *grown =
	        pp != NULL ? realloc(pp->pol.statements, (pp->pol.n_statements + 1) * sizeof(*st))
	                   : NULL;
	if (grown == NULL) {
		b->oom |= pp != NULL;
		policy_free(&single);
		return;
	}
	pp->pol.statements = grown;
	pp->pol.statements[pp->pol.n_statements++] = *st;
	free(st);
}

/* Cilium's PolicyName: "<peer>-<afi>-<type>", then "-<resource>" when
 * there is one.  False (reported) when too long for kbgp. */
static bool policy_name(struct build *b, const struct target *t, const char *type,
                        const char *resource, char name[POLICY_NAME_MAX])
{
	/* Room for the statement's "-<i>". */
	int n = snprintf(name, POLICY_NAME_MAX, "%s-%s-%s%s%s", t->peer, afi_name(t->af), type,
	                 resource[0] != '\0' ? "-" : "", resource);
	if (n >= 0 && n < POLICY_NAME_MAX - 8)
		return true;
	report(b, "peer %s: the policy name for %s %s is longer than %d characters", t->peer, type,
	       resource, POLICY_NAME_MAX - 8);
	return false;
}

/* Advertise l (sorted, unique, taken) to the target under Cilium's policy
 * name for type and resource. */
static void offer(struct build *b, const struct target *t, const char *type, const char *resource,
                  struct prefix_list *l, const struct k8s_advert *ad)
{
	char name[POLICY_NAME_MAX];
	if (l->n > 0 && policy_name(b, t, type, resource, name)) {
		struct policy_statement *st = export_statement(b, t, l);
		if (st != NULL) {
			advert_set(b, name, ad, &st->set);
			add_statement(b, t->group, name, st);
		}
		for (size_t i = 0; i < l->n; i++)
			prefix_push(b, &b->networks, &l->v[i]);
	}
	free(l->v);
	*l = (struct prefix_list){ 0 };
}

/* ---- what is advertised (§4.6) ---- */

static void advertise_pod_cidrs(struct build *b, const struct target *t,
                                const struct k8s_advert *ad)
{
	struct prefix_list l = { 0 };
	for (size_t i = 0; b->node != NULL && i < b->node->u.node.n_pod_cidrs; i++)
		if (b->node->u.node.pod_cidrs[i].af == t->af)
			prefix_push(b, &l, &b->node->u.node.pod_cidrs[i]);
	prefix_sort_unique(&l);
	offer(b, t, "PodCIDR", "", &l, ad);
}

/* 1.18: an endpoint of the Service on this node, not terminating;
 * readiness is not consulted. */
static bool has_local_endpoint(const struct build *b, const struct k8s_object *svc)
{
	for (size_t i = 0; i < k8s_store_count(b->s, K8S_ENDPOINT_SLICE); i++) {
		const struct k8s_object *o = k8s_store_at(b->s, K8S_ENDPOINT_SLICE, i);
		const struct k8s_endpoint_slice *es = &o->u.slice;
		if (!str_eq(es->service, svc->meta.name) || !str_eq(o->meta.ns, svc->meta.ns))
			continue;
		for (size_t k = 0; k < es->n_endpoints; k++)
			if (str_eq(es->endpoints[k].node_name, b->o->node) &&
			    !es->endpoints[k].terminating)
				return true;
	}
	return false;
}

/* The Service's addresses of one kind, and the traffic policy deciding
 * whether this node advertises them: LoadBalancerIP and ExternalIP follow
 * externalTrafficPolicy, ClusterIP internalTrafficPolicy. */
static size_t service_addresses(const struct k8s_service *svc, unsigned kind,
                                const union sockaddr_any **out, enum k8s_traffic_policy *tp)
{
	*tp = kind == K8S_SVC_ADDR_CLUSTER ? svc->internal_tp : svc->external_tp;
	switch (kind) {
	case K8S_SVC_ADDR_LB:
		if (svc->type != K8S_SVC_LOAD_BALANCER ||
		    (svc->lb_class != NULL && strcmp(svc->lb_class, BGP_LOADBALANCER_CLASS) != 0))
			return 0;
		*out = svc->ingress_ips;
		return svc->n_ingress_ips;
	case K8S_SVC_ADDR_EXTERNAL:
		*out = svc->external_ips;
		return svc->n_external_ips;
	default:
		*out = svc->cluster_ips;
		return svc->headless ? 0 : svc->n_cluster_ips;
	}
}

/* Aggregation applies under Cluster only; 0, which the CRD admits, falls
 * back to host routes as the reconciler does. */
static uint8_t advertised_len(const struct k8s_advert *ad, enum bgp_af af,
                              enum k8s_traffic_policy tp)
{
	int agg = af == BGP_AF_IPV4_UNICAST ? ad->aggregation4 : ad->aggregation6;
	return tp == K8S_TP_CLUSTER && agg > 0 && agg < host_len(af) ? (uint8_t)agg : host_len(af);
}

static void advertise_service(struct build *b, const struct target *t, const struct k8s_object *o,
                              unsigned kind, const char *kind_name, const struct k8s_advert *ad)
{
	const union sockaddr_any *addrs = NULL;
	enum k8s_traffic_policy tp;
	struct prefix_list l = { 0 };
	char resource[POLICY_NAME_MAX];

	size_t n = service_addresses(&o->u.service, kind, &addrs, &tp);
	if (n == 0 || (tp == K8S_TP_LOCAL && !has_local_endpoint(b, o)))
		return;
	for (size_t i = 0; i < n; i++) {
		struct bgp_prefix p;
		if (addr_prefix(&addrs[i], t->af, advertised_len(ad, t->af, tp), &p))
			prefix_push(b, &l, &p);
	}
	prefix_sort_unique(&l);
	snprintf(resource, sizeof(resource), "%s-%s-%s", o->meta.name, o->meta.ns, kind_name);
	offer(b, t, "Service", resource, &l, ad);
}

static void advertise_services(struct build *b, const struct target *t, const struct k8s_advert *ad)
{
	for (size_t i = 0; i < k8s_store_count(b->s, K8S_SERVICE); i++) {
		const struct k8s_object *o = k8s_store_at(b->s, K8S_SERVICE, i);
		struct k8s_labels labels = {
			.map = o->meta.labels,
			.extra_key = { "io.kubernetes.service.name",
			               "io.kubernetes.service.namespace" },
			.extra_value = { o->meta.name, o->meta.ns },
		};
		if (!k8s_selector_matches(&ad->selector, &labels, false))
			continue;
		for (size_t k = 0; k < sizeof(svc_addr_kinds) / sizeof(svc_addr_kinds[0]); k++)
			if (ad->service_addresses & svc_addr_kinds[k].bit)
				advertise_service(b, t, o, svc_addr_kinds[k].bit,
				                  svc_addr_kinds[k].name, ad);
	}
}

static void advertise(struct build *b, const struct target *t, const struct k8s_advert *ad)
{
	switch (ad->type) {
	case K8S_ADVERT_POD_CIDR:
		advertise_pod_cidrs(b, t, ad);
		break;
	case K8S_ADVERT_SERVICE:
		advertise_services(b, t, ad);
		break;
	case K8S_ADVERT_POD_IP_POOL:
		/* CiliumPodIPPool needs multi-pool IPAM (pools allocated in
		 * CiliumNode), which kbgp does not read yet: nothing to
		 * advertise, as on a node with no pool. */
		break;
	}
}

/* ---- peers (§4.3-4.5) ---- */

/* ipv4 and ipv6 unicast, the only families kbgp serves. */
static bool family_af(const struct k8s_bgp_family *f, enum bgp_af *af)
{
	if (f->safi != K8S_SAFI_UNICAST || (f->afi != K8S_AFI_IPV4 && f->afi != K8S_AFI_IPV6))
		return false;
	*af = f->afi == K8S_AFI_IPV4 ? BGP_AF_IPV4_UNICAST : BGP_AF_IPV6_UNICAST;
	return true;
}

/* For each family of the PeerConfig, the advertisements its selector
 * picks (by CiliumBGPAdvertisement labels; nil picks none). */
static void advertise_to_peer(struct build *b, const struct target *peer,
                              const struct k8s_bgp_peer_config *pc)
{
	for (size_t i = 0; i < pc->n_families; i++) {
		struct target t = *peer;
		if (!family_af(&pc->families[i], &t.af))
			continue;
		for (size_t k = 0; k < k8s_store_count(b->s, K8S_BGP_ADVERTISEMENT); k++) {
			const struct k8s_object *o = k8s_store_at(b->s, K8S_BGP_ADVERTISEMENT, k);
			struct k8s_labels labels = { .map = o->meta.labels };
			if (!k8s_selector_matches(&pc->families[i].advertisements, &labels, false))
				continue;
			for (size_t e = 0; e < o->u.advertisement.n_adverts; e++)
				advertise(b, &t, &o->u.advertisement.adverts[e]);
		}
	}
}

/* peerAddress, else the default gateway of the auto-discovery family;
 * false when there is none (Cilium skips the peer silently). */
static bool peer_address(const struct build *b, const struct k8s_bgp_peer *p,
                         union sockaddr_any *out)
{
	bool v4 = p->auto_discovery_af == BGP_AF_IPV4_UNICAST;
	if (p->has_address)
		*out = p->address;
	else if (p->auto_discovery && (v4 ? b->o->has_gateway4 : b->o->has_gateway6))
		*out = v4 ? b->o->gateway4 : b->o->gateway6;
	else
		return false;
	addr_set_port(out, 0);
	return true;
}

/* The peer's PeerConfig, Cilium's defaults without a reference; NULL
 * (reported) when the reference names no PeerConfig. */
static const struct k8s_bgp_peer_config *peer_config(struct build *b, const struct k8s_bgp_peer *p)
{
	if (p->peer_config == NULL)
		return &default_peer_config;
	const struct k8s_object *o = k8s_store_get(b->s, K8S_BGP_PEER_CONFIG, NULL, p->peer_config);
	if (o != NULL)
		return &o->u.peer_config;
	report(b, "peer %s: CiliumBGPPeerConfig %s not found", p->name, p->peer_config);
	return NULL;
}

/* The served families; any other is reported and left out. */
static uint8_t peer_families(struct build *b, const char *peer,
                             const struct k8s_bgp_peer_config *pc)
{
	uint8_t afs = 0;
	if (pc->n_families == 0)
		return BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST);
	for (size_t i = 0; i < pc->n_families; i++) {
		enum bgp_af af;
		if (family_af(&pc->families[i], &af))
			afs |= (uint8_t)BGP_AF_BIT(af);
		else
			report(b,
			       "peer %s: family %s/%s is not supported (only ipv4/unicast and "
			       "ipv6/unicast)",
			       peer, k8s_afi_names[pc->families[i].afi],
			       k8s_safi_names[pc->families[i].safi]);
	}
	return afs;
}

/* TCP-MD5 password from the Secret's key "password".  A missing Secret
 * leaves it empty (reported, as Cilium logs it); a Secret without the key
 * fails the peer. */
static bool peer_password(struct build *b, const char *peer, const struct k8s_bgp_peer_config *pc,
                          char key[BGP_MD5_KEY_MAX + 1])
{
	const char *ns = b->o->secrets_ns != NULL ? b->o->secrets_ns : DEFAULT_SECRETS_NS;
	if (pc->auth_secret == NULL)
		return true;
	const struct k8s_object *o = k8s_store_get(b->s, K8S_SECRET, ns, pc->auth_secret);
	const char *password = o != NULL ? o->u.secret.password : NULL;
	if (o == NULL) {
		report(b, "peer %s: Secret %s/%s not found: using an empty password", peer, ns,
		       pc->auth_secret);
		return true;
	}
	if (password == NULL || strlen(password) > BGP_MD5_KEY_MAX) {
		report(b, "peer %s: Secret %s/%s %s", peer, ns, pc->auth_secret,
		       password == NULL ? "has no key \"password\""
		                        : "holds a password longer than 80 bytes");
		return false;
	}
	snprintf(key, BGP_MD5_KEY_MAX + 1, "%s", password);
	return true;
}

static bool address_taken(struct build *b, const char *peer, const union sockaddr_any *addr)
{
	char text[ADDR_TEXT_MAX];
	for (size_t i = 0; i < b->cfg->n_groups; i++)
		if (b->cfg->groups[i].n_neighbors > 0 &&
		    addr_equal(&b->cfg->groups[i].neighbors[0], addr)) {
			report(b, "peer %s: address %s is already peer %s's", peer,
			       addr_text(addr, text), b->cfg->groups[i].name);
			return true;
		}
	return false;
}

static void fill_group(struct build *b, struct router_group *g, const struct k8s_bgp_peer *p,
                       const union sockaddr_any *addr, const struct k8s_bgp_peer_config *pc)
{
	snprintf(g->name, sizeof(g->name), "%s", p->name);
	g->as_kind = p->asn == 0 ? BGP_PEER_AS_ANY : BGP_PEER_AS_NUMBER;
	g->asn = p->asn;
	g->neighbors = alloc(b, 1, sizeof(*g->neighbors));
	if (g->neighbors != NULL) {
		g->neighbors[0] = *addr;
		g->n_neighbors = 1;
	}
	g->hold_time = pc->hold_time;
	g->keepalive = pc->keepalive;
	g->connect_retry =
	        (uint16_t)(pc->connect_retry < UINT16_MAX ? pc->connect_retry : UINT16_MAX);
	/* GoBGP enables multihop only over eBGP. */
	g->ebgp_multihop = pc->ebgp_multihop > 1 && p->asn != b->asn ? pc->ebgp_multihop : 1;
	g->peer_port = pc->peer_port;
	g->has_local_address = p->has_local_address;
	g->local_address = p->local_address;
	g->gr_override = true;
	/* Other nodes share our AS: their PodCIDRs come back through the
	 * router with it in the path, and the node-side import wants them. */
	g->allowas_in = b->o->n_fib_import > 0 ? 1 : 0;
	g->count_refused = true; /* Cilium's Received: before allow-local */
	g->graceful_restart = pc->graceful_restart;
	g->restart_time = pc->restart_time;
}

/* One NodeConfig peer to one group and its export policies; skipped
 * peers are reported, except those without an address (as Cilium). */
static void derive_peer(struct build *b, const struct k8s_bgp_peer *p)
{
	union sockaddr_any addr;
	struct router_group g = { 0 };

	if (!peer_address(b, p, &addr))
		return;
	if (strlen(p->name) >= sizeof(g.name)) {
		report(b, "peer %s: name longer than %zu characters", p->name, sizeof(g.name) - 1);
		return;
	}
	const struct k8s_bgp_peer_config *pc = peer_config(b, p);
	if (pc == NULL || address_taken(b, p->name, &addr))
		return;
	g.families = peer_families(b, p->name, pc);
	if (g.families == 0 || !peer_password(b, p->name, pc, g.md5_key))
		return;
	if (!reserve(b, (void **)&b->cfg->groups, &b->cap_groups, b->cfg->n_groups + 1, sizeof(g)))
		return;
	fill_group(b, &g, p, &addr, pc);
	b->cfg->groups[b->cfg->n_groups] = g;
	struct target t = { .group = b->cfg->n_groups++, .peer = p->name, .addr = &addr };
	advertise_to_peer(b, &t, pc);
}

/* ---- the instance (§4.2) ---- */

/* Cilium's legacy node annotation cilium.io/bgp-virtual-router.<asn>,
 * "router-id=A.B.C.D,local-port=N": the value of key into out. */
static bool legacy_annotation(const struct build *b, const char *key, char *out, size_t cap)
{
	char name[64];
	size_t key_len = strlen(key);

	snprintf(name, sizeof(name), "cilium.io/bgp-virtual-router.%u", b->asn);
	const char *text =
	        b->node != NULL
	                ? json_string_value(json_object_get(b->node->meta.annotations, name))
	                : NULL;
	while (text != NULL && *text != '\0') {
		size_t len = strcspn(text, ",");
		if (len > key_len && strncmp(text, key, key_len) == 0 && text[key_len] == '=') {
			snprintf(out, cap, "%.*s", (int)(len - key_len - 1), text + key_len + 1);
			return true;
		}
		text += len + (text[len] == ',');
	}
	return false;
}

/* NodeConfig routerID, the legacy annotation, then (mode default) the
 * node's first IPv4 InternalIP. */
static bool router_id(struct build *b, const struct k8s_bgp_instance *in)
{
	char text[64];
	union sockaddr_any a;

	if (in->has_router_id) {
		b->cfg->router_id = in->router_id;
		return true;
	}
	if (legacy_annotation(b, "router-id", text, sizeof(text))) {
		if (addr_parse(text, 0, &a) == 0 && addr_ipv4(&a) != 0) {
			b->cfg->router_id = addr_ipv4(&a);
			return true;
		}
		report(b,
		       "router-id \"%s\" of annotation cilium.io/bgp-virtual-router.%u is not an "
		       "IPv4 address",
		       text, b->asn);
		return false;
	}
	for (size_t i = 0; b->node != NULL && i < b->node->u.node.n_internal_ips; i++)
		if (b->node->u.node.internal_ips[i].sa.sa_family == AF_INET) {
			b->cfg->router_id = addr_ipv4(&b->node->u.node.internal_ips[i]);
			return true;
		}
	report(b,
	       "no router ID: no routerID, no annotation cilium.io/bgp-virtual-router.%u and no "
	       "IPv4 InternalIP on node %s",
	       b->asn, b->o->node);
	return false;
}

/* localPort, else the legacy annotation's local-port; neither: no
 * listener at all (GoBGP ListenPort -1, initiator only). */
static bool listen_port(struct build *b, const struct k8s_bgp_instance *in)
{
	struct router_config *c = b->cfg;
	unsigned long port = in->has_local_port ? in->local_port : 0;
	char text[16], *end;

	if (!in->has_local_port && legacy_annotation(b, "local-port", text, sizeof(text))) {
		port = strtoul(text, &end, 10);
		if (*end != '\0' || port == 0 || port > 65535) {
			report(b,
			       "local-port \"%s\" of annotation cilium.io/bgp-virtual-router.%u "
			       "is not a port",
			       text, b->asn);
			return false;
		}
	}
	if (port == 0)
		return true;
	c->listen_port = (uint16_t)port;
	addr_parse("0.0.0.0", 0, &c->listen[0]);
	addr_parse("::", 0, &c->listen[1]);
	c->n_listen = 2;
	return true;
}

/* Cilium's allow-local (GoBGP route type LOCAL: only what this router
 * originates; nothing received gets in), preceded by kbgp's FIB import
 * when the node imports anything. */
static void import_policies(struct build *b)
{
	struct policy_statement *local = alloc(b, 1, sizeof(*local));
	if (local != NULL) {
		*local = (struct policy_statement){ .match.local_only = true,
			                            .verdict = POLICY_ACCEPT };
		add_statement(b, SHARED, CP_POLICY_ALLOW_LOCAL, local);
	}
	if (b->o->n_fib_import == 0)
		return;
	struct policy_statement *fib = alloc(b, 1, sizeof(*fib));
	if (fib == NULL)
		return;
	fib->verdict = POLICY_ACCEPT;
	fib->match.prefixes = alloc(b, b->o->n_fib_import, sizeof(*fib->match.prefixes));
	for (size_t i = 0; fib->match.prefixes != NULL && i < b->o->n_fib_import; i++) {
		struct policy_prefix *pp = &fib->match.prefixes[fib->match.n_prefixes++];
		pp->prefix = b->o->fib_import[i];
		pp->min_len = pp->prefix.len;
		pp->max_len = host_len((enum bgp_af)pp->prefix.af);
	}
	add_statement(b, SHARED, CP_POLICY_FIB_IMPORT, fib);
	b->cfg->fib_install = true;
}

static int pending_order(const void *a, const void *b)
{
	const struct pending_policy *x = a, *y = b;
	int c = strcmp(x->pol.name, y->pol.name);
	return c != 0 ? c : (x->owner > y->owner) - (x->owner < y->owner);
}

/* Each group's chains: its own export policies, in name order, and the
 * shared import policies, the FIB import before allow-local. */
static void link_chains(struct build *b, struct router_group *g, size_t owner)
{
	static const char *const import_order[] = { CP_POLICY_FIB_IMPORT, CP_POLICY_ALLOW_LOCAL };
	struct router_config *c = b->cfg;
	size_t n_exports = 0;

	for (size_t i = 0; i < c->n_policies; i++)
		n_exports += b->pending[i].owner == owner;
	g->export_policies = alloc(b, n_exports, sizeof(*g->export_policies));
	for (size_t i = 0; i < c->n_policies && g->export_policies != NULL; i++)
		if (b->pending[i].owner == owner)
			g->export_policies[g->n_export_policies++] = &c->policies[i];
	g->import_policies = alloc(b, 2, sizeof(*g->import_policies));
	for (size_t k = 0; k < 2 && g->import_policies != NULL; k++)
		for (size_t i = 0; i < c->n_policies; i++)
			if (b->pending[i].owner == SHARED &&
			    strcmp(c->policies[i].name, import_order[k]) == 0)
				g->import_policies[g->n_import_policies++] = &c->policies[i];
	b->oom |= config_index_chains(g) < 0;
}

/* The pending policies into cfg.policies, sorted by name (Cilium lists
 * them so), statements named "<policy>-<i>", and every chain. */
static void finish_policies(struct build *b)
{
	struct router_config *c = b->cfg;
	if (b->n_pending > 0)
		qsort(b->pending, b->n_pending, sizeof(*b->pending), pending_order);
	c->policies = alloc(b, b->n_pending, sizeof(*c->policies));
	for (size_t i = 0; i < b->n_pending && c->policies != NULL; i++) {
		struct policy *pol = &c->policies[c->n_policies++];
		*pol = b->pending[i].pol;
		for (size_t k = 0; k < pol->n_statements; k++)
			snprintf(pol->statements[k].name, sizeof(pol->statements[k].name),
			         "%.*s-%zu", POLICY_NAME_MAX - 24, pol->name, k);
		pol->digest = config_policy_digest(pol);
		b->pending[i].pol = (struct policy){ 0 };
	}
	for (size_t g = 0; g < c->n_groups && c->policies != NULL; g++)
		link_chains(b, &c->groups[g], g);
}

/* GR per peer as Cilium sets it; the router-wide flag and time (the
 * restarting side) follow the peers that have it. */
static void finish_graceful_restart(struct router_config *c)
{
	for (size_t i = 0; i < c->n_groups; i++) {
		const struct router_group *g = &c->groups[i];
		if (!g->graceful_restart)
			continue;
		if (!c->graceful_restart || g->restart_time > c->restart_time)
			c->restart_time = g->restart_time;
		c->graceful_restart = true;
	}
}

static void finish_networks(struct build *b)
{
	prefix_sort_unique(&b->networks);
	b->cfg->networks = b->networks.v;
	b->cfg->n_networks = b->networks.n;
	b->networks = (struct prefix_list){ 0 };
}

/* Settings Cilium's GoBGP server has whatever the objects say. */
static void instance_defaults(struct router_config *c, const char *name, uint32_t asn)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->asn = asn;
	c->restart_time = 120;
	c->selection_deferral = 360;
	/* GoBGP's global export default, reject, for eBGP and iBGP alike. */
	c->ebgp_requires_policy = true;
	c->export_requires_policy = true;
	c->maximum_paths = 1;
	c->network_import_check = false; /* advertised whether the kernel has them or not */
	c->fib_install = false;          /* Cilium installs nothing received */
	fib_cfg_default(&c->fib);
}

/* 1: built; 0: skipped (reported). */
static int derive_instance(struct build *b, const struct k8s_bgp_instance *in)
{
	if (strlen(in->name) >= sizeof(b->cfg->name)) {
		report(b, "instance name longer than %zu characters", sizeof(b->cfg->name) - 1);
		return 0;
	}
	if (!in->has_local_asn) {
		report(b, "missing ASN");
		return 0;
	}
	b->asn = in->local_asn;
	instance_defaults(b->cfg, in->name, in->local_asn);
	if (!router_id(b, in) || !listen_port(b, in))
		return 0;
	import_policies(b);
	for (size_t i = 0; i < in->n_peers; i++)
		derive_peer(b, &in->peers[i]);
	finish_policies(b);
	finish_graceful_restart(b->cfg);
	finish_networks(b);
	return 1;
}

static void build_free(struct build *b)
{
	for (size_t i = 0; i < b->n_pending; i++)
		policy_free(&b->pending[i].pol);
	free(b->pending);
	htab_free(&b->by_name);
	free(b->networks.v);
}

int cp_agent_derive(const struct k8s_store *s, const struct cp_agent_opts *o,
                    struct cp_agent_desired *out)
{
	memset(out, 0, sizeof(*out));
	out->errors = json_array();
	const struct k8s_object *nc = k8s_store_get(s, K8S_BGP_NODE_CONFIG, NULL, o->node);
	if (out->errors == NULL)
		return -1;
	if (nc == NULL)
		return 0;
	const struct k8s_bgp_node_config *spec = &nc->u.node_config;
	bool oom = false;
	out->instances =
	        spec->n_instances == 0 ? NULL : calloc(spec->n_instances, sizeof(*out->instances));
	for (size_t i = 0; i < spec->n_instances && out->instances != NULL; i++) {
		struct build b = { .s = s,
			           .o = o,
			           .node = k8s_store_get(s, K8S_NODE, NULL, o->node),
			           .instance = spec->instances[i].name,
			           .errors = out->errors,
			           .cfg = &out->instances[out->n_instances].cfg };
		int built = derive_instance(&b, &spec->instances[i]);
		build_free(&b);
		oom |= b.oom;
		if (built == 1 && !b.oom)
			out->n_instances++;
		else
			router_config_free(b.cfg);
	}
	if (!oom && (spec->n_instances == 0 || out->instances != NULL))
		return 0;
	cp_agent_desired_free(out);
	return -1;
}

void cp_agent_desired_free(struct cp_agent_desired *d)
{
	for (size_t i = 0; i < d->n_instances; i++)
		router_config_free(&d->instances[i].cfg);
	free(d->instances);
	json_decref(d->errors);
	memset(d, 0, sizeof(*d));
}

json_t *cp_agent_desired_json(const struct cp_agent_desired *d)
{
	json_t *instances = json_array();
	for (size_t i = 0; i < d->n_instances; i++)
		json_array_append_new(instances, router_config_json(&d->instances[i].cfg));
	return json_pack("{s:o, s:o}", "instances", instances, "errors",
	                 d->errors != NULL ? json_incref(d->errors) : json_array());
}
