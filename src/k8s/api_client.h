/*
 * api_client: HTTPS requests to the Kubernetes API server, driven by the
 * event loop (libcurl's multi interface on lib/loop: no thread, no blocking
 * call).  It owns the transport: TLS with the cluster's CA, client
 * certificates, the bearer token (read again for every request, so a
 * rotated token is used at once), keep-alive, and dead-connection
 * detection.  A call either streams its body to on_data (watches) or hands
 * the whole body, bounded, to on_done (everything else).
 */
#ifndef KBGP_K8S_API_CLIENT_H
#define KBGP_K8S_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "k8s/kubeconfig.h"
#include "lib/loop.h"

struct api_client;
struct api_call;

struct api_request {
	const char *method; /* "GET", "PUT", "PATCH", "POST", "DELETE" */
	const char *path;   /* "/api/v1/nodes?watch=1&..." (appended to the server) */
	const char *body;   /* or NULL */
	size_t body_len;
	const char *content_type; /* of the body, e.g. "application/merge-patch+json" */
	bool stream;              /* a watch: the body goes to on_data as it arrives */
	/* A stream that receives nothing for this long is dead (bookmarks and
	 * the server's own timeout keep a healthy one talking); 0: 120 s. */
	long idle_seconds;
};

struct api_call_ops {
	/* Streamed bodies only; return false to abort the call. */
	bool (*on_data)(void *ctx, const char *data, size_t len);
	/* Once per call, unless cancelled: the HTTP status (0 when no answer
	 * came, then error says why), and the body of a call that was not a
	 * stream (bounded: a larger one ends the call with an error). */
	void (*on_done)(void *ctx, long status, const char *body, size_t len, const char *error);
};

/* NULL (with errno) if libcurl cannot start.  The endpoint must outlive the
 * client. */
struct api_client *api_client_new(struct loop *l, struct kube_endpoint *endpoint);
void api_client_free(struct api_client *c);
/* NULL when the request cannot be made at all (on_done is then not called). */
struct api_call *api_call_start(struct api_client *c, const struct api_request *req,
                                const struct api_call_ops *ops, void *ctx);
/* Ends the call without calling on_done. */
void api_call_cancel(struct api_call *call);

#endif
