/*
 * objects_core: the core Kubernetes kinds kbgp reads (Node, Service,
 * EndpointSlice, Secret).  Only the fields kbgp uses are decoded, strictly;
 * every other field is left alone, as `kubectl get -o yaml` output carries
 * many that are none of kbgp's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/objects_impl.h"
#include "lib/base64.h"

#define PATH_MAX_LEN 64

static const char *const traffic_policies[] = { "Cluster", "Local", NULL };

/* A list of IP addresses at path into a new array; "" and None items are
 * left out (a Service's clusterIPs), and *none_seen tells if None was. */
static void decode_ips(struct manifest_ctx *ctx, const char *path, union sockaddr_any **out,
                       size_t *n_out, bool *none_seen)
{
	size_t n;
	char item[PATH_MAX_LEN];

	if (manifest_get_list(ctx, path, 0, &n) != 1 ||
	    (*out = k8s_alloc(ctx, path, n, sizeof(**out))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *text = NULL;
		snprintf(item, sizeof(item), "%s[%zu]", path, i);
		if (manifest_get_string(ctx, item, 0, &text) != 1)
			continue;
		if (none_seen != NULL && (text[0] == '\0' || strcmp(text, "None") == 0)) {
			*none_seen |= text[0] != '\0';
			continue;
		}
		if (manifest_get_ip(ctx, item, 0, &(*out)[*n_out]) == 1)
			(*n_out)++;
	}
}

/* ---- Node ---- */

static void decode_pod_cidrs(struct manifest_ctx *ctx, struct k8s_node *node)
{
	size_t n;
	char item[PATH_MAX_LEN];

	/* podCIDRs[0] is podCIDR when both are set; podCIDR alone is older. */
	manifest_get_list(ctx, "podCIDRs", 0, &n);
	node->pod_cidrs = k8s_alloc(ctx, "podCIDRs", n > 0 ? n : 1, sizeof(*node->pod_cidrs));
	if (node->pod_cidrs == NULL)
		return;
	if (n == 0 && manifest_get_prefix(ctx, "podCIDR", 0, &node->pod_cidrs[0]) == 1)
		node->n_pod_cidrs = 1;
	for (size_t i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "podCIDRs[%zu]", i);
		if (manifest_get_prefix(ctx, item, 0, &node->pod_cidrs[node->n_pod_cidrs]) == 1)
			node->n_pod_cidrs++;
	}
}

static void decode_internal_ips(struct manifest_ctx *ctx, struct k8s_node *node)
{
	size_t n;

	if (manifest_get_list(ctx, "status.addresses", 0, &n) != 1 ||
	    (node->internal_ips =
	             k8s_alloc(ctx, "status.addresses", n, sizeof(*node->internal_ips))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *type = NULL;
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "status.addresses[%zu]", i))
			continue;
		if (manifest_get_string(ctx, "type", MANIFEST_REQUIRED, &type) == 1 &&
		    strcmp(type, "InternalIP") == 0 &&
		    manifest_get_ip(ctx, "address", MANIFEST_REQUIRED,
		                    &node->internal_ips[node->n_internal_ips]) == 1)
			node->n_internal_ips++;
		manifest_leave(ctx);
	}
}

void k8s_decode_node(struct manifest_ctx *ctx, struct k8s_object *o)
{
	struct k8s_node *node = &o->u.node;

	if (manifest_enter(ctx, 0, "spec")) {
		decode_pod_cidrs(ctx, node);
		manifest_get_bool(ctx, "unschedulable", 0, &node->unschedulable);
		manifest_leave(ctx);
	}
	decode_internal_ips(ctx, node);
}

/* ---- Service ---- */

static void decode_cluster_ips(struct manifest_ctx *ctx, struct k8s_service *svc)
{
	const char *one = NULL;
	const json_t *list;

	/* clusterIPs[0] is clusterIP when both are set. */
	if (manifest_get_node(ctx, "clusterIPs", 0, &list) == 1) {
		decode_ips(ctx, "clusterIPs", &svc->cluster_ips, &svc->n_cluster_ips,
		           &svc->headless);
		return;
	}
	if (manifest_get_string(ctx, "clusterIP", 0, &one) != 1 || one[0] == '\0')
		return;
	if (strcmp(one, "None") == 0) {
		svc->headless = true;
		return;
	}
	if ((svc->cluster_ips = k8s_alloc(ctx, "clusterIP", 1, sizeof(*svc->cluster_ips))) !=
	            NULL &&
	    manifest_get_ip(ctx, "clusterIP", 0, svc->cluster_ips) == 1)
		svc->n_cluster_ips = 1;
}

static void decode_ip_families(struct manifest_ctx *ctx, struct k8s_service *svc)
{
	static const char *const families[] = { "IPv4", "IPv6", NULL };
	static const char *const policies[] = { "SingleStack", "PreferDualStack",
		                                "RequireDualStack", NULL };
	unsigned policy = K8S_IPFP_SINGLE_STACK, family;
	char item[PATH_MAX_LEN];
	size_t n;

	manifest_get_enum(ctx, "ipFamilyPolicy", 0, policies, &policy);
	svc->ip_family_policy = (enum k8s_ip_family_policy)policy;
	if (manifest_get_list(ctx, "ipFamilies", 0, &n) != 1)
		return;
	for (size_t i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "ipFamilies[%zu]", i);
		if (manifest_get_enum(ctx, item, 0, families, &family) == 1)
			svc->ip_families |= (uint8_t)BGP_AF_BIT(family == 0 ? BGP_AF_IPV4_UNICAST
			                                                    : BGP_AF_IPV6_UNICAST);
	}
}

static void decode_service_spec(struct manifest_ctx *ctx, struct k8s_service *svc)
{
	static const char *const types[] = { "ClusterIP", "NodePort", "LoadBalancer",
		                             "ExternalName", NULL };
	unsigned type = K8S_SVC_CLUSTER_IP, etp = K8S_TP_CLUSTER, itp = K8S_TP_CLUSTER;
	const char *lb_ip = NULL;

	manifest_get_enum(ctx, "type", 0, types, &type);
	svc->type = (enum k8s_svc_type)type;
	decode_cluster_ips(ctx, svc);
	decode_ips(ctx, "externalIPs", &svc->external_ips, &svc->n_external_ips, NULL);
	manifest_get_string(ctx, "loadBalancerClass", MANIFEST_NONEMPTY, &svc->lb_class);
	if (manifest_get_string(ctx, "loadBalancerIP", 0, &lb_ip) == 1 && lb_ip[0] != '\0')
		svc->has_lb_ip = manifest_get_ip(ctx, "loadBalancerIP", 0, &svc->lb_ip) == 1;
	manifest_get_enum(ctx, "externalTrafficPolicy", 0, traffic_policies, &etp);
	manifest_get_enum(ctx, "internalTrafficPolicy", 0, traffic_policies, &itp);
	svc->external_tp = (enum k8s_traffic_policy)etp;
	svc->internal_tp = (enum k8s_traffic_policy)itp;
	decode_ip_families(ctx, svc);
}

/* Ingress entries with only a hostname (cloud load balancers) carry no
 * address to advertise. */
static void decode_ingress(struct manifest_ctx *ctx, struct k8s_service *svc)
{
	const char *path = "status.loadBalancer.ingress";
	size_t n;

	if (manifest_get_list(ctx, path, 0, &n) != 1 ||
	    (svc->ingress_ips = k8s_alloc(ctx, path, n, sizeof(*svc->ingress_ips))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "%s[%zu]", path, i))
			continue;
		if (manifest_get_ip(ctx, "ip", 0, &svc->ingress_ips[svc->n_ingress_ips]) == 1)
			svc->n_ingress_ips++;
		manifest_leave(ctx);
	}
}

void k8s_decode_service(struct manifest_ctx *ctx, struct k8s_object *o)
{
	if (manifest_enter(ctx, 0, "spec")) {
		decode_service_spec(ctx, &o->u.service);
		manifest_leave(ctx);
	}
	decode_ingress(ctx, &o->u.service);
}

/* ---- EndpointSlice ---- */

#define ADDRESS_TYPE_FQDN 0xff

static void decode_endpoint_addresses(struct manifest_ctx *ctx, uint8_t address_type,
                                      struct k8s_endpoint *ep)
{
	size_t n;
	char item[PATH_MAX_LEN];

	if (manifest_get_list(ctx, "addresses", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &n) != 1 ||
	    address_type == ADDRESS_TYPE_FQDN ||
	    (ep->addresses = k8s_alloc(ctx, "addresses", n, sizeof(*ep->addresses))) == NULL)
		return;
	int family = address_type == BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6;
	for (size_t i = 0; i < n; i++) {
		union sockaddr_any *a = &ep->addresses[ep->n_addresses];
		snprintf(item, sizeof(item), "addresses[%zu]", i);
		if (manifest_get_ip(ctx, item, 0, a) != 1)
			continue;
		if (a->sa.sa_family != family)
			manifest_errorf(ctx, item, "must be an %s address (addressType)",
			                family == AF_INET ? "IPv4" : "IPv6");
		else
			ep->n_addresses++;
	}
}

static void decode_endpoint(struct manifest_ctx *ctx, uint8_t address_type, struct k8s_endpoint *ep)
{
	decode_endpoint_addresses(ctx, address_type, ep);
	manifest_get_string(ctx, "nodeName", MANIFEST_NONEMPTY, &ep->node_name);
	/* discovery/v1: ready unset means ready, serving unset defers to
	 * ready, terminating unset means not terminating. */
	ep->ready = true;
	manifest_get_bool(ctx, "conditions.ready", 0, &ep->ready);
	ep->serving = ep->ready;
	manifest_get_bool(ctx, "conditions.serving", 0, &ep->serving);
	manifest_get_bool(ctx, "conditions.terminating", 0, &ep->terminating);
}

void k8s_decode_endpoint_slice(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN", NULL };
	static const uint8_t type_af[] = { BGP_AF_IPV4_UNICAST, BGP_AF_IPV6_UNICAST,
		                           ADDRESS_TYPE_FQDN };
	struct k8s_endpoint_slice *slice = &o->u.slice;
	unsigned type = 0;
	size_t n;

	slice->service =
	        json_string_value(json_object_get(o->meta.labels, "kubernetes.io/service-name"));
	if (manifest_get_enum(ctx, "addressType", MANIFEST_REQUIRED, types, &type) != 1)
		return;
	slice->address_type = type_af[type];
	if (manifest_get_list(ctx, "endpoints", 0, &n) != 1 ||
	    (slice->endpoints = k8s_alloc(ctx, "endpoints", n, sizeof(*slice->endpoints))) == NULL)
		return;
	slice->n_endpoints = n;
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "endpoints[%zu]", i))
			continue;
		decode_endpoint(ctx, slice->address_type, &slice->endpoints[i]);
		manifest_leave(ctx);
	}
}

/* ---- Secret ---- */

static char *decode_password_data(struct manifest_ctx *ctx, const char *text)
{
	size_t len = strlen(text), n = 0;
	char *out = k8s_alloc(ctx, "data.password", base64_decoded_max(len) + 1, 1);

	if (out == NULL)
		return NULL;
	if (base64_decode(text, len, (uint8_t *)out, base64_decoded_max(len), &n) < 0) {
		manifest_errorf(ctx, "data.password", "must be base64 (RFC 4648, padded)");
	} else if (memchr(out, '\0', n) != NULL) {
		manifest_errorf(ctx, "data.password", "must not contain a NUL byte");
	} else {
		out[n] = '\0';
		return out;
	}
	free(out);
	return NULL;
}

void k8s_decode_secret(struct manifest_ctx *ctx, struct k8s_object *o)
{
	const char *text = NULL;

	/* stringData is merged over data on write, so it wins. */
	if (manifest_get_string(ctx, "stringData.password", 0, &text) == 1) {
		if ((o->u.secret.password = strdup(text)) == NULL)
			manifest_errorf(ctx, "stringData.password", "out of memory");
		return;
	}
	if (manifest_get_string(ctx, "data.password", 0, &text) == 1)
		o->u.secret.password = decode_password_data(ctx, text);
}

void k8s_free_core(struct k8s_object *o)
{
	switch (o->kind) {
	case K8S_NODE:
		free(o->u.node.pod_cidrs);
		free(o->u.node.internal_ips);
		break;
	case K8S_SERVICE:
		free(o->u.service.cluster_ips);
		free(o->u.service.external_ips);
		free(o->u.service.ingress_ips);
		break;
	case K8S_ENDPOINT_SLICE:
		for (size_t i = 0; i < o->u.slice.n_endpoints; i++)
			free(o->u.slice.endpoints[i].addresses);
		free(o->u.slice.endpoints);
		break;
	case K8S_SECRET:
		free(o->u.secret.password);
		break;
	default:
		break;
	}
}
