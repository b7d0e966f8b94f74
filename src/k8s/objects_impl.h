/*
 * objects_impl: what objects.c (kind table, metadata, selectors),
 * objects_bgp.c (the cilium.io kinds) and objects_core.c (Node, Service,
 * EndpointSlice, Secret) share.  Internal to src/k8s/objects*.c.
 *
 * A kind decoder reads the fields of its kind through ctx, reports every
 * problem there, and fills o->u; k8s_decode() refuses the object when the
 * context counted errors, and then calls the kind's free function on what
 * was filled.
 */
#ifndef KBGP_K8S_OBJECTS_IMPL_H
#define KBGP_K8S_OBJECTS_IMPL_H

#include <stddef.h>

#include "k8s/manifest.h"
#include "k8s/objects.h"

/* calloc(n, size), NULL for n == 0; out of memory is reported at path. */
void *k8s_alloc(struct manifest_ctx *ctx, const char *path, size_t n, size_t size);
/* A metav1.LabelSelector at path; absent or null leaves s->present false. */
void k8s_decode_selector(struct manifest_ctx *ctx, const char *path, struct k8s_selector *s);
void k8s_selector_free(struct k8s_selector *s);
/* Whether the object was written as cilium.io/v2alpha1 (a few fields differ). */
bool k8s_is_v2alpha1(const struct manifest_ctx *ctx);

void k8s_decode_cluster_config(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_peer_config(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_advertisement(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_node_config(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_node_config_override(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_lb_ip_pool(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_node(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_service(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_endpoint_slice(struct manifest_ctx *ctx, struct k8s_object *o);
void k8s_decode_secret(struct manifest_ctx *ctx, struct k8s_object *o);

void k8s_free_bgp(struct k8s_object *o);
void k8s_free_core(struct k8s_object *o);

#endif
