/*
 * operator_api: the operator's results written to the API server, as
 * cilium-operator writes them: NodeConfigs created, replaced and deleted,
 * statuses through the status subresource, allocated PodCIDRs patched
 * into Nodes.  Only what differs from what the server has is written;
 * every write comes back through the watches, which is how the next
 * derivation sees it, so a lost or refused write is simply done again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "operator/operator_api.h"

struct write {
	char what[160];
	char key[600]; /* method and path: one write of a thing at a time */
};

/* Writes on their way: a derivation that runs before the watches bring
 * one back must not send it again (a second create would be refused). */
static json_t *in_flight;

static void write_done(void *ctx, long status, const char *body, size_t len, const char *error)
{
	struct write *w = ctx;
	(void)body, (void)len;
	char why[64];
	snprintf(why, sizeof(why), "HTTP %ld", status);
	if (status < 200 || status > 299)
		log_emit(LOG_WARN, "operator", NULL, "%s: %s", w->what,
		         error != NULL ? error : why);
	json_object_del(in_flight, w->key);
	free(w);
}

static const struct api_call_ops write_ops = { .on_done = write_done };

static void write_call(struct source_api *src, const char *method, const char *path,
                       const char *content_type, const json_t *body, const char *what)
{
	struct write *w = calloc(1, sizeof(*w));
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	if (w == NULL || (body != NULL && text == NULL)) {
		free(w);
		free(text);
		return;
	}
	snprintf(w->what, sizeof(w->what), "%s", what);
	snprintf(w->key, sizeof(w->key), "%s %s", method, path);
	if (in_flight == NULL)
		in_flight = json_object();
	if (json_object_get(in_flight, w->key) != NULL) {
		free(w);
		free(text);
		return;
	}
	struct api_request req = { .method = method,
		                   .path = path,
		                   .body = text,
		                   .body_len = text != NULL ? strlen(text) : 0,
		                   .content_type = content_type };
	if (api_call_start(source_api_client(src), &req, &write_ops, w) == NULL)
		free(w);
	else
		json_object_set_new(in_flight, w->key, json_true());
	free(text);
}

static void object_path(struct source_api *src, enum k8s_kind k, const char *ns, const char *name,
                        const char *sub, char *out, size_t cap)
{
	source_api_path(src, k, ns, out, cap);
	size_t n = strlen(out);
	snprintf(out + n, cap - n, "/%s%s%s", name, sub != NULL ? "/" : "", sub != NULL ? sub : "");
}

/* ---- NodeConfigs ---- */

static bool desired(const json_t *ncs, const char *name)
{
	size_t i;
	json_t *nc;
	json_array_foreach(ncs, i, nc) if (strcmp(json_string_value(json_object_get(
	                                                  json_object_get(nc, "metadata"), "name")),
	                                          name) == 0) return true;
	return false;
}

static void write_node_config(struct source_api *src, const struct k8s_store *s, json_t *nc)
{
	const char *name =
	        json_string_value(json_object_get(json_object_get(nc, "metadata"), "name"));
	const struct k8s_object *have = k8s_store_get(s, K8S_BGP_NODE_CONFIG, NULL, name);
	char path[512], what[160];
	snprintf(what, sizeof(what), "NodeConfig %s", name);
	if (have == NULL) {
		source_api_path(src, K8S_BGP_NODE_CONFIG, NULL, path, sizeof(path));
		write_call(src, "POST", path, "application/json", nc, what);
		return;
	}
	const json_t *spec = json_object_get(nc, "spec");
	if (have->src != NULL && json_equal(json_object_get(have->src->root, "spec"), spec))
		return;
	object_path(src, K8S_BGP_NODE_CONFIG, NULL, name, NULL, path, sizeof(path));
	json_t *patch =
	        json_pack("[{s:s, s:s, s:O}]", "op", "replace", "path", "/spec", "value", spec);
	write_call(src, "PATCH", path, SOURCE_API_JSON_PATCH, patch, what);
	json_decref(patch);
}

/* NodeConfigs a ClusterConfig owns that are no longer wanted go (the
 * ones nobody owns are the user's). */
static void delete_unwanted(struct source_api *src, const struct k8s_store *s, const json_t *ncs)
{
	for (size_t i = 0; i < k8s_store_count(s, K8S_BGP_NODE_CONFIG); i++) {
		const struct k8s_object *o = k8s_store_at(s, K8S_BGP_NODE_CONFIG, i);
		char path[512], what[160];
		if (o->meta.owner == NULL || desired(ncs, o->meta.name))
			continue;
		object_path(src, K8S_BGP_NODE_CONFIG, NULL, o->meta.name, NULL, path, sizeof(path));
		snprintf(what, sizeof(what), "NodeConfig %s (delete)", o->meta.name);
		write_call(src, "DELETE", path, NULL, NULL, what);
	}
}

/* ---- statuses ---- */

/* {"NAME" or "NS/NAME": STATUS} for one kind: the status subresource
 * replaced where the server's differs. */
static void write_statuses(struct source_api *src, const struct k8s_store *s, enum k8s_kind k,
                           const json_t *by_name)
{
	const char *key;
	json_t *status;
	json_object_foreach((json_t *)by_name, key, status)
	{
		char ns[256] = "", path[512], what[160];
		const char *name = key, *slash = strchr(key, '/');
		if (slash != NULL) {
			snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
			name = slash + 1;
		}
		const struct k8s_object *o = k8s_store_get(s, k, slash != NULL ? ns : NULL, name);
		if (o == NULL || json_equal(o->status, status))
			continue;
		object_path(src, k, slash != NULL ? ns : NULL, name, "status", path, sizeof(path));
		snprintf(what, sizeof(what), "%s %s status", k8s_kind_name(k), key);
		json_t *patch = source_api_status_patch(json_incref(status));
		write_call(src, "PATCH", path, SOURCE_API_JSON_PATCH, patch, what);
		json_decref(patch);
	}
}

static void write_pod_cidrs(struct source_api *src, const struct k8s_store *s,
                            const json_t *by_node)
{
	const char *name;
	json_t *cidrs;
	json_object_foreach((json_t *)by_node, name, cidrs)
	{
		const struct k8s_object *o = k8s_store_get(s, K8S_NODE, NULL, name);
		char path[512], what[160];
		if (o == NULL || o->u.node.n_pod_cidrs > 0 || json_array_size(cidrs) == 0)
			continue;
		object_path(src, K8S_NODE, NULL, name, NULL, path, sizeof(path));
		snprintf(what, sizeof(what), "Node %s podCIDRs", name);
		json_t *patch = json_pack("{s:{s:O}}", "spec", "podCIDRs", cidrs);
		write_call(src, "PATCH", path, "application/merge-patch+json", patch, what);
		json_decref(patch);
	}
}

void operator_api_write(struct source_api *src, const json_t *node_configs, const json_t *lbipam,
                        const json_t *pod_cidrs)
{
	const struct k8s_store *s = source_api_store(src);
	const json_t *ncs = json_object_get(node_configs, "nodeConfigs");
	size_t i;
	json_t *nc;
	json_array_foreach(ncs, i, nc) write_node_config(src, s, nc);
	delete_unwanted(src, s, ncs);
	write_statuses(src, s, K8S_BGP_CLUSTER_CONFIG,
	               json_object_get(node_configs, "clusterConfigs"));
	write_statuses(src, s, K8S_BGP_PEER_CONFIG, json_object_get(node_configs, "peerConfigs"));
	write_statuses(src, s, K8S_LB_IP_POOL, json_object_get(lbipam, "pools"));
	write_statuses(src, s, K8S_SERVICE, json_object_get(lbipam, "services"));
	write_pod_cidrs(src, s, json_object_get(pod_cidrs, "nodes"));
}
