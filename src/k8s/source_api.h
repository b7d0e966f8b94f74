/*
 * source_api: Kubernetes objects from the API server, the source kbgp uses
 * in a cluster.  One reflector per kind lists, then watches from the list's
 * resourceVersion, follows bookmarks, lists again after 410 Gone, and backs
 * off (exponentially, with jitter) when the server fails or goes away.
 * Objects land in a catalog, as files do in source_dir: decoded and
 * validated the same way, a bad object never costing its last valid
 * version.  Nothing is forgotten while the server is unreachable: an
 * outage keeps the last view, and the next list reconciles it.
 */
#ifndef KBGP_K8S_SOURCE_API_H
#define KBGP_K8S_SOURCE_API_H

#include <stdbool.h>

#include <jansson.h>

#include "k8s/api_client.h"
#include "k8s/store.h"

struct source_api_cfg {
	struct kube_endpoint *endpoint;
	/* The agent's node: only its Node and NodeConfig are read.  NULL:
	 * every one (the operator). */
	const char *node;
	const char *secrets_ns; /* NULL: "kube-system" */
	/* "cilium.io/v2" or "kbgp.io/v1alpha1"; NULL: Cilium's when its CRDs
	 * are served, else kbgp's. */
	const char *group_version;
	unsigned kinds; /* bits (1u << enum k8s_kind) to read */
	/* The store changed; only called once every kind has been listed. */
	void (*changed)(void *ctx);
	void *ctx;
};

struct source_api;

struct source_api *source_api_open(struct loop *l, const struct source_api_cfg *cfg);
void source_api_close(struct source_api *s);
const struct k8s_store *source_api_store(const struct source_api *s);
/* Every current problem: objects refused, and the server's errors. */
json_t *source_api_problems(const struct source_api *s);
/* Every kind listed at least once. */
bool source_api_synced(const struct source_api *s);
/* Connected (every watch running), for logs and metrics. */
bool source_api_connected(const struct source_api *s);
/* The client, for writes (statuses, NodeConfigs). */
struct api_client *source_api_client(struct source_api *s);
/* The API path of a kind's objects ("/apis/cilium.io/v2/ciliumbgpnodeconfigs"), namespace
 * ns when namespaced (NULL: all namespaces). */
void source_api_path(const struct source_api *s, enum k8s_kind k, const char *ns, char *out,
                     size_t cap);

/* The patch (of content type SOURCE_API_JSON_PATCH) that makes status an object's whole
 * status. Not a merge patch: that cannot remove what is over (an ingress IP, a condition,
 * a whole status turned off). Steals status. */
#define SOURCE_API_JSON_PATCH "application/json-patch+json"
json_t *source_api_status_patch(json_t *status);

#endif
