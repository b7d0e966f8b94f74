/*
 * advert: what one node's agent should run, derived from the Kubernetes
 * objects the way Cilium's BGP Control Plane v2 agent does: one router
 * configuration per instance of the node's CiliumBGPNodeConfig, with its
 * peers, what they are sent (advertisements become local networks and
 * export policies named exactly as Cilium names them) and the import side
 * (Cilium's allow-local, optionally preceded by kbgp's FIB import).
 *
 * A pure function: no I/O, no clock; the caller looks up what only the
 * node knows (its default gateways) and passes it in.
 */
#ifndef KBGP_CP_ADVERT_H
#define KBGP_CP_ADVERT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "bgp/nlri.h"
#include "k8s/store.h"
#include "lib/addr.h"
#include "router/config.h"

struct cp_agent_opts {
	const char *node;       /* this node's name */
	const char *secrets_ns; /* NULL: "kube-system" */
	/* The kernel's default gateways, looked up by the caller, for peers with
	 * autoDiscovery DefaultGateway; has_* false when there is none. */
	bool has_gateway4, has_gateway6;
	union sockaddr_any gateway4, gateway6;
	/* Node-side import (kbgp's addition; Cilium imports nothing): received
	 * routes inside these prefixes are accepted into the RIB and installed
	 * in the node's kernel table; none: nothing received is accepted. */
	const struct bgp_prefix *fib_import;
	size_t n_fib_import;
};

struct cp_instance {
	struct router_config cfg;
};

struct cp_agent_desired {
	struct cp_instance *instances;
	size_t n_instances;
	json_t *errors; /* array of "INSTANCE: message" strings, Cilium's reconcile errors */
};

/* Names of the import policies every instance has (Cilium's, and kbgp's
 * FIB import when opts.fib_import is set). */
#define CP_POLICY_ALLOW_LOCAL "allow-local"
#define CP_POLICY_FIB_IMPORT  "kbgp-fib-import"

/* Fill *out, to free with cp_agent_desired_free().  Problems with the
 * objects are reported in out->errors, not by the return value: -1 only
 * when out of memory, with *out empty (nothing to free). */
int cp_agent_derive(const struct k8s_store *s, const struct cp_agent_opts *o,
                    struct cp_agent_desired *out);
void cp_agent_desired_free(struct cp_agent_desired *d);
/* Canonical JSON for golden tests and `kbgpctl`: {"instances": [the
 * running config of each (router_config_json)], "errors": [...]}. */
json_t *cp_agent_desired_json(const struct cp_agent_desired *d);

#endif
