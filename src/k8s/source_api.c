/*
 * source_api: list + watch reflectors into a catalog (source_api.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "k8s/catalog.h"
#include "k8s/source_api.h"
#include "k8s/watch_stream.h"
#include "lib/log.h"

#define SETTLE_MS     5
#define BACKOFF_MIN   500u
#define BACKOFF_MAX   30000u
#define WATCH_TIMEOUT 300 /* the server ends a watch after this; we resume */

/* Where each kind lives: core and discovery groups are fixed, the BGP
 * kinds follow the group chosen. */
struct kind_place {
	const char *group_version; /* NULL: the BGP group */
	const char *plural;        /* Cilium's plural; kbgp's drops "cilium" */
	const char *kind;          /* Cilium's kind; kbgp's drops "Cilium" */
};

static const struct kind_place places[K8S_KIND_COUNT] = {
	[K8S_BGP_CLUSTER_CONFIG] = { NULL, "ciliumbgpclusterconfigs", "CiliumBGPClusterConfig" },
	[K8S_BGP_PEER_CONFIG] = { NULL, "ciliumbgppeerconfigs", "CiliumBGPPeerConfig" },
	[K8S_BGP_ADVERTISEMENT] = { NULL, "ciliumbgpadvertisements", "CiliumBGPAdvertisement" },
	[K8S_BGP_NODE_CONFIG] = { NULL, "ciliumbgpnodeconfigs", "CiliumBGPNodeConfig" },
	[K8S_BGP_NODE_CONFIG_OVERRIDE] = { NULL, "ciliumbgpnodeconfigoverrides",
	                                   "CiliumBGPNodeConfigOverride" },
	[K8S_LB_IP_POOL] = { NULL, "ciliumloadbalancerippools", "CiliumLoadBalancerIPPool" },
	[K8S_NODE] = { "v1", "nodes", "Node" },
	[K8S_SERVICE] = { "v1", "services", "Service" },
	[K8S_ENDPOINT_SLICE] = { "discovery.k8s.io/v1", "endpointslices", "EndpointSlice" },
	[K8S_SECRET] = { "v1", "secrets", "Secret" },
};

struct reflector {
	struct source_api *s;
	enum k8s_kind kind;
	bool listed;
	bool watching;
	char rv[64];
	struct api_call *call;
	struct watch_stream stream;
	json_t *keys; /* catalog keys of its objects: what a relist may remove */
	json_t *listing;
	unsigned backoff_ms;
	struct loop_timer retry;
	char error[256]; /* the last failure, "" when healthy */
};

struct source_api {
	struct loop *loop;
	struct source_api_cfg cfg;
	struct api_client *client;
	struct k8s_catalog *catalog;
	char group_version[64];
	bool group_known;
	struct api_call *probe;
	struct reflector refl[K8S_KIND_COUNT];
	struct loop_timer settle;
	bool settling;
};

static void start_list(struct reflector *r);
static void start_watch(struct reflector *r);

static bool is_bgp_kind(enum k8s_kind k)
{
	return places[k].group_version == NULL;
}

static bool kbgp_group(const struct source_api *s)
{
	return strncmp(s->group_version, "kbgp.io/", 8) == 0;
}

/* kbgp's own group names its kinds without Cilium's prefix. */
static const char *unprefixed(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(name, prefix, n) == 0 ? name + n : name;
}

void source_api_path(const struct source_api *s, enum k8s_kind k, const char *ns, char *out,
                     size_t cap)
{
	const struct kind_place *p = &places[k];
	const char *gv = p->group_version != NULL ? p->group_version : s->group_version;
	const char *plural =
	        is_bgp_kind(k) && kbgp_group(s) ? unprefixed(p->plural, "cilium") : p->plural;
	bool core = strcmp(gv, "v1") == 0;
	if (ns != NULL)
		snprintf(out, cap, "/%s/%s/namespaces/%s/%s", core ? "api" : "apis", gv, ns,
		         plural);
	else
		snprintf(out, cap, "/%s/%s/%s", core ? "api" : "apis", gv, plural);
}

json_t *source_api_status_patch(json_t *status)
{
	return json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", "/status", "value", status);
}

/* ---- objects into the catalog ---- */

static void object_key(const struct reflector *r, const json_t *obj, char *out, size_t cap)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	snprintf(out, cap, "api:%s/%s/%s", places[r->kind].plural, ns != NULL ? ns : "",
	         name != NULL ? name : "");
}

static void schedule_build(struct source_api *s)
{
	if (!s->settling)
		loop_timer_at(s->loop, &s->settle, loop_now(s->loop) + SETTLE_MS);
	s->settling = true;
}

/* List items of built-in kinds come without apiVersion and kind. */
static void put_object(struct reflector *r, json_t *obj)
{
	struct source_api *s = r->s;
	const struct kind_place *p = &places[r->kind];
	char key[600];
	json_t *copy = json_copy(obj);
	json_object_set_new(
	        copy, "apiVersion",
	        json_string(p->group_version != NULL ? p->group_version : s->group_version));
	json_object_set_new(copy, "kind",
	                    json_string(is_bgp_kind(r->kind) && kbgp_group(s)
	                                        ? unprefixed(p->kind, "Cilium")
	                                        : p->kind));
	char *text = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	if (text == NULL)
		return;
	object_key(r, obj, key, sizeof(key));
	json_t *problems = json_array();
	k8s_catalog_put(s->catalog, key, false, text, strlen(text), problems);
	size_t i;
	json_t *p_text;
	json_array_foreach(problems, i, p_text)
	        log_emit(LOG_ERROR, "k8s", NULL, "%s", json_string_value(p_text));
	json_decref(problems);
	free(text);
	json_object_set_new(r->keys, key, json_true());
	schedule_build(s);
}

static void remove_key(struct reflector *r, const char *key)
{
	k8s_catalog_remove(r->s->catalog, key);
	json_object_del(r->keys, key);
	schedule_build(r->s);
}

/* ---- failures and backoff ---- */

static unsigned jitter(unsigned ms)
{
	unsigned r = 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = ms;
	return ms / 2 + r % (ms / 2 + 1);
}

static void on_retry(struct loop_timer *t)
{
	struct reflector *r = container_of(t, struct reflector, retry);
	start_list(r);
}

static void fail(struct reflector *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lists again after a backoff: nothing is removed until a list succeeds. */
static void fail(struct reflector *r, const char *fmt, ...)
{
	char text[sizeof(r->error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (strcmp(text, r->error) != 0)
		log_emit(LOG_WARN, "k8s", NULL, "%s: %s; retrying, last view kept",
		         places[r->kind].plural, text);
	snprintf(r->error, sizeof(r->error), "%s", text);
	r->watching = false;
	r->backoff_ms = r->backoff_ms == 0 ? BACKOFF_MIN
	                                   : (r->backoff_ms * 2 > BACKOFF_MAX ? BACKOFF_MAX
	                                                                      : r->backoff_ms * 2);
	loop_timer_at(r->s->loop, &r->retry, loop_now(r->s->loop) + jitter(r->backoff_ms));
}

static void healthy(struct reflector *r)
{
	if (r->error[0] != '\0')
		log_emit(LOG_INFO, "k8s", NULL, "%s: back in step with the API server",
		         places[r->kind].plural);
	r->error[0] = '\0';
	r->backoff_ms = 0;
}

/* ---- list ---- */

static void take_listed(void *ctx, json_t *item)
{
	struct reflector *r = ctx;
	char key[600];
	object_key(r, item, key, sizeof(key));
	json_object_set_new(r->listing, key, json_true());
	put_object(r, item);
}

static void list_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct reflector *r = ctx;
	char err[256];
	r->call = NULL;
	if (status == 0) {
		fail(r, "list: %s", error != NULL ? error : "no answer");
		return;
	}
	if (status != 200) {
		fail(r, "list: HTTP %ld", status);
		return;
	}
	json_decref(r->listing);
	r->listing = json_object();
	if (watch_list_decode(body, len, take_listed, r, r->rv, sizeof(r->rv), err, sizeof(err)) <
	    0) {
		fail(r, "list: %s", err);
		return;
	}
	/* What the list no longer has was deleted while we were not watching. */
	const char *key;
	json_t *v, *tmp;
	json_object_foreach_safe(r->keys, tmp, key, v) if (json_object_get(r->listing, key) == NULL)
	        remove_key(r, key);
	json_decref(r->listing);
	r->listing = NULL;
	r->listed = true;
	healthy(r);
	schedule_build(r->s);
	start_watch(r);
}

static void query(const struct reflector *r, char *out, size_t cap, bool watch)
{
	const struct source_api *s = r->s;
	const char *ns = r->kind == K8S_SECRET
	                         ? (s->cfg.secrets_ns != NULL ? s->cfg.secrets_ns : "kube-system")
	                         : NULL;
	char path[256];
	source_api_path(s, r->kind, ns, path, sizeof(path));
	bool own = s->cfg.node != NULL && (r->kind == K8S_NODE || r->kind == K8S_BGP_NODE_CONFIG);
	int n = snprintf(out, cap, "%s?%s", path, own ? "fieldSelector=metadata.name%3D" : "");
	if (own)
		n += snprintf(out + n, cap - (size_t)n, "%s&", s->cfg.node);
	if (watch)
		snprintf(out + n, cap - (size_t)n,
		         "watch=1&allowWatchBookmarks=true&timeoutSeconds=%d&resourceVersion=%s",
		         WATCH_TIMEOUT, r->rv);
	else
		out[n > 0 && out[n - 1] == '&' ? n - 1 : n] = '\0';
}

static const struct api_call_ops list_ops = { .on_done = list_done };

static void start_list(struct reflector *r)
{
	char path[512];
	query(r, path, sizeof(path), false);
	struct api_request req = { .method = "GET", .path = path };
	r->call = api_call_start(r->s->client, &req, &list_ops, r);
	if (r->call == NULL)
		fail(r, "list: cannot start a request");
}

/* ---- watch ---- */

static void on_event(void *ctx, const struct watch_event *e)
{
	struct reflector *r = ctx;
	char key[600];
	if (e->type == WATCH_ERROR) {
		r->rv[0] = '\0';
		return; /* watch_done lists again */
	}
	snprintf(r->rv, sizeof(r->rv), "%s", e->resource_version);
	switch (e->type) {
	case WATCH_ADDED:
	case WATCH_MODIFIED:
		put_object(r, e->object);
		break;
	case WATCH_DELETED:
		object_key(r, e->object, key, sizeof(key));
		remove_key(r, key);
		break;
	default:
		break; /* bookmarks only move the resourceVersion */
	}
}

static bool watch_data(void *ctx, const char *data, size_t len)
{
	struct reflector *r = ctx;
	if (watch_stream_feed(&r->stream, data, len) < 0) {
		log_emit(LOG_WARN, "k8s", NULL, "%s: watch stream broken: %s",
		         places[r->kind].plural, r->stream.error);
		return false;
	}
	if (!r->watching) {
		r->watching = true;
		healthy(r);
	}
	return r->rv[0] != '\0';
}

static void watch_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct reflector *r = ctx;
	(void)body, (void)len;
	r->call = NULL;
	watch_stream_reset(&r->stream);
	if (r->rv[0] == '\0') { /* 410 Gone, or an ERROR event: start again */
		r->watching = false;
		start_list(r);
		return;
	}
	if (status == 200 && error == NULL) { /* the server's timeout: resume */
		start_watch(r);
		return;
	}
	fail(r, "watch: %s", error != NULL ? error : "ended");
}

static const struct api_call_ops watch_ops = { .on_data = watch_data, .on_done = watch_done };

static void start_watch(struct reflector *r)
{
	char path[600];
	query(r, path, sizeof(path), true);
	struct api_request req = { .method = "GET", .path = path, .stream = true };
	r->call = api_call_start(r->s->client, &req, &watch_ops, r);
	if (r->call == NULL)
		fail(r, "watch: cannot start a request");
}

/* ---- the source ---- */

bool source_api_synced(const struct source_api *s)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if ((s->cfg.kinds & (1u << k)) && !s->refl[k].listed)
			return false;
	return s->group_known;
}

bool source_api_connected(const struct source_api *s)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if ((s->cfg.kinds & (1u << k)) && s->refl[k].error[0] != '\0')
			return false;
	return s->group_known;
}

static void on_settled(struct loop_timer *t)
{
	struct source_api *s = container_of(t, struct source_api, settle);
	s->settling = false;
	json_t *problems = json_array();
	k8s_catalog_build(s->catalog, problems);
	json_decref(problems);
	if (source_api_synced(s) && s->cfg.changed != NULL)
		s->cfg.changed(s->cfg.ctx);
}

static void start_reflectors(struct source_api *s)
{
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if (s->cfg.kinds & (1u << k))
			start_list(&s->refl[k]);
}

/* Cilium's CRDs when the server has them, else kbgp's own. */
static void probe_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct source_api *s = ctx;
	(void)body, (void)len;
	s->probe = NULL;
	if (status == 0) {
		log_emit(LOG_WARN, "k8s", NULL, "API server unreachable: %s; retrying",
		         error != NULL ? error : "no answer");
		loop_timer_at(s->loop, &s->refl[0].retry, loop_now(s->loop) + BACKOFF_MIN);
		return;
	}
	snprintf(s->group_version, sizeof(s->group_version), "%s",
	         status == 200 ? "cilium.io/v2" : "kbgp.io/v1alpha1");
	s->group_known = true;
	log_emit(LOG_INFO, "k8s", NULL, "BGP resources from %s", s->group_version);
	start_reflectors(s);
}

static const struct api_call_ops probe_ops = { .on_done = probe_done };

static void start_probe(struct source_api *s)
{
	struct api_request req = { .method = "GET", .path = "/apis/cilium.io/v2" };
	s->probe = api_call_start(s->client, &req, &probe_ops, s);
}

/* Before the group is known, the first reflector's timer retries the probe. */
static void on_probe_retry(struct loop_timer *t)
{
	struct reflector *r = container_of(t, struct reflector, retry);
	if (!r->s->group_known) {
		start_probe(r->s);
		return;
	}
	on_retry(t);
}

struct source_api *source_api_open(struct loop *l, const struct source_api_cfg *cfg)
{
	struct source_api *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->loop = l;
	s->cfg = *cfg;
	s->catalog = k8s_catalog_new(false);
	s->client = api_client_new(l, cfg->endpoint);
	loop_timer_init(&s->settle, on_settled);
	for (int k = 0; k < K8S_KIND_COUNT; k++) {
		struct reflector *r = &s->refl[k];
		r->s = s;
		r->kind = (enum k8s_kind)k;
		r->keys = json_object();
		watch_stream_init(&r->stream, 0, on_event, r);
		loop_timer_init(&r->retry, k == 0 ? on_probe_retry : on_retry);
	}
	if (s->catalog == NULL || s->client == NULL) {
		source_api_close(s);
		return NULL;
	}
	if (cfg->group_version != NULL) {
		snprintf(s->group_version, sizeof(s->group_version), "%s", cfg->group_version);
		s->group_known = true;
		start_reflectors(s);
	} else {
		start_probe(s);
	}
	return s;
}

void source_api_close(struct source_api *s)
{
	if (s == NULL)
		return;
	api_call_cancel(s->probe);
	for (int k = 0; k < K8S_KIND_COUNT; k++) {
		struct reflector *r = &s->refl[k];
		api_call_cancel(r->call);
		loop_timer_at(s->loop, &r->retry, 0);
		watch_stream_free(&r->stream);
		json_decref(r->keys);
		json_decref(r->listing);
	}
	loop_timer_at(s->loop, &s->settle, 0);
	api_client_free(s->client);
	k8s_catalog_free(s->catalog);
	free(s);
}

const struct k8s_store *source_api_store(const struct source_api *s)
{
	return k8s_catalog_store(s->catalog);
}

json_t *source_api_problems(const struct source_api *s)
{
	json_t *all = k8s_catalog_problems(s->catalog);
	for (int k = 0; k < K8S_KIND_COUNT; k++)
		if (s->refl[k].error[0] != '\0')
			json_array_append_new(
			        all, json_sprintf("%s: %s", places[k].plural, s->refl[k].error));
	return all;
}

struct api_client *source_api_client(struct source_api *s)
{
	return s->client;
}
