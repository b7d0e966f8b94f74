/*
 * config: the router role's configuration, one BGPRouter manifest
 * (apiVersion kbgp.io/v1alpha1), as an immutable value: load parses a new
 * one, reload compares two (docs/router-config.md is the schema).
 */
#ifndef KBGP_ROUTER_CONFIG_H
#define KBGP_ROUTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp/negotiate.h"
#include "bgp/nlri.h"
#include "fib/fib.h"
#include "bgp/transport.h"
#include "lib/addr.h"
#include "rib/policy.h"

struct router_group {
	char name[64];
	enum bgp_peer_as_kind as_kind;
	uint32_t asn;
	union sockaddr_any *neighbors;
	size_t n_neighbors;
	struct addr_range *listen_ranges; /* dynamic neighbours */
	size_t n_listen_ranges;
	uint16_t hold_time;
	uint16_t keepalive;
	uint16_t connect_retry;
	uint16_t advertisement_interval; /* MRAI, seconds; 0 like FRR */
	uint8_t ebgp_multihop;           /* hops; 1 = directly connected */
	uint8_t allowas_in;              /* our AS may appear this often (FRR allowas-in) */
	bool count_refused;              /* "received" counts what import refused too (Cilium's) */
	uint8_t ttl_security_hops;       /* GTSM when non-zero */
	uint8_t families;                /* BGP_AF_BIT set */
	char md5_key[BGP_MD5_KEY_MAX + 1];
	bool passive;
	uint16_t peer_port;
	bool shutdown;
	bool has_local_address;
	union sockaddr_any local_address;      /* FRR update-source */
	const struct policy **import_policies; /* into router_config.policies */
	size_t n_import_policies;
	const struct policy **export_policies;
	size_t n_export_policies;
	/* The same chains indexed by prefix, for the routes
	 * (config_index_chains; router_config_free frees them). */
	struct policy_index import_index, export_index;
	/* Graceful restart for this group's sessions differs from the
	 * router's (the agent: Cilium sets it per PeerConfig). */
	bool gr_override;
	bool graceful_restart;
	uint16_t restart_time;
	uint32_t max_prefixes;         /* per family; 0: no limit */
	uint16_t max_prefixes_restart; /* seconds; 0: stay down */
	bool max_prefixes_warning_only;
};

struct router_config {
	char path[256];
	char name[64]; /* metadata.name, "router" without one: names run-dir files */
	uint32_t asn;
	uint32_t router_id;
	uint16_t listen_port;
	union sockaddr_any listen[8];
	size_t n_listen;
	bool graceful_restart;
	uint16_t restart_time;
	uint16_t selection_deferral; /* seconds, after a graceful restart */
	bool ebgp_requires_policy;
	bool export_requires_policy; /* iBGP too: nothing out without a policy (agent) */
	bool as_path_multipath_relax;
	uint8_t maximum_paths;
	struct bgp_prefix *networks;
	size_t n_networks;
	bool network_import_check; /* a network is announced while the kernel has it */
	bool fib_install;
	struct fib_cfg fib;
	struct router_group *groups;
	size_t n_groups;
	struct policy *policies;
	size_t n_policies;
};

/* Load and validate a BGPRouter manifest.  On failure every problem found
 * has been printed to `errors` as FILE:LINE:COL: BGPRouter/NAME: FIELD:
 * message, and -1 is returned. */
int router_config_load(const char *path, struct router_config *out, FILE *errors);
void router_config_free(struct router_config *c);

#endif
