/*
 * objects: the Kubernetes objects kbgp reads, as typed, validated C values.
 *
 * k8s_decode() turns one manifest_obj (YAML or JSON, a file or the API
 * server) into one struct k8s_object, checking it the way the API server
 * would: the CRD schemas (types, enums, ranges, required fields, the CEL
 * rules) for Cilium's BGPv2 kinds, and the fields kbgp uses of the core
 * kinds.  Every problem is reported through the manifest context (FILE:
 * LINE:COL: KIND/NAME: FIELD: message) and the object is refused whole;
 * the caller keeps whatever it had before.
 *
 * Kinds are accepted under cilium.io/v2, cilium.io/v2alpha1 and kbgp's own
 * group kbgp.io/v1alpha1, where they drop the "Cilium" prefix
 * (BGPClusterConfig, LoadBalancerIPPool, ...).  Core kinds are v1
 * (Node, Service, Secret) and discovery.k8s.io/v1 (EndpointSlice).
 *
 * Decoded values point into the manifest_set they came from (strings,
 * label maps): an object lives as long as its set.  Arrays are malloc'd
 * and freed by k8s_object_free().
 */
#ifndef KBGP_K8S_OBJECTS_H
#define KBGP_K8S_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bgp/nlri.h"
#include "k8s/manifest.h"
#include "lib/addr.h"

enum k8s_kind {
	K8S_BGP_CLUSTER_CONFIG,
	K8S_BGP_PEER_CONFIG,
	K8S_BGP_ADVERTISEMENT,
	K8S_BGP_NODE_CONFIG,
	K8S_BGP_NODE_CONFIG_OVERRIDE,
	K8S_LB_IP_POOL,
	K8S_NODE,
	K8S_SERVICE,
	K8S_ENDPOINT_SLICE,
	K8S_SECRET,
	K8S_KIND_COUNT,
};

/* "CiliumBGPClusterConfig", "Node", ... (the Cilium spelling). */
const char *k8s_kind_name(enum k8s_kind k);
/* The kind of an apiVersion + kind pair; -1 (with *known_group false when
 * the group is not one kbgp reads at all) if kbgp does not read it. */
int k8s_kind_of(const char *api_version, const char *kind, bool *known_group);
/* Cluster-scoped kinds have no namespace. */
bool k8s_kind_namespaced(enum k8s_kind k);

/* ---- label selectors (metav1.LabelSelector) ---- */

enum k8s_selector_op { K8S_SEL_IN, K8S_SEL_NOT_IN, K8S_SEL_EXISTS, K8S_SEL_DOES_NOT_EXIST };

struct k8s_selector_req {
	const char *key;
	enum k8s_selector_op op;
	const char **values; /* In/NotIn: at least one; Exists/DoesNotExist: none */
	size_t n_values;
};

struct k8s_selector {
	bool present;               /* false: the field was absent or null */
	const json_t *match_labels; /* string map, or NULL */
	struct k8s_selector_req *reqs;
	size_t n_reqs;
};

/* Labels as a selector sees them: an object's own, plus up to two
 * synthetic ones (io.kubernetes.service.name/namespace for Services). */
struct k8s_labels {
	const json_t *map; /* string map, or NULL */
	const char *extra_key[2], *extra_value[2];
};

const char *k8s_label(const struct k8s_labels *l, const char *key);
/* A present selector matches by Kubernetes rules ({} matches everything);
 * an absent one matches what nil_matches says: nothing for advertisements
 * and PeerConfig families, everything for nodeSelector and
 * serviceSelector. */
bool k8s_selector_matches(const struct k8s_selector *s, const struct k8s_labels *l,
                          bool nil_matches);

/* ---- common ---- */

struct k8s_meta {
	const char *name;
	const char *ns;            /* NULL for cluster-scoped kinds */
	const char *uid;           /* NULL when absent (manifests rarely have one) */
	const char *creation;      /* metadata.creationTimestamp, or NULL */
	const json_t *labels;      /* string map, or NULL */
	const json_t *annotations; /* string map, or NULL */
	const char *owner;         /* first ownerReference's name, or NULL */
	const char *file;          /* where it was read */
	unsigned line;
};

/* ---- cilium.io BGPv2 ---- */

/* One bgpInstances[] entry.  The same shape serves ClusterConfig, NodeConfig
 * and NodeConfigOverride; each kind's decoder accepts only its fields and
 * leaves the others' has_* false. */
struct k8s_bgp_peer {
	const char *name;
	bool has_address;
	union sockaddr_any address; /* port 0; a %zone suffix is kept in scope */
	bool has_asn;
	uint32_t asn;              /* 0: learned from the peer's OPEN */
	bool auto_discovery;       /* mode DefaultGateway */
	uint8_t auto_discovery_af; /* BGP_AF_IPV4_UNICAST or BGP_AF_IPV6_UNICAST */
	const char *peer_config;   /* peerConfigRef.name, or NULL */
	bool has_local_address;    /* NodeConfig, override */
	union sockaddr_any local_address;
	bool has_local_port; /* override only (never used, as in Cilium) */
	uint16_t local_port;
};

struct k8s_bgp_instance {
	const char *name;
	bool has_local_asn;
	uint32_t local_asn;
	bool has_local_port;
	uint16_t local_port;
	bool has_router_id; /* NodeConfig, override */
	uint32_t router_id; /* host order */
	struct k8s_bgp_peer *peers;
	size_t n_peers;
};

struct k8s_bgp_cluster_config {
	struct k8s_selector node_selector; /* absent: every node */
	struct k8s_bgp_instance *instances;
	size_t n_instances;
};

struct k8s_bgp_node_config {
	struct k8s_bgp_instance *instances;
	size_t n_instances;
};

struct k8s_bgp_node_config_override {
	struct k8s_bgp_instance *instances;
	size_t n_instances;
};

enum k8s_afi { K8S_AFI_IPV4, K8S_AFI_IPV6, K8S_AFI_L2VPN, K8S_AFI_LS, K8S_AFI_OPAQUE };
/* The CRD's enum, in its order; only unicast is served. */
enum k8s_safi {
	K8S_SAFI_UNICAST,
	K8S_SAFI_MULTICAST,
	K8S_SAFI_MPLS_LABEL,
	K8S_SAFI_ENCAPSULATION,
	K8S_SAFI_VPLS,
	K8S_SAFI_EVPN,
	K8S_SAFI_LS,
	K8S_SAFI_SR_POLICY,
	K8S_SAFI_MUP,
	K8S_SAFI_MPLS_VPN,
	K8S_SAFI_MPLS_VPN_MULTICAST,
	K8S_SAFI_ROUTE_TARGET_CONSTRAINTS,
	K8S_SAFI_FLOWSPEC_UNICAST,
	K8S_SAFI_FLOWSPEC_VPN,
	K8S_SAFI_KEY_VALUE,
};
extern const char *const k8s_afi_names[];  /* NULL-terminated, enum order */
extern const char *const k8s_safi_names[]; /* NULL-terminated, enum order */

struct k8s_bgp_family {
	enum k8s_afi afi;
	enum k8s_safi safi;
	struct k8s_selector advertisements; /* over CiliumBGPAdvertisement labels */
};

/* Defaults applied (CRD +default and SetDefaults(): 0 counts as unset). */
struct k8s_bgp_peer_config {
	uint16_t peer_port;              /* 179 */
	uint32_t connect_retry;          /* 120 */
	uint16_t hold_time;              /* 90 */
	uint16_t keepalive;              /* 30 */
	const char *auth_secret;         /* authSecretRef, or NULL */
	bool graceful_restart;           /* false without the block */
	uint16_t restart_time;           /* 120 */
	uint8_t ebgp_multihop;           /* 1 */
	struct k8s_bgp_family *families; /* absent or empty: ipv6 then ipv4 unicast, */
	size_t n_families;               /* with no advertisements */
};

enum k8s_advert_type { K8S_ADVERT_POD_CIDR, K8S_ADVERT_POD_IP_POOL, K8S_ADVERT_SERVICE };
extern const char *const k8s_advert_type_names[]; /* "PodCIDR", "CiliumPodIPPool", "Service" */

#define K8S_SVC_ADDR_LB       0x1u /* LoadBalancerIP */
#define K8S_SVC_ADDR_CLUSTER  0x2u /* ClusterIP */
#define K8S_SVC_ADDR_EXTERNAL 0x4u /* ExternalIP */

struct k8s_community {
	const char *text; /* as written: "65000:99", "no-export", "64512:1:1" */
	uint32_t value;   /* standard and well-known */
	uint32_t large[3];
};

struct k8s_advert {
	enum k8s_advert_type type;
	uint8_t service_addresses;            /* K8S_SVC_ADDR_* in the order written */
	const char *service_address_order[3]; /* "LoadBalancerIP", ... as listed */
	size_t n_service_addresses;
	int16_t aggregation4, aggregation6; /* -1: not set (host routes) */
	struct k8s_selector selector;       /* absent: selects nothing */
	struct k8s_community *communities;  /* standard then well-known, as written */
	size_t n_communities;
	struct k8s_community *large_communities;
	size_t n_large_communities;
	bool has_local_pref;
	int64_t local_pref;
};

struct k8s_bgp_advertisement {
	struct k8s_advert *adverts;
	size_t n_adverts;
};

struct k8s_lb_block {
	bool is_cidr;
	struct bgp_prefix cidr;         /* is_cidr */
	union sockaddr_any start, stop; /* !is_cidr; stop = start when absent */
};

struct k8s_lb_ip_pool {
	struct k8s_lb_block *blocks;
	size_t n_blocks;
	bool allow_first_last;                /* "Yes" or absent: true */
	struct k8s_selector service_selector; /* absent: every Service */
	bool disabled;
};

/* ---- core ---- */

struct k8s_node {
	struct bgp_prefix *pod_cidrs; /* spec.podCIDRs, or spec.podCIDR */
	size_t n_pod_cidrs;
	union sockaddr_any *internal_ips; /* status.addresses type InternalIP */
	size_t n_internal_ips;
	bool unschedulable;
};

enum k8s_svc_type {
	K8S_SVC_CLUSTER_IP,
	K8S_SVC_NODE_PORT,
	K8S_SVC_LOAD_BALANCER,
	K8S_SVC_EXTERNAL_NAME
};
enum k8s_traffic_policy { K8S_TP_CLUSTER, K8S_TP_LOCAL };
enum k8s_ip_family_policy { K8S_IPFP_SINGLE_STACK, K8S_IPFP_PREFER_DUAL, K8S_IPFP_REQUIRE_DUAL };

struct k8s_service {
	enum k8s_svc_type type;
	union sockaddr_any *cluster_ips; /* clusterIP and clusterIPs, "" and None left out */
	size_t n_cluster_ips;
	bool headless; /* clusterIP: None */
	union sockaddr_any *external_ips;
	size_t n_external_ips;
	const char *lb_class; /* spec.loadBalancerClass, or NULL */
	bool has_lb_ip;       /* legacy spec.loadBalancerIP */
	union sockaddr_any lb_ip;
	enum k8s_traffic_policy external_tp, internal_tp; /* Cluster when absent */
	enum k8s_ip_family_policy ip_family_policy;
	uint8_t ip_families;             /* BGP_AF_BIT set, from spec.ipFamilies; 0: absent */
	union sockaddr_any *ingress_ips; /* status.loadBalancer.ingress[].ip */
	size_t n_ingress_ips;
};

struct k8s_endpoint {
	union sockaddr_any *addresses;
	size_t n_addresses;
	const char *node_name; /* or NULL */
	/* discovery/v1 defaults: ready absent is true, serving absent is
	 * ready's value, terminating absent is false. */
	bool ready, serving, terminating;
};

struct k8s_endpoint_slice {
	const char *service;  /* label kubernetes.io/service-name, or NULL */
	uint8_t address_type; /* BGP_AF_IPV4_UNICAST, BGP_AF_IPV6_UNICAST, or 0xff (FQDN) */
	struct k8s_endpoint *endpoints;
	size_t n_endpoints;
};

struct k8s_secret {
	/* data (base64, decoded) or stringData; NULL when the key is absent. */
	char *password; /* malloc'd; key "password" */
};

struct k8s_object {
	enum k8s_kind kind;
	struct k8s_meta meta;
	const struct manifest_obj *src; /* NULL once detached */
	char *owned;                    /* a detached object's strings, or NULL */
	/* The status as stored (operator and agent write it; users do not),
	 * or NULL.  Decoders do not validate it: readers use what they can. */
	const json_t *status;
	union {
		struct k8s_bgp_cluster_config cluster_config;
		struct k8s_bgp_peer_config peer_config;
		struct k8s_bgp_advertisement advertisement;
		struct k8s_bgp_node_config node_config;
		struct k8s_bgp_node_config_override override;
		struct k8s_lb_ip_pool pool;
		struct k8s_node node;
		struct k8s_service service;
		struct k8s_endpoint_slice slice;
		struct k8s_secret secret;
	} u;
};

/*
 * Decode and validate one object.  1: *out holds it; 0: a kind kbgp does
 * not read (skipped, no error); -1: refused, every problem reported to the
 * set's error list.
 */
int k8s_decode(struct manifest_set *set, const struct manifest_obj *obj, struct k8s_object *out);
void k8s_object_free(struct k8s_object *o);
/*
 * Make a decoded EndpointSlice or Service independent of the manifest it
 * came from, so the tree and positions can go: thousands of them are most
 * of an agent's memory otherwise.  Strings are copied; a Service keeps its
 * labels, annotations and status by reference, an EndpointSlice drops them
 * (only the service name, kept, selects it).  0, or -1 (nothing changed)
 * for other kinds or when out of memory.  A detached object has no src.
 */
int k8s_object_detach(struct k8s_object *o);
/*
 * A detached Service's status replaced (NULL: none), as a status
 * subresource update does, its ingress addresses decoded again.  0, or -1
 * (nothing changed) when the status is not valid, for other objects, or
 * when out of memory.
 */
int k8s_object_set_status(struct k8s_object *o, json_t *status);

#endif
