/*
 * config_impl: what the pieces of the BGPRouter decoder share.  Internal to
 * src/router/config*.c and to src/cp, which builds router configurations
 * in memory.
 */
#ifndef KBGP_ROUTER_CONFIG_IMPL_H
#define KBGP_ROUTER_CONFIG_IMPL_H

#include "k8s/manifest.h"
#include "router/config.h"

void config_decode_policies(struct manifest_ctx *ctx, struct router_config *c);
void config_decode_chain(struct manifest_ctx *ctx, const struct router_config *c, const char *path,
                         const struct policy ***out, size_t *n_out);

/* Index g's import and export chains (policy_index); -1 out of memory. */
int config_index_chains(struct router_group *g);

/* A digest of p's statements: equal digests, equal policies, so a reload
 * sees which ones changed. */
uint64_t config_policy_digest(const struct policy *p);

#endif
