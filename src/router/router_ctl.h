/*
 * router_ctl: the router's control-socket commands.
 */
#ifndef KBGP_ROUTER_ROUTER_CTL_H
#define KBGP_ROUTER_ROUTER_CTL_H

#include "ctl/request.h"

#include <stdio.h>

struct router;

extern const struct ctl_command router_commands[];
/* The Prometheus text of GET /metrics (router_metrics.c). */
void router_metrics(void *ctx, FILE *out);
/* Start measuring event-loop lag. */
void router_lag_start(struct router *r);

#endif
