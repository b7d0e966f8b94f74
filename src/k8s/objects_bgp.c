/*
 * objects_bgp: Cilium's BGPv2 kinds (ClusterConfig, PeerConfig,
 * Advertisement, NodeConfig, NodeConfigOverride, LoadBalancerIPPool),
 * validated as the API server validates them with the CRDs installed:
 * strict field names, types, enums, ranges, required fields, list sizes,
 * listType=map keys, defaults and the CEL rules with the CRDs' messages.
 */
#include <ctype.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/objects_impl.h"

#define NAME_MAX_LEN     255
#define INSTANCES_MAX    16
#define PATH_MAX_LEN     96
#define ADDRESS_TEXT_MAX 128
#define AGGREGATION4_MAX 31
#define AGGREGATION6_MAX 127

const char *const k8s_afi_names[] = { "ipv4", "ipv6", "l2vpn", "ls", "opaque", NULL };
const char *const k8s_safi_names[] = { "unicast",
	                               "multicast",
	                               "mpls_label",
	                               "encapsulation",
	                               "vpls",
	                               "evpn",
	                               "ls",
	                               "sr_policy",
	                               "mup",
	                               "mpls_vpn",
	                               "mpls_vpn_multicast",
	                               "route_target_constraints",
	                               "flowspec_unicast",
	                               "flowspec_vpn",
	                               "key_value",
	                               NULL };
const char *const k8s_advert_type_names[] = { "PodCIDR", "CiliumPodIPPool", "Service", NULL };

static const char *const root_keys[] = { "apiVersion", "kind", "metadata", "spec", "status", NULL };

/* ---- small fields ---- */

/* The object's spec, entered, with its keys checked; false when absent. */
static bool enter_spec(struct manifest_ctx *ctx, const char *const *spec_keys)
{
	manifest_check_keys(ctx, root_keys);
	if (!manifest_enter(ctx, MANIFEST_REQUIRED, "spec"))
		return false;
	manifest_check_keys(ctx, spec_keys);
	return true;
}

/* A listType=map key: required, 1..255 characters. */
static void get_name(struct manifest_ctx *ctx, const char **out)
{
	if (manifest_get_string(ctx, "name", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, out) == 1 &&
	    strlen(*out) > NAME_MAX_LEN)
		manifest_errorf(ctx, "name", "must be at most %d characters", NAME_MAX_LEN);
}

/* The i-th name of an array of structs whose name fields are stride apart. */
static const char *name_at(const char *const *first, size_t stride, size_t i)
{
	return *(const char *const *)((const char *)first + i * stride);
}

/* listType=map keyed by name: item i must not repeat an earlier name. */
static void check_unique_name(struct manifest_ctx *ctx, const char *list, const char *const *first,
                              size_t stride, size_t i)
{
	const char *name = name_at(first, stride, i);
	char path[PATH_MAX_LEN];

	for (size_t j = 0; name != NULL && j < i; j++) {
		const char *other = name_at(first, stride, j);
		if (other != NULL && strcmp(other, name) == 0) {
			snprintf(path, sizeof(path), "%s[%zu].name", list, i);
			manifest_errorf(ctx, path, "duplicate name \"%s\" (also %s[%zu])", name,
			                list, j);
			return;
		}
	}
}

static bool get_port(struct manifest_ctx *ctx, const char *path, uint16_t *out)
{
	uint32_t port;

	if (manifest_get_u32(ctx, path, 0, 1, UINT16_MAX, &port) != 1)
		return false;
	*out = (uint16_t)port;
	return true;
}

/* An int32 field whose 0 means "unset" (SetDefaults()): *out keeps its
 * default then; other values must be in min..max. */
static void get_defaulted(struct manifest_ctx *ctx, const char *path, uint32_t min, uint32_t max,
                          uint32_t *out)
{
	uint32_t v;

	if (manifest_get_u32(ctx, path, 0, 0, max, &v) != 1 || v == 0)
		return;
	if (v < min)
		manifest_errorf(ctx, path, "must be in %u..%u, or 0 for the default (got %u)", min,
		                max, v);
	else
		*out = v;
}

/* The CRD's IP pattern: IPv4, or IPv6 with an optional %zone, leading and
 * trailing spaces tolerated.  A named zone becomes the interface's index
 * here, 0 when this host has no such interface. */
static int parse_peer_address(const char *text, union sockaddr_any *out)
{
	char buf[ADDRESS_TEXT_MAX];
	size_t len;

	while (*text == ' ')
		text++;
	len = strlen(text);
	while (len > 0 && text[len - 1] == ' ')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *zone = strchr(buf, '%');
	if (zone != NULL)
		*zone++ = '\0';
	if (addr_parse(buf, 0, out) < 0)
		return -1;
	if (zone == NULL)
		return 0;
	if (out->sa.sa_family != AF_INET6 || *zone == '\0')
		return -1;
	if (strspn(zone, "0123456789") == strlen(zone))
		out->in6.sin6_scope_id = (uint32_t)strtoul(zone, NULL, 10);
	else
		out->in6.sin6_scope_id = if_nametoindex(zone);
	return 0;
}

static bool get_peer_address(struct manifest_ctx *ctx, const char *path, union sockaddr_any *out)
{
	const char *text;

	if (manifest_get_string(ctx, path, 0, &text) != 1)
		return false;
	if (parse_peer_address(text, out) == 0)
		return true;
	manifest_errorf(ctx, path,
	                "must be an IPv4 or IPv6 address, IPv6 with an optional %%zone "
	                "(got \"%s\")",
	                text);
	return false;
}

/* ---- instances and peers (ClusterConfig, NodeConfig, NodeConfigOverride) ---- */

/* Which fields a kind's bgpInstances[] and peers[] have. */
struct instance_shape {
	const char *const *instance_keys;
	const char *const *peer_keys;
	bool peer_asn; /* peers have peerASN, defaulted to 0 */
};

static const struct instance_shape cluster_shape = {
	.instance_keys = (const char *const[]){ "name", "localASN", "localPort", "peers", NULL },
	.peer_keys = (const char *const[]){ "name", "peerAddress", "peerASN", "autoDiscovery",
	                                    "peerConfigRef", NULL },
	.peer_asn = true,
};

static const struct instance_shape node_shape = {
	.instance_keys =
	        (const char *const[]){ "name", "localASN", "routerID", "localPort", "peers", NULL },
	.peer_keys = (const char *const[]){ "name", "peerAddress", "peerASN", "autoDiscovery",
	                                    "localAddress", "peerConfigRef", NULL },
	.peer_asn = true,
};

static const struct instance_shape override_shape = {
	.instance_keys =
	        (const char *const[]){ "name", "routerID", "localPort", "localASN", "peers", NULL },
	.peer_keys = (const char *const[]){ "name", "localAddress", "localPort", NULL },
	.peer_asn = false,
};

static void decode_auto_discovery(struct manifest_ctx *ctx, struct k8s_bgp_peer *p)
{
	static const char *const keys[] = { "mode", "defaultGateway", NULL };
	static const char *const gateway_keys[] = { "addressFamily", NULL };
	static const char *const modes[] = { "DefaultGateway", NULL };
	static const char *const families[] = { "ipv4", "ipv6", NULL };
	unsigned mode, family;

	if (!manifest_enter(ctx, 0, "autoDiscovery"))
		return;
	manifest_check_keys(ctx, keys);
	p->auto_discovery = manifest_get_enum(ctx, "mode", MANIFEST_REQUIRED, modes, &mode) == 1;
	if (manifest_enter(ctx, MANIFEST_REQUIRED, "defaultGateway")) {
		manifest_check_keys(ctx, gateway_keys);
		if (manifest_get_enum(ctx, "addressFamily", MANIFEST_REQUIRED, families, &family) ==
		    1)
			p->auto_discovery_af =
			        family == 0 ? BGP_AF_IPV4_UNICAST : BGP_AF_IPV6_UNICAST;
		manifest_leave(ctx);
	}
	manifest_leave(ctx);
}

/* v2alpha1 references also name a group and kind, which can only be
 * PeerConfig's. */
static void decode_peer_config_ref(struct manifest_ctx *ctx, struct k8s_bgp_peer *p)
{
	static const char *const keys[] = { "name", NULL };
	static const char *const alpha_keys[] = { "name", "group", "kind", NULL };
	static const char *const group[] = { "cilium.io", NULL };
	static const char *const kind[] = { "CiliumBGPPeerConfig", NULL };
	bool alpha = k8s_is_v2alpha1(ctx);
	unsigned unused;

	if (!manifest_enter(ctx, 0, "peerConfigRef"))
		return;
	manifest_check_keys(ctx, alpha ? alpha_keys : keys);
	manifest_get_string(ctx, "name", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &p->peer_config);
	if (alpha) {
		manifest_get_enum(ctx, "group", 0, group, &unused);
		manifest_get_enum(ctx, "kind", 0, kind, &unused);
	}
	manifest_leave(ctx);
}

static void decode_peer(struct manifest_ctx *ctx, const struct instance_shape *shape,
                        struct k8s_bgp_peer *p)
{
	manifest_check_keys(ctx, shape->peer_keys);
	get_name(ctx, &p->name);
	p->has_address = get_peer_address(ctx, "peerAddress", &p->address);
	p->has_asn = shape->peer_asn;
	manifest_get_u32(ctx, "peerASN", 0, 0, UINT32_MAX, &p->asn);
	decode_auto_discovery(ctx, p);
	decode_peer_config_ref(ctx, p);
	p->has_local_address = get_peer_address(ctx, "localAddress", &p->local_address);
	p->has_local_port = get_port(ctx, "localPort", &p->local_port);
}

static void decode_peers(struct manifest_ctx *ctx, const struct instance_shape *shape,
                         struct k8s_bgp_instance *inst)
{
	size_t n;

	if (manifest_get_list(ctx, "peers", 0, &n) != 1 ||
	    (inst->peers = k8s_alloc(ctx, "peers", n, sizeof(*inst->peers))) == NULL)
		return;
	inst->n_peers = n;
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "peers[%zu]", i))
			continue;
		decode_peer(ctx, shape, &inst->peers[i]);
		manifest_leave(ctx);
		check_unique_name(ctx, "peers", &inst->peers[0].name, sizeof(*inst->peers), i);
	}
}

static void decode_router_id(struct manifest_ctx *ctx, struct k8s_bgp_instance *inst)
{
	union sockaddr_any id;

	if (manifest_get_ip(ctx, "routerID", 0, &id) != 1)
		return;
	if (id.sa.sa_family != AF_INET) {
		manifest_errorf(ctx, "routerID", "must be an IPv4 address");
		return;
	}
	inst->has_router_id = true;
	inst->router_id = addr_ipv4(&id);
}

static void decode_instance(struct manifest_ctx *ctx, const struct instance_shape *shape,
                            struct k8s_bgp_instance *inst)
{
	manifest_check_keys(ctx, shape->instance_keys);
	get_name(ctx, &inst->name);
	inst->has_local_asn =
	        manifest_get_u32(ctx, "localASN", 0, 1, UINT32_MAX, &inst->local_asn) == 1;
	inst->has_local_port = get_port(ctx, "localPort", &inst->local_port);
	decode_router_id(ctx, inst);
	decode_peers(ctx, shape, inst);
}

static void decode_instances(struct manifest_ctx *ctx, const struct instance_shape *shape,
                             struct k8s_bgp_instance **out, size_t *n_out)
{
	size_t n;

	if (manifest_get_list(ctx, "bgpInstances", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &n) != 1)
		return;
	if (n > INSTANCES_MAX) {
		manifest_errorf(ctx, "bgpInstances", "must have at most %d items (got %zu)",
		                INSTANCES_MAX, n);
		return;
	}
	if ((*out = k8s_alloc(ctx, "bgpInstances", n, sizeof(**out))) == NULL)
		return;
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "bgpInstances[%zu]", i))
			continue;
		decode_instance(ctx, shape, &(*out)[i]);
		manifest_leave(ctx);
		check_unique_name(ctx, "bgpInstances", &(*out)[0].name, sizeof(**out), i);
	}
}

static void free_instances(struct k8s_bgp_instance *instances, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(instances[i].peers);
	free(instances);
}

void k8s_decode_cluster_config(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = { "nodeSelector", "bgpInstances", NULL };
	struct k8s_bgp_cluster_config *cc = &o->u.cluster_config;

	if (!enter_spec(ctx, keys))
		return;
	k8s_decode_selector(ctx, "nodeSelector", &cc->node_selector);
	decode_instances(ctx, &cluster_shape, &cc->instances, &cc->n_instances);
	manifest_leave(ctx);
}

void k8s_decode_node_config(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = { "bgpInstances", NULL };

	if (!enter_spec(ctx, keys))
		return;
	decode_instances(ctx, &node_shape, &o->u.node_config.instances,
	                 &o->u.node_config.n_instances);
	manifest_leave(ctx);
}

void k8s_decode_node_config_override(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = { "bgpInstances", NULL };

	if (!enter_spec(ctx, keys))
		return;
	decode_instances(ctx, &override_shape, &o->u.override.instances,
	                 &o->u.override.n_instances);
	manifest_leave(ctx);
}

/* ---- PeerConfig ---- */

static void decode_transport(struct manifest_ctx *ctx, struct k8s_bgp_peer_config *pc)
{
	static const char *const keys[] = { "peerPort", NULL };
	/* v2alpha1's localPort was deprecated and never used. */
	static const char *const alpha_keys[] = { "peerPort", "localPort", NULL };
	uint32_t port = pc->peer_port, unused;
	bool alpha = k8s_is_v2alpha1(ctx);

	if (!manifest_enter(ctx, 0, "transport"))
		return;
	manifest_check_keys(ctx, alpha ? alpha_keys : keys);
	get_defaulted(ctx, "peerPort", 1, UINT16_MAX, &port);
	if (alpha)
		manifest_get_u32(ctx, "localPort", 0, 0, UINT16_MAX, &unused);
	pc->peer_port = (uint16_t)port;
	manifest_leave(ctx);
}

static void decode_timers(struct manifest_ctx *ctx, struct k8s_bgp_peer_config *pc)
{
	static const char *const keys[] = { "connectRetryTimeSeconds", "holdTimeSeconds",
		                            "keepAliveTimeSeconds", NULL };
	uint32_t hold = pc->hold_time, keepalive = pc->keepalive;

	if (!manifest_enter(ctx, 0, "timers"))
		return;
	manifest_check_keys(ctx, keys);
	get_defaulted(ctx, "connectRetryTimeSeconds", 1, INT32_MAX, &pc->connect_retry);
	get_defaulted(ctx, "holdTimeSeconds", 3, UINT16_MAX, &hold);
	get_defaulted(ctx, "keepAliveTimeSeconds", 1, UINT16_MAX, &keepalive);
	pc->hold_time = (uint16_t)hold;
	pc->keepalive = (uint16_t)keepalive;
	manifest_leave(ctx);
	/* The CEL rule runs after defaulting: holdTimeSeconds 9 alone fails
	 * against the default keepalive of 30, as with the API server. */
	if (keepalive > hold)
		manifest_errorf(ctx, "timers",
		                "keepAliveTimeSeconds can not be larger than holdTimeSeconds");
}

static void decode_graceful_restart(struct manifest_ctx *ctx, struct k8s_bgp_peer_config *pc)
{
	static const char *const keys[] = { "enabled", "restartTimeSeconds", NULL };
	uint32_t restart = pc->restart_time;

	if (!manifest_enter(ctx, 0, "gracefulRestart"))
		return;
	manifest_check_keys(ctx, keys);
	manifest_get_bool(ctx, "enabled", MANIFEST_REQUIRED, &pc->graceful_restart);
	get_defaulted(ctx, "restartTimeSeconds", 1, 4095, &restart);
	pc->restart_time = (uint16_t)restart;
	manifest_leave(ctx);
}

static void decode_family(struct manifest_ctx *ctx, struct k8s_bgp_family *f)
{
	static const char *const keys[] = { "afi", "safi", "advertisements", NULL };
	unsigned afi = 0, safi = 0;

	manifest_check_keys(ctx, keys);
	manifest_get_enum(ctx, "afi", MANIFEST_REQUIRED, k8s_afi_names, &afi);
	manifest_get_enum(ctx, "safi", MANIFEST_REQUIRED, k8s_safi_names, &safi);
	f->afi = (enum k8s_afi)afi;
	f->safi = (enum k8s_safi)safi;
	k8s_decode_selector(ctx, "advertisements", &f->advertisements);
}

/* No families: IPv6 then IPv4 unicast, advertising nothing. */
static void default_families(struct manifest_ctx *ctx, struct k8s_bgp_peer_config *pc)
{
	if ((pc->families = k8s_alloc(ctx, "families", 2, sizeof(*pc->families))) == NULL)
		return;
	pc->families[0].afi = K8S_AFI_IPV6;
	pc->families[1].afi = K8S_AFI_IPV4;
	pc->n_families = 2;
}

static void decode_families(struct manifest_ctx *ctx, struct k8s_bgp_peer_config *pc)
{
	size_t n;

	if (manifest_get_list(ctx, "families", 0, &n) != 1 || n == 0) {
		default_families(ctx, pc);
		return;
	}
	if ((pc->families = k8s_alloc(ctx, "families", n, sizeof(*pc->families))) == NULL)
		return;
	pc->n_families = n;
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "families[%zu]", i))
			continue;
		decode_family(ctx, &pc->families[i]);
		manifest_leave(ctx);
	}
}

void k8s_decode_peer_config(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = {
		"transport", "timers", "authSecretRef", "gracefulRestart", "ebgpMultihop",
		"families",  NULL
	};
	struct k8s_bgp_peer_config *pc = &o->u.peer_config;
	uint32_t multihop = 1;

	*pc = (struct k8s_bgp_peer_config){ .peer_port = 179,
		                            .connect_retry = 120,
		                            .hold_time = 90,
		                            .keepalive = 30,
		                            .restart_time = 120 };
	if (!enter_spec(ctx, keys))
		return;
	decode_transport(ctx, pc);
	decode_timers(ctx, pc);
	manifest_get_string(ctx, "authSecretRef", MANIFEST_NONEMPTY, &pc->auth_secret);
	decode_graceful_restart(ctx, pc);
	get_defaulted(ctx, "ebgpMultihop", 1, UINT8_MAX, &multihop);
	pc->ebgp_multihop = (uint8_t)multihop;
	decode_families(ctx, pc);
	manifest_leave(ctx);
}

/* ---- Advertisement ---- */

static const char *const well_known_names[] = { "internet",
	                                        "planned-shut",
	                                        "accept-own",
	                                        "route-filter-translated-v4",
	                                        "route-filter-v4",
	                                        "route-filter-translated-v6",
	                                        "route-filter-v6",
	                                        "llgr-stale",
	                                        "no-llgr",
	                                        "blackhole",
	                                        "no-export",
	                                        "no-advertise",
	                                        "no-export-subconfed",
	                                        "no-peer",
	                                        NULL };
static const uint32_t well_known_values[] = {
	0x00000000, 0xffff0000, 0xffff0001, 0xffff0002, 0xffff0003, 0xffff0004, 0xffff0005,
	0xffff0006, 0xffff0007, 0xffff029a, 0xffffff01, 0xffffff02, 0xffffff03, 0xffffff04,
};

/* Decimal digits [s, s + len) up to max, without leading zeros as the
 * CRD patterns have them. */
static bool parse_decimal(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Up to n numbers separated by ':', each at most max; false unless
 * exactly n. */
static bool parse_numbers(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(s, ":");
		if (!parse_decimal(s, len, max, &out[i]) || (s[len] == ':') != (i + 1 < n))
			return false;
		s += len + 1;
	}
	return true;
}

/* "u32" or "0-65535:0-65535". */
static bool parse_standard(const char *s, uint32_t *value)
{
	uint32_t halves[2];

	if (parse_numbers(s, 1, UINT32_MAX, value))
		return true;
	if (!parse_numbers(s, 2, UINT16_MAX, halves))
		return false;
	*value = halves[0] << 16 | halves[1];
	return true;
}

/* Each item of the string list at path, written through parse. */
static void decode_community_list(struct manifest_ctx *ctx, const char *path, bool large,
                                  struct k8s_community *out, size_t *n_out)
{
	char item[PATH_MAX_LEN];
	size_t n;

	manifest_get_list(ctx, path, 0, &n);
	for (size_t i = 0; i < n; i++) {
		struct k8s_community *c = &out[*n_out];
		snprintf(item, sizeof(item), "%s[%zu]", path, i);
		if (manifest_get_string(ctx, item, 0, &c->text) != 1)
			continue;
		if (large ? parse_numbers(c->text, 3, UINT32_MAX, c->large)
		          : parse_standard(c->text, &c->value))
			(*n_out)++;
		else if (large)
			manifest_errorf(ctx, item,
			                "must be three numbers 0..4294967295 joined by ':' "
			                "(got \"%s\")",
			                c->text);
		else
			manifest_errorf(ctx, item,
			                "must be a number 0..4294967295, or two numbers "
			                "0..65535 joined by ':' (got \"%s\")",
			                c->text);
	}
}

static void decode_well_known(struct manifest_ctx *ctx, struct k8s_community *out, size_t *n_out)
{
	char item[PATH_MAX_LEN];
	unsigned which;
	size_t n;

	manifest_get_list(ctx, "wellKnown", 0, &n);
	for (size_t i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "wellKnown[%zu]", i);
		if (manifest_get_enum(ctx, item, 0, well_known_names, &which) != 1)
			continue;
		out[*n_out].text = well_known_names[which];
		out[*n_out].value = well_known_values[which];
		(*n_out)++;
	}
}

static size_t list_length(struct manifest_ctx *ctx, const char *path)
{
	size_t n;

	manifest_get_list(ctx, path, 0, &n);
	return n;
}

static void decode_communities(struct manifest_ctx *ctx, struct k8s_advert *a)
{
	static const char *const keys[] = { "standard", "wellKnown", "large", NULL };

	if (!manifest_enter(ctx, 0, "communities"))
		return;
	manifest_check_keys(ctx, keys);
	size_t n_std = list_length(ctx, "standard") + list_length(ctx, "wellKnown");
	size_t n_large = list_length(ctx, "large");
	a->communities = k8s_alloc(ctx, "standard", n_std, sizeof(*a->communities));
	a->large_communities = k8s_alloc(ctx, "large", n_large, sizeof(*a->large_communities));
	if ((n_std == 0 || a->communities != NULL) &&
	    (n_large == 0 || a->large_communities != NULL)) {
		decode_community_list(ctx, "standard", false, a->communities, &a->n_communities);
		decode_well_known(ctx, a->communities, &a->n_communities);
		decode_community_list(ctx, "large", true, a->large_communities,
		                      &a->n_large_communities);
	}
	manifest_leave(ctx);
}

static void decode_attributes(struct manifest_ctx *ctx, struct k8s_advert *a)
{
	static const char *const keys[] = { "communities", "localPreference", NULL };

	if (!manifest_enter(ctx, 0, "attributes"))
		return;
	manifest_check_keys(ctx, keys);
	decode_communities(ctx, a);
	a->has_local_pref = manifest_get_int(ctx, "localPreference", 0, INT64_MIN, INT64_MAX,
	                                     &a->local_pref) == 1;
	manifest_leave(ctx);
}

/* The CRD admits 0, but Cilium then ignores the length with a warning and
 * advertises host routes: refuse it so the manifest says what happens. */
static void get_aggregation(struct manifest_ctx *ctx, const char *path, int64_t max, int16_t *out)
{
	int64_t v;

	if (manifest_get_int(ctx, path, 0, 0, max, &v) != 1)
		return;
	if (v == 0)
		manifest_errorf(ctx, path,
		                "must be in 1..%" PRId64 " (got 0, which Cilium ignores "
		                "and advertises host routes; omit the field for those)",
		                max);
	else
		*out = (int16_t)v;
}

static void decode_service_addresses(struct manifest_ctx *ctx, struct k8s_advert *a)
{
	static const char *const types[] = { "LoadBalancerIP", "ClusterIP", "ExternalIP", NULL };
	char item[PATH_MAX_LEN];
	unsigned type;
	size_t n;

	if (manifest_get_list(ctx, "addresses", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &n) != 1)
		return;
	for (size_t i = 0; i < n; i++) {
		snprintf(item, sizeof(item), "addresses[%zu]", i);
		if (manifest_get_enum(ctx, item, 0, types, &type) != 1)
			continue;
		if (a->service_addresses & (1u << type)) {
			manifest_errorf(ctx, item, "duplicate value \"%s\"", types[type]);
			continue;
		}
		a->service_addresses |= (uint8_t)(1u << type);
		a->service_address_order[a->n_service_addresses++] = types[type];
	}
}

static void decode_service(struct manifest_ctx *ctx, struct k8s_advert *a)
{
	static const char *const keys[] = { "addresses", "aggregationLengthIPv4",
		                            "aggregationLengthIPv6", NULL };

	if (!manifest_enter(ctx, 0, "service"))
		return;
	manifest_check_keys(ctx, keys);
	decode_service_addresses(ctx, a);
	get_aggregation(ctx, "aggregationLengthIPv4", AGGREGATION4_MAX, &a->aggregation4);
	get_aggregation(ctx, "aggregationLengthIPv6", AGGREGATION6_MAX, &a->aggregation6);
	manifest_leave(ctx);
}

static void decode_advert(struct manifest_ctx *ctx, struct k8s_advert *a)
{
	static const char *const keys[] = { "advertisementType", "service", "selector",
		                            "attributes", NULL };
	unsigned type = 0;
	const json_t *service;

	manifest_check_keys(ctx, keys);
	a->aggregation4 = a->aggregation6 = -1;
	bool typed = manifest_get_enum(ctx, "advertisementType", MANIFEST_REQUIRED,
	                               k8s_advert_type_names, &type) == 1;
	a->type = (enum k8s_advert_type)type;
	decode_service(ctx, a);
	k8s_decode_selector(ctx, "selector", &a->selector);
	decode_attributes(ctx, a);
	if (typed && a->type == K8S_ADVERT_SERVICE &&
	    manifest_get_node(ctx, "service", 0, &service) != 1)
		manifest_errorf(ctx, "",
		                "service field is required for the 'Service' "
		                "advertisementType");
	if (typed && a->type == K8S_ADVERT_POD_CIDR && a->selector.present)
		manifest_errorf(ctx, "",
		                "selector field is not allowed for the 'PodCIDR' "
		                "advertisementType");
}

void k8s_decode_advertisement(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = { "advertisements", NULL };
	struct k8s_bgp_advertisement *ad = &o->u.advertisement;
	size_t n;

	if (!enter_spec(ctx, keys))
		return;
	if (manifest_get_list(ctx, "advertisements", MANIFEST_REQUIRED, &n) == 1 &&
	    (ad->adverts = k8s_alloc(ctx, "advertisements", n, sizeof(*ad->adverts))) != NULL) {
		ad->n_adverts = n;
		for (size_t i = 0; i < n; i++) {
			if (!manifest_enter(ctx, MANIFEST_REQUIRED, "advertisements[%zu]", i))
				continue;
			decode_advert(ctx, &ad->adverts[i]);
			manifest_leave(ctx);
		}
	}
	manifest_leave(ctx);
}

/* ---- LoadBalancerIPPool ---- */

static int address_cmp(const union sockaddr_any *a, const union sockaddr_any *b)
{
	if (a->sa.sa_family == AF_INET)
		return memcmp(&a->in.sin_addr, &b->in.sin_addr, sizeof(a->in.sin_addr));
	return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr));
}

static void decode_range(struct manifest_ctx *ctx, struct k8s_lb_block *b)
{
	if (manifest_get_ip(ctx, "start", MANIFEST_REQUIRED, &b->start) != 1)
		return;
	b->stop = b->start;
	if (manifest_get_ip(ctx, "stop", 0, &b->stop) != 1)
		return;
	if (b->stop.sa.sa_family != b->start.sa.sa_family)
		manifest_errorf(ctx, "stop", "must be of the same address family as start");
	else if (address_cmp(&b->stop, &b->start) < 0)
		manifest_errorf(ctx, "stop", "must not be below start");
}

static void decode_block(struct manifest_ctx *ctx, struct k8s_lb_block *b)
{
	static const char *const keys[] = { "cidr", "start", "stop", NULL };
	const json_t *cidr, *start, *stop;

	manifest_check_keys(ctx, keys);
	b->is_cidr = manifest_get_node(ctx, "cidr", 0, &cidr) == 1;
	bool ranged = manifest_get_node(ctx, "start", 0, &start) == 1 ||
	              manifest_get_node(ctx, "stop", 0, &stop) == 1;
	if (b->is_cidr && ranged)
		manifest_errorf(ctx, "cidr", "a block is either a cidr or a start/stop range");
	else if (b->is_cidr)
		manifest_get_prefix(ctx, "cidr", 0, &b->cidr);
	else
		decode_range(ctx, b);
}

void k8s_decode_lb_ip_pool(struct manifest_ctx *ctx, struct k8s_object *o)
{
	static const char *const keys[] = { "blocks", "allowFirstLastIPs", "serviceSelector",
		                            "disabled", NULL };
	static const char *const yes_no[] = { "Yes", "No", NULL };
	struct k8s_lb_ip_pool *pool = &o->u.pool;
	unsigned allow = 0;
	size_t n;

	if (!enter_spec(ctx, keys))
		return;
	if (manifest_get_list(ctx, "blocks", 0, &n) == 1 &&
	    (pool->blocks = k8s_alloc(ctx, "blocks", n, sizeof(*pool->blocks))) != NULL) {
		pool->n_blocks = n;
		for (size_t i = 0; i < n; i++) {
			if (!manifest_enter(ctx, MANIFEST_REQUIRED, "blocks[%zu]", i))
				continue;
			decode_block(ctx, &pool->blocks[i]);
			manifest_leave(ctx);
		}
	}
	manifest_get_enum(ctx, "allowFirstLastIPs", 0, yes_no, &allow);
	pool->allow_first_last = allow == 0;
	k8s_decode_selector(ctx, "serviceSelector", &pool->service_selector);
	manifest_get_bool(ctx, "disabled", 0, &pool->disabled);
	manifest_leave(ctx);
}

/* ---- freeing ---- */

static void free_advertisement(struct k8s_bgp_advertisement *ad)
{
	for (size_t i = 0; i < ad->n_adverts; i++) {
		k8s_selector_free(&ad->adverts[i].selector);
		free(ad->adverts[i].communities);
		free(ad->adverts[i].large_communities);
	}
	free(ad->adverts);
}

static void free_peer_config(struct k8s_bgp_peer_config *pc)
{
	for (size_t i = 0; i < pc->n_families; i++)
		k8s_selector_free(&pc->families[i].advertisements);
	free(pc->families);
}

void k8s_free_bgp(struct k8s_object *o)
{
	switch (o->kind) {
	case K8S_BGP_CLUSTER_CONFIG:
		k8s_selector_free(&o->u.cluster_config.node_selector);
		free_instances(o->u.cluster_config.instances, o->u.cluster_config.n_instances);
		break;
	case K8S_BGP_PEER_CONFIG:
		free_peer_config(&o->u.peer_config);
		break;
	case K8S_BGP_ADVERTISEMENT:
		free_advertisement(&o->u.advertisement);
		break;
	case K8S_BGP_NODE_CONFIG:
		free_instances(o->u.node_config.instances, o->u.node_config.n_instances);
		break;
	case K8S_BGP_NODE_CONFIG_OVERRIDE:
		free_instances(o->u.override.instances, o->u.override.n_instances);
		break;
	case K8S_LB_IP_POOL:
		k8s_selector_free(&o->u.pool.service_selector);
		free(o->u.pool.blocks);
		break;
	default:
		break;
	}
}
