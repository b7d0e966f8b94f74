/*
 * nodeconfig: what Cilium's BGP operator (operator/pkg/bgpv2) derives from
 * the cluster, as one pure function of the current objects: a
 * CiliumBGPNodeConfig per selected node rendered from its
 * CiliumBGPClusterConfig and CiliumBGPNodeConfigOverride, router IDs in
 * ip-pool mode, and the conditions of every ClusterConfig and PeerConfig.
 * No I/O, no clock: the caller passes the time to stamp on conditions that
 * change, writes what is returned, and deletes every NodeConfig it holds
 * that is not returned.
 */
#ifndef KBGP_CP_NODECONFIG_H
#define KBGP_CP_NODECONFIG_H

#include <stdbool.h>

#include <jansson.h>

#include "bgp/nlri.h"
#include "k8s/store.h"

/* The operator's flags (Cilium's Helm values bgpControlPlane.*). */
struct cp_operator_cfg {
	bool status_report;               /* false: conditions are removed (empty lists) */
	bool router_id_pool;              /* mode ip-pool; else mode default */
	struct bgp_prefix router_id_cidr; /* IPv4, for ip-pool */
	const char *now;                  /* RFC 3339, for lastTransitionTime */
	const char *secrets_ns;           /* of authSecretRef; NULL: "kube-system" */
};

/*
 * {"nodeConfigs": [OBJECT], "clusterConfigs": {"NAME": {"conditions": [C]}},
 *  "peerConfigs": {"NAME": {"conditions": [C]}}, "errors": [TEXT]}
 *
 * nodeConfigs are whole cilium.io/v2 CiliumBGPNodeConfig objects in node
 * name order, each owned (ownerReferences, controller) by the ClusterConfig
 * it was rendered from; the store's NodeConfigs are the operator's earlier
 * output and decide who owns a node claimed twice.  Every ClusterConfig
 * and PeerConfig of the store appears with its conditions sorted by type;
 * a condition whose status did not change keeps the lastTransitionTime of
 * the object's current status.  errors lists router IDs that could not be
 * given, one line each.  NULL when out of memory.
 */
json_t *cp_node_configs(const struct k8s_store *s, const struct cp_operator_cfg *cfg);

#endif
