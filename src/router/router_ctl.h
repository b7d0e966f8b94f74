/*
 * router_ctl: the router's control-socket commands.
 */
#ifndef KBGP_ROUTER_ROUTER_CTL_H
#define KBGP_ROUTER_ROUTER_CTL_H

#include "ctl/request.h"

#include <stdint.h>
#include <stdio.h>

struct router;

extern const struct ctl_command router_commands[];
/* One command's answer, as the control socket would give it (roles that
 * embed routers build their views from it); NULL with err set. */
json_t *router_call(struct router *r, const char *command, const json_t *args, char *err,
                    size_t err_len);
/* The Prometheus text of GET /metrics (router_metrics.c). */
void router_metrics(void *ctx, FILE *out);
/* Metric families over several routers (the agent's instances). */
void router_metrics_sessions(const struct router *const *rs, size_t n, FILE *out);
void router_metrics_health(const struct router *const *rs, size_t n, uint64_t loop_lag_ms,
                           FILE *out);
/* Start measuring event-loop lag. */
void router_lag_start(struct router *r);

#endif
