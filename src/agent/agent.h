/*
 * agent: the `kbgpd agent` role, what cilium-agent's BGP control plane does
 * on every node: one BGP instance (an embedded router) per bgpInstances[]
 * entry of the node's CiliumBGPNodeConfig, reconciled with the manifests
 * whenever they change (src/cp/advert derives; router_apply diffs), and
 * the NodeConfig status written back for the operator and kubectl.
 */
#ifndef KBGP_AGENT_AGENT_H
#define KBGP_AGENT_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cp/advert.h"
#include "ctl/http.h"
#include "ctl/server.h"
#include "fib/nl.h"
#include "k8s/source.h"
#include "k8s/state_file.h"
#include "lib/daemon_signals.h"
#include "lib/loop.h"
#include "router/router.h"

struct agent_instance {
	struct router router;
	struct agent_instance *next;
};

/* On the NodeConfig status each agent writes: its control socket. */
#define AGENT_SOCKET_ANNOTATION "kbgp.io/control-socket"

/* Reconcile durations, Cilium's histogram buckets (seconds). */
#define AGENT_DURATION_BUCKETS 11

struct agent {
	struct loop *loop;
	const char *node;
	const char *manifests, *state_dir, *run_dir;
	struct kube_endpoint *endpoint; /* the API server, or NULL: manifests */
	const char *api_group;          /* NULL: Cilium's when served */
	char operator_dir[512], status_dir[512];
	struct cp_agent_opts opts;
	struct k8s_source source;
	struct nl_sock probe; /* default gateways, for autoDiscovery */
	struct loop_timer gateway_timer;
	struct agent_instance *instances;
	json_t *reconcile_errors; /* "INSTANCE: message" of the last run */
	unsigned long reconcile_runs, reconcile_error_total;
	uint64_t duration_buckets[AGENT_DURATION_BUCKETS + 1];
	double duration_sum;
	/* NodeConfig status (Cilium: every 5 s, and only on change). */
	bool status_report;
	struct state_file status_file; /* manifests: into the state directory */
	struct api_call *status_call;  /* API: the PATCH in flight */
	char *status_sent;             /* API: the last patch sent */
	unsigned status_not_found;     /* API: 404s in a row (logged once) */
	struct loop_timer status_timer;
	const char *socket_path, *metrics_addr;
	struct ctl_server ctl;
	struct http_server metrics;
	struct daemon_signals signals;
};

/* `kbgpd agent --node NAME --manifests DIR [...]` */
int agent_main(int argc, char **argv);

/* agent_status.c */
void agent_status_start(struct agent *a);
void agent_status_stop(struct agent *a);
/* agent_ctl.c */
extern const struct ctl_command agent_commands[];
void agent_metrics(void *ctx, FILE *out);
/* agent.c */
void agent_reconcile(struct agent *a);

#endif
