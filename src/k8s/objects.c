/*
 * objects: the kind table (which apiVersion and kind kbgp reads, under
 * which names, namespaced or not), metadata and label-selector decoding,
 * and k8s_decode()'s dispatch to the kind decoders of objects_bgp.c and
 * objects_core.c.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s/objects_impl.h"
#include "lib/suggest.h"

#define CILIUM_PREFIX "Cilium"

enum k8s_group { GROUP_CILIUM, GROUP_KBGP, GROUP_CORE, GROUP_DISCOVERY, GROUP_COUNT };

static const struct group_info {
	const char *name;            /* "" for the core group */
	const char *const *versions; /* NULL-terminated */
	const char *version_text;    /* for "apiVersion must be ..." */
} groups[GROUP_COUNT] = {
	[GROUP_CILIUM] = { "cilium.io", (const char *const[]){ "v2", "v2alpha1", NULL },
	                   "cilium.io/v2 (or the deprecated cilium.io/v2alpha1)" },
	[GROUP_KBGP] = { "kbgp.io", (const char *const[]){ "v1alpha1", NULL }, "kbgp.io/v1alpha1" },
	[GROUP_CORE] = { "", (const char *const[]){ "v1", NULL }, "v1" },
	[GROUP_DISCOVERY] = { "discovery.k8s.io", (const char *const[]){ "v1", NULL },
	                      "discovery.k8s.io/v1" },
};

static const struct kind_info {
	const char *name;     /* Cilium's spelling; kbgp.io drops CILIUM_PREFIX */
	enum k8s_group group; /* cilium.io kinds are kbgp.io's too */
	bool namespaced;
	void (*decode)(struct manifest_ctx *ctx, struct k8s_object *o);
	void (*free)(struct k8s_object *o);
} kinds[K8S_KIND_COUNT] = {
	[K8S_BGP_CLUSTER_CONFIG] = { "CiliumBGPClusterConfig", GROUP_CILIUM, false,
	                             k8s_decode_cluster_config, k8s_free_bgp },
	[K8S_BGP_PEER_CONFIG] = { "CiliumBGPPeerConfig", GROUP_CILIUM, false,
	                          k8s_decode_peer_config, k8s_free_bgp },
	[K8S_BGP_ADVERTISEMENT] = { "CiliumBGPAdvertisement", GROUP_CILIUM, false,
	                            k8s_decode_advertisement, k8s_free_bgp },
	[K8S_BGP_NODE_CONFIG] = { "CiliumBGPNodeConfig", GROUP_CILIUM, false,
	                          k8s_decode_node_config, k8s_free_bgp },
	[K8S_BGP_NODE_CONFIG_OVERRIDE] = { "CiliumBGPNodeConfigOverride", GROUP_CILIUM, false,
	                                   k8s_decode_node_config_override, k8s_free_bgp },
	[K8S_LB_IP_POOL] = { "CiliumLoadBalancerIPPool", GROUP_CILIUM, false, k8s_decode_lb_ip_pool,
	                     k8s_free_bgp },
	[K8S_NODE] = { "Node", GROUP_CORE, false, k8s_decode_node, k8s_free_core },
	[K8S_SERVICE] = { "Service", GROUP_CORE, true, k8s_decode_service, k8s_free_core },
	[K8S_ENDPOINT_SLICE] = { "EndpointSlice", GROUP_DISCOVERY, true, k8s_decode_endpoint_slice,
	                         k8s_free_core },
	[K8S_SECRET] = { "Secret", GROUP_CORE, true, k8s_decode_secret, k8s_free_core },
};

/* kbgp.io kinds that other parts of kbgp read (the router role's). */
static const char *const kbgp_other_kinds[] = { "BGPRouter", NULL };

const char *k8s_kind_name(enum k8s_kind k)
{
	return (unsigned)k < K8S_KIND_COUNT ? kinds[k].name : "?";
}

bool k8s_kind_namespaced(enum k8s_kind k)
{
	return (unsigned)k < K8S_KIND_COUNT && kinds[k].namespaced;
}

/* The kind's name in group g, or NULL when g does not serve it. */
static const char *kind_name_in(enum k8s_kind k, enum k8s_group g)
{
	if (kinds[k].group == GROUP_CILIUM && g == GROUP_KBGP)
		return kinds[k].name + strlen(CILIUM_PREFIX);
	return kinds[k].group == g ? kinds[k].name : NULL;
}

/* "cilium.io/v2" → group and version; "v1" is the core group. */
static int split_api_version(const char *api_version, enum k8s_group *g, const char **version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash != NULL ? (size_t)(slash - api_version) : 0;

	*version = slash != NULL ? slash + 1 : api_version;
	for (int i = 0; i < GROUP_COUNT; i++) {
		if (strlen(groups[i].name) == glen &&
		    strncmp(groups[i].name, api_version, glen) == 0) {
			*g = (enum k8s_group)i;
			return 0;
		}
	}
	return -1;
}

static bool version_served(enum k8s_group g, const char *version)
{
	for (const char *const *v = groups[g].versions; *v != NULL; v++)
		if (strcmp(*v, version) == 0)
			return true;
	return false;
}

static int kind_in_group(enum k8s_group g, const char *kind)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++) {
		const char *name = kind_name_in((enum k8s_kind)k, g);
		if (name != NULL && strcmp(name, kind) == 0)
			return k;
	}
	return -1;
}

int k8s_kind_of(const char *api_version, const char *kind, bool *known_group)
{
	enum k8s_group g;
	const char *version;

	*known_group = api_version != NULL && split_api_version(api_version, &g, &version) == 0;
	if (!*known_group || kind == NULL || !version_served(g, version))
		return -1;
	return kind_in_group(g, kind);
}

/* ---- kinds kbgp does not read ---- */

/* The kinds group g serves, NULL-terminated, for did-you-mean. */
static void group_kind_names(enum k8s_group g, const char *names[K8S_KIND_COUNT + 1])
{
	size_t n = 0;

	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if (kind_name_in((enum k8s_kind)k, g) != NULL)
			names[n++] = kind_name_in((enum k8s_kind)k, g);
	names[n] = NULL;
}

static bool word_listed(const char *word, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, word) == 0)
			return true;
	return false;
}

/* A kind the group does not serve: in kbgp.io (kbgp's own group) always a
 * mistake; in cilium.io only when it looks like a typo of a BGP kind, as
 * the group has many kinds kbgp leaves to Cilium; in the core groups
 * never (Pod is two edits from Node). */
static int unknown_kind(struct manifest_ctx *ctx, enum k8s_group g, const char *kind)
{
	const char *names[K8S_KIND_COUNT + 1];
	const char *hint;

	if (g == GROUP_KBGP && word_listed(kind, kbgp_other_kinds))
		return 0;
	group_kind_names(g, names);
	if (g == GROUP_KBGP && strncmp(kind, CILIUM_PREFIX, strlen(CILIUM_PREFIX)) == 0 &&
	    kind_in_group(g, kind + strlen(CILIUM_PREFIX)) >= 0) {
		manifest_errorf(ctx, "kind",
		                "kbgp.io kinds drop the \"Cilium\" prefix (did you mean \"%s\"?)",
		                kind + strlen(CILIUM_PREFIX));
		return -1;
	}
	hint = suggest_closest(names, kind);
	if (hint != NULL && (g == GROUP_KBGP || g == GROUP_CILIUM)) {
		manifest_errorf(ctx, "kind", "unknown kind of %s (did you mean \"%s\"?)",
		                groups[g].name, hint);
		return -1;
	}
	if (g == GROUP_KBGP) {
		manifest_errorf(ctx, "kind", "unknown kind of kbgp.io");
		return -1;
	}
	return 0;
}

/* 0: not for kbgp, skipped; -1: a mistake, reported. */
static int unread_kind(struct manifest_ctx *ctx, const struct manifest_obj *obj)
{
	enum k8s_group g;
	const char *version;
	int k;

	if (obj->api_version == NULL || obj->kind == NULL ||
	    split_api_version(obj->api_version, &g, &version) < 0)
		return 0;
	k = kind_in_group(g, obj->kind);
	if (k < 0)
		return unknown_kind(ctx, g, obj->kind);
	manifest_errorf(ctx, "apiVersion", "%s is served as %s, not %s", obj->kind,
	                groups[g].version_text, obj->api_version);
	return -1;
}

/* ---- metadata ---- */

/* A DNS-1123 label: 1..63 of a-z 0-9 '-', alphanumeric at both ends. */
static bool dns_label(const char *s, size_t len)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	if (len == 0 || len > 63 || strchr(alnum, s[0]) == NULL ||
	    strchr(alnum, s[len - 1]) == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '-' && strchr(alnum, s[i]) == NULL)
			return false;
	return true;
}

/* A DNS-1123 subdomain: labels joined by dots, 253 characters at most. */
static bool dns_subdomain(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 253)
		return false;
	for (const char *p = s;; p += strcspn(p, ".") + 1) {
		size_t n = strcspn(p, ".");
		if (!dns_label(p, n))
			return false;
		if (p[n] == '\0')
			return true;
	}
}

static void decode_name_and_namespace(struct manifest_ctx *ctx, enum k8s_kind k, struct k8s_meta *m)
{
	if (manifest_get_string(ctx, "name", MANIFEST_REQUIRED, &m->name) == 1 &&
	    !dns_subdomain(m->name))
		manifest_errorf(
		        ctx, "name",
		        "must be a lowercase DNS-1123 subdomain: a-z, 0-9, '-' and '.', "
		        "starting and ending with a letter or digit, at most 253 characters");
	if (!kinds[k].namespaced) {
		const json_t *ns;
		if (manifest_get_node(ctx, "namespace", 0, &ns) == 1)
			manifest_errorf(ctx, "namespace", "must not be set: %s is cluster-scoped",
			                kinds[k].name);
		return;
	}
	/* As kubectl apply does without -n. */
	m->ns = "default";
	if (manifest_get_string(ctx, "namespace", 0, &m->ns) == 1 &&
	    !dns_label(m->ns, strlen(m->ns)))
		manifest_errorf(
		        ctx, "namespace",
		        "must be a lowercase DNS-1123 label: a-z, 0-9 and '-', starting and "
		        "ending with a letter or digit, at most 63 characters");
}

static void decode_meta(struct manifest_ctx *ctx, enum k8s_kind k, struct k8s_meta *m)
{
	m->file = ctx->obj->file;
	m->line = ctx->obj->line;
	if (!manifest_enter(ctx, MANIFEST_REQUIRED, "metadata"))
		return;
	decode_name_and_namespace(ctx, k, m);
	manifest_get_string(ctx, "uid", 0, &m->uid);
	manifest_get_string(ctx, "creationTimestamp", 0, &m->creation);
	manifest_get_string_map(ctx, "labels", 0, &m->labels);
	manifest_get_string_map(ctx, "annotations", 0, &m->annotations);
	manifest_get_string(ctx, "ownerReferences[0].name", 0, &m->owner);
	manifest_leave(ctx);
}

/* ---- shared by the kind decoders ---- */

void *k8s_alloc(struct manifest_ctx *ctx, const char *path, size_t n, size_t size)
{
	void *p = n > 0 ? calloc(n, size) : NULL;

	if (n > 0 && p == NULL)
		manifest_errorf(ctx, path, "out of memory");
	return p;
}

bool k8s_is_v2alpha1(const struct manifest_ctx *ctx)
{
	return strcmp(ctx->obj->api_version, "cilium.io/v2alpha1") == 0;
}

static void decode_requirement(struct manifest_ctx *ctx, struct k8s_selector_req *r)
{
	static const char *const keys[] = { "key", "operator", "values", NULL };
	static const char *const ops[] = { "In", "NotIn", "Exists", "DoesNotExist", NULL };
	unsigned op = K8S_SEL_IN;
	size_t n = 0;

	manifest_check_keys(ctx, keys);
	manifest_get_string(ctx, "key", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &r->key);
	if (manifest_get_enum(ctx, "operator", MANIFEST_REQUIRED, ops, &op) != 1)
		return;
	r->op = (enum k8s_selector_op)op;
	if (manifest_get_list(ctx, "values", 0, &n) == 1 && n > 0) {
		r->values = k8s_alloc(ctx, "values", n, sizeof(*r->values));
		if (r->values != NULL &&
		    manifest_get_strings(ctx, "values", 0, r->values, n, &r->n_values) != 1)
			r->n_values = 0;
	}
	bool wants_values = r->op == K8S_SEL_IN || r->op == K8S_SEL_NOT_IN;
	if (wants_values && n == 0)
		manifest_errorf(ctx, "values", "must be specified when operator is \"%s\"",
		                ops[op]);
	else if (!wants_values && n > 0)
		manifest_errorf(ctx, "values", "may not be specified when operator is \"%s\"",
		                ops[op]);
}

void k8s_decode_selector(struct manifest_ctx *ctx, const char *path, struct k8s_selector *s)
{
	static const char *const keys[] = { "matchLabels", "matchExpressions", NULL };
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!manifest_enter(ctx, 0, "%s", path))
		return;
	s->present = true;
	manifest_check_keys(ctx, keys);
	manifest_get_string_map(ctx, "matchLabels", 0, &s->match_labels);
	if (manifest_get_list(ctx, "matchExpressions", 0, &n) == 1 &&
	    (s->reqs = k8s_alloc(ctx, "matchExpressions", n, sizeof(*s->reqs))) != NULL) {
		s->n_reqs = n;
		for (size_t i = 0; i < n; i++) {
			if (!manifest_enter(ctx, MANIFEST_REQUIRED, "matchExpressions[%zu]", i))
				continue;
			decode_requirement(ctx, &s->reqs[i]);
			manifest_leave(ctx);
		}
	}
	manifest_leave(ctx);
}

void k8s_selector_free(struct k8s_selector *s)
{
	for (size_t i = 0; i < s->n_reqs; i++)
		free(s->reqs[i].values);
	free(s->reqs);
	memset(s, 0, sizeof(*s));
}

/* ---- decoding ---- */

int k8s_decode(struct manifest_set *set, const struct manifest_obj *obj, struct k8s_object *out)
{
	struct manifest_ctx ctx;
	bool known_group;
	int k = k8s_kind_of(obj->api_version, obj->kind, &known_group);

	memset(out, 0, sizeof(*out));
	manifest_ctx_init(&ctx, set, obj);
	if (k < 0)
		return unread_kind(&ctx, obj);
	out->kind = (enum k8s_kind)k;
	out->src = obj;
	decode_meta(&ctx, out->kind, &out->meta);
	manifest_get_node(&ctx, "status", 0, &out->status);
	kinds[k].decode(&ctx, out);
	if (ctx.errors == 0)
		return 1;
	k8s_object_free(out);
	return -1;
}

void k8s_object_free(struct k8s_object *o)
{
	if ((unsigned)o->kind < K8S_KIND_COUNT)
		kinds[o->kind].free(o);
	memset(&o->u, 0, sizeof(o->u));
	if (o->owned != NULL) {
		json_decref((json_t *)o->meta.labels);
		json_decref((json_t *)o->meta.annotations);
		json_decref((json_t *)o->status);
	}
	free(o->owned);
	o->owned = NULL;
}

/* Strings a detached object keeps, copied into one block (thousands of
 * EndpointSlices: one allocation each, not dozens). */
struct arena {
	char *p;
	size_t used, cap;
};

static size_t text_size(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

static const char *keep_string(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s) + 1;
	char *copy = a->p + a->used;
	memcpy(copy, s, n);
	a->used += n;
	return copy;
}

static size_t meta_text_size(const struct k8s_meta *m)
{
	return text_size(m->name) + text_size(m->ns) + text_size(m->uid) + text_size(m->creation) +
	       text_size(m->owner) + text_size(m->file);
}

static void keep_meta(struct arena *a, struct k8s_meta *m)
{
	m->name = keep_string(a, m->name);
	m->ns = keep_string(a, m->ns);
	m->uid = keep_string(a, m->uid);
	m->creation = keep_string(a, m->creation);
	m->owner = keep_string(a, m->owner);
	m->file = keep_string(a, m->file);
}

static size_t text_to_keep(const struct k8s_object *o)
{
	size_t n = meta_text_size(&o->meta);
	if (o->kind == K8S_SERVICE)
		return n + text_size(o->u.service.lb_class);
	n += text_size(o->u.slice.service);
	for (size_t i = 0; i < o->u.slice.n_endpoints; i++)
		n += text_size(o->u.slice.endpoints[i].node_name);
	return n;
}

/* A Service keeps its labels (selectors read them), annotations (LB IPAM
 * reads them) and status by reference; an EndpointSlice drops them: nothing
 * selects EndpointSlices by label but the service name, which is kept. */
int k8s_object_detach(struct k8s_object *o)
{
	if ((o->kind != K8S_ENDPOINT_SLICE && o->kind != K8S_SERVICE) || o->owned != NULL)
		return -1;
	struct arena a = { .cap = text_to_keep(o) + 1 };
	a.p = malloc(a.cap);
	if (a.p == NULL)
		return -1;
	keep_meta(&a, &o->meta);
	if (o->kind == K8S_SERVICE) {
		json_incref((json_t *)o->meta.labels);
		json_incref((json_t *)o->meta.annotations);
		json_incref((json_t *)o->status);
		o->u.service.lb_class = keep_string(&a, o->u.service.lb_class);
	} else {
		o->meta.labels = o->meta.annotations = NULL;
		o->status = NULL;
		o->u.slice.service = keep_string(&a, o->u.slice.service);
		for (size_t i = 0; i < o->u.slice.n_endpoints; i++)
			o->u.slice.endpoints[i].node_name =
			        keep_string(&a, o->u.slice.endpoints[i].node_name);
	}
	o->src = NULL;
	o->owned = a.p;
	return 0;
}

int k8s_object_set_status(struct k8s_object *o, json_t *status)
{
	if (o->kind != K8S_SERVICE || o->owned == NULL)
		return -1;
	/* The status alone, decoded as the Service it belongs to would be. */
	struct manifest_set set;
	manifest_set_init(&set, NULL);
	json_t *root = json_pack("{s:s, s:s, s:{s:s, s:s?}}", "apiVersion", "v1", "kind", "Service",
	                         "metadata", "name", o->meta.name, "namespace", o->meta.ns);
	if (root != NULL && status != NULL)
		json_object_set(root, "status", status);
	struct k8s_object fresh;
	int rc = -1;
	if (manifest_add_json(&set, o->meta.file, root) == 0 &&
	    k8s_decode(&set, &set.objs[0], &fresh) == 1) {
		struct k8s_service *svc = &o->u.service;
		free(svc->ingress_ips);
		svc->ingress_ips = fresh.u.service.ingress_ips;
		svc->n_ingress_ips = fresh.u.service.n_ingress_ips;
		fresh.u.service.ingress_ips = NULL;
		k8s_object_free(&fresh);
		json_decref((json_t *)o->status);
		o->status = json_incref(status);
		rc = 0;
	}
	manifest_set_free(&set);
	return rc;
}
