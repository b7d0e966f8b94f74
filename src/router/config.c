/*
 * config: BGPRouter manifests to struct router_config.  Every field is read
 * through the manifest getters, so each problem is reported with its file,
 * line and field path, and all of them are reported in one run.
 */
#include "router/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/manifest.h"
#include "router/config_impl.h"

#define CONFIG_FILE_MAX (1u << 20)
#define LIST_MAX        1024

static const char *const spec_keys[] = { "localASN",
	                                 "routerID",
	                                 "listen",
	                                 "gracefulRestart",
	                                 "ebgpRequiresPolicy",
	                                 "bestPath",
	                                 "maximumPaths",
	                                 "networks",
	                                 "fib",
	                                 "peerGroups",
	                                 "policies",
	                                 "networkImportCheck",
	                                 NULL };
static const char *const group_keys[] = {
	"name",           "remoteASN",       "neighbors", "listenRanges", "timers",
	"ebgpMultihop",   "ttlSecurityHops", "families",  "authPassword", "authSecretRef",
	"passive",        "peerPort",        "shutdown",  "localAddress", "maxPrefixes",
	"importPolicies", "exportPolicies",  "allowASIn", NULL,
};

static char *read_file(const char *path, size_t *len, FILE *errors)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(errors, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(CONFIG_FILE_MAX + 1);
	*len = text != NULL ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (text != NULL && *len > CONFIG_FILE_MAX) {
		fprintf(errors, "%s: larger than %u bytes\n", path, CONFIG_FILE_MAX);
		free(text);
		return NULL;
	}
	return text;
}

/* remoteASN: "external", "internal", a number, or 0 for any. */
static void decode_remote_asn(struct manifest_ctx *ctx, struct router_group *g)
{
	static const char *const kinds[] = { "external", "internal", NULL };
	const json_t *node;
	unsigned kind;

	if (manifest_get_node(ctx, "remoteASN", MANIFEST_REQUIRED, &node) != 1)
		return;
	if (json_is_string(node)) {
		if (manifest_get_enum(ctx, "remoteASN", 0, kinds, &kind) == 1)
			g->as_kind = kind == 0 ? BGP_PEER_AS_EXTERNAL : BGP_PEER_AS_INTERNAL;
		return;
	}
	/* 0, as Cilium's peerASN 0: whatever AS the peer's OPEN says. */
	if (manifest_get_u32(ctx, "remoteASN", 0, 0, UINT32_MAX, &g->asn) == 1)
		g->as_kind = g->asn == 0 ? BGP_PEER_AS_ANY : BGP_PEER_AS_NUMBER;
}

static void decode_timers(struct manifest_ctx *ctx, struct router_group *g)
{
	static const char *const keys[] = { "holdTimeSeconds", "keepAliveTimeSeconds",
		                            "connectRetryTimeSeconds",
		                            "advertisementIntervalSeconds", NULL };
	uint32_t hold = 180, keepalive = 0, retry = 120, mrai = 0;

	if (manifest_enter(ctx, 0, "timers")) {
		manifest_check_keys(ctx, keys);
		if (manifest_get_u32(ctx, "holdTimeSeconds", 0, 0, 65535, &hold) == 1 && hold > 0 &&
		    hold < 3)
			manifest_errorf(ctx, "holdTimeSeconds", "must be 0 or 3..65535");
		manifest_get_u32(ctx, "keepAliveTimeSeconds", 0, 1, 65535, &keepalive);
		manifest_get_u32(ctx, "connectRetryTimeSeconds", 0, 1, 65535, &retry);
		manifest_get_u32(ctx, "advertisementIntervalSeconds", 0, 0, 600, &mrai);
		if (keepalive > hold && hold != 0)
			manifest_errorf(ctx, "keepAliveTimeSeconds",
			                "must not exceed the hold time");
		manifest_leave(ctx);
	}
	g->hold_time = (uint16_t)hold;
	g->keepalive = (uint16_t)keepalive;
	g->connect_retry = (uint16_t)retry;
	g->advertisement_interval = (uint16_t)mrai;
}

static void decode_families(struct manifest_ctx *ctx, struct router_group *g)
{
	static const char *const keys[] = { "afi", "safi", NULL };
	static const char *const afis[] = { "ipv4", "ipv6", NULL };
	static const char *const safis[] = { "unicast", NULL };
	size_t n;

	g->families = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	if (manifest_get_list(ctx, "families", MANIFEST_NONEMPTY, &n) != 1)
		return;
	g->families = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned afi = 0, safi = 0;
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "families[%zu]", i))
			continue;
		manifest_check_keys(ctx, keys);
		manifest_get_enum(ctx, "afi", MANIFEST_REQUIRED, afis, &afi);
		manifest_get_enum(ctx, "safi", MANIFEST_REQUIRED, safis, &safi);
		g->families |=
		        (uint8_t)BGP_AF_BIT(afi == 0 ? BGP_AF_IPV4_UNICAST : BGP_AF_IPV6_UNICAST);
		manifest_leave(ctx);
	}
}

static void read_secret_file(struct manifest_ctx *ctx, const char *path, struct router_group *g)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		manifest_errorf(ctx, "authSecretRef.file", "%s: %s", path, strerror(errno));
		return;
	}
	size_t n = fread(g->md5_key, 1, sizeof(g->md5_key) - 1, f);
	int more = fgetc(f);
	fclose(f);
	g->md5_key[n] = '\0';
	g->md5_key[strcspn(g->md5_key, "\n")] = '\0';
	if (g->md5_key[0] == '\0' || (more != EOF && more != '\n'))
		manifest_errorf(ctx, "authSecretRef.file", "%s: the key must be 1..%d bytes", path,
		                BGP_MD5_KEY_MAX);
}

static void decode_auth(struct manifest_ctx *ctx, struct router_group *g)
{
	static const char *const keys[] = { "file", NULL };
	const char *password = NULL, *file = NULL;

	if (manifest_get_string(ctx, "authPassword", MANIFEST_NONEMPTY, &password) == 1) {
		if (strlen(password) > BGP_MD5_KEY_MAX)
			manifest_errorf(ctx, "authPassword", "must be at most %d bytes",
			                BGP_MD5_KEY_MAX);
		else
			snprintf(g->md5_key, sizeof(g->md5_key), "%s", password);
	}
	if (!manifest_enter(ctx, 0, "authSecretRef"))
		return;
	manifest_check_keys(ctx, keys);
	if (manifest_get_string(ctx, "file", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &file) == 1) {
		manifest_leave(ctx);
		if (password != NULL)
			manifest_errorf(ctx, "authSecretRef", "authPassword is already set");
		else
			read_secret_file(ctx, file, g);
		return;
	}
	manifest_leave(ctx);
}

static void *list_alloc(size_t n, size_t size)
{
	return n == 0 ? NULL : calloc(n, size);
}

static void decode_addresses(struct manifest_ctx *ctx, struct router_group *g)
{
	size_t n;
	const char *items[LIST_MAX];

	if (manifest_get_strings(ctx, "neighbors", 0, items, LIST_MAX, &n) == 1) {
		g->neighbors = list_alloc(n, sizeof(*g->neighbors));
		for (size_t i = 0; i < n; i++) {
			char path[32];
			snprintf(path, sizeof(path), "neighbors[%zu]", i);
			if (manifest_get_ip(ctx, path, 0, &g->neighbors[g->n_neighbors]) == 1)
				g->n_neighbors++;
		}
	}
	if (manifest_get_strings(ctx, "listenRanges", 0, items, LIST_MAX, &n) == 1) {
		g->listen_ranges = list_alloc(n, sizeof(*g->listen_ranges));
		for (size_t i = 0; i < n; i++) {
			if (addr_range_parse(items[i], &g->listen_ranges[g->n_listen_ranges]) == 0)
				g->n_listen_ranges++;
			else
				manifest_errorf(ctx, "listenRanges",
				                "\"%s\" is not a prefix with zero host bits",
				                items[i]);
		}
	}
}

static void decode_max_prefixes(struct manifest_ctx *ctx, struct router_group *g)
{
	static const char *const keys[] = { "limit", "restartSeconds", "warningOnly", NULL };
	uint32_t restart = 0;

	if (!manifest_enter(ctx, 0, "maxPrefixes"))
		return;
	manifest_check_keys(ctx, keys);
	manifest_get_u32(ctx, "limit", MANIFEST_REQUIRED, 1, UINT32_MAX, &g->max_prefixes);
	manifest_get_u32(ctx, "restartSeconds", 0, 1, 65535, &restart);
	manifest_get_bool(ctx, "warningOnly", 0, &g->max_prefixes_warning_only);
	g->max_prefixes_restart = (uint16_t)restart;
	manifest_leave(ctx);
}

static void decode_group(struct manifest_ctx *ctx, const struct router_config *c,
                         struct router_group *g)
{
	const char *name = "";
	uint32_t multihop = 1, gtsm = 0, port = 179, allowas_in = 0;

	manifest_check_keys(ctx, group_keys);
	if (manifest_get_string(ctx, "name", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &name) == 1) {
		if (strlen(name) >= sizeof(g->name) ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                 "abcdefghijklmnopqrstuvwxyz"
		                 "0123456789_.-") != strlen(name))
			manifest_errorf(ctx, "name", "must be 1..63 of A-Z a-z 0-9 _ . -");
		snprintf(g->name, sizeof(g->name), "%s", name);
	}
	decode_remote_asn(ctx, g);
	decode_addresses(ctx, g);
	if (g->n_neighbors == 0 && g->n_listen_ranges == 0)
		manifest_errorf(ctx, "", "needs neighbors or listenRanges");
	decode_timers(ctx, g);
	manifest_get_u32(ctx, "ebgpMultihop", 0, 1, 255, &multihop);
	manifest_get_u32(ctx, "allowASIn", 0, 0, 10, &allowas_in);
	if (manifest_get_u32(ctx, "ttlSecurityHops", 0, 1, 254, &gtsm) == 1 && multihop > 1)
		manifest_errorf(ctx, "ttlSecurityHops", "cannot be used with ebgpMultihop");
	decode_families(ctx, g);
	decode_auth(ctx, g);
	manifest_get_bool(ctx, "passive", 0, &g->passive);
	manifest_get_u32(ctx, "peerPort", 0, 1, 65535, &port);
	manifest_get_bool(ctx, "shutdown", 0, &g->shutdown);
	g->has_local_address = manifest_get_ip(ctx, "localAddress", 0, &g->local_address) == 1;
	decode_max_prefixes(ctx, g);
	config_decode_chain(ctx, c, "importPolicies", &g->import_policies, &g->n_import_policies);
	config_decode_chain(ctx, c, "exportPolicies", &g->export_policies, &g->n_export_policies);
	if (config_index_chains(g) < 0)
		manifest_errorf(ctx, "", "out of memory");
	g->ebgp_multihop = (uint8_t)multihop;
	g->ttl_security_hops = (uint8_t)gtsm;
	g->allowas_in = (uint8_t)allowas_in;
	g->peer_port = (uint16_t)port;
}

/* Names and neighbour addresses must be unique across groups. */
static void check_groups_unique(struct manifest_ctx *ctx, const struct router_config *c)
{
	char text[ADDR_TEXT_MAX];
	for (size_t i = 0; i < c->n_groups; i++) {
		const struct router_group *g = &c->groups[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->groups[j].name, g->name) == 0)
				manifest_errorf(ctx, "peerGroups", "group name %s used twice",
				                g->name);
		for (size_t k = 0; k < g->n_neighbors; k++)
			for (size_t j = 0; j <= i; j++)
				for (size_t m = 0; m < (j == i ? k : c->groups[j].n_neighbors); m++)
					if (addr_equal(&c->groups[j].neighbors[m],
					               &g->neighbors[k]))
						manifest_errorf(ctx, "peerGroups",
						                "neighbor %s listed twice",
						                addr_text(&g->neighbors[k], text));
	}
}

static void decode_groups(struct manifest_ctx *ctx, struct router_config *c)
{
	size_t n;
	if (manifest_get_list(ctx, "peerGroups", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &n) != 1)
		return;
	c->groups = list_alloc(n, sizeof(*c->groups));
	for (size_t i = 0; i < n; i++) {
		if (!manifest_enter(ctx, MANIFEST_REQUIRED, "peerGroups[%zu]", i))
			continue;
		decode_group(ctx, c, &c->groups[c->n_groups++]);
		manifest_leave(ctx);
	}
	check_groups_unique(ctx, c);
}

static void decode_listen(struct manifest_ctx *ctx, struct router_config *c)
{
	static const char *const keys[] = { "port", "addresses", NULL };
	uint32_t port = 179;
	size_t n = 0;

	addr_parse("0.0.0.0", 0, &c->listen[0]);
	addr_parse("::", 0, &c->listen[1]);
	c->n_listen = 2;
	if (!manifest_enter(ctx, 0, "listen"))
		goto done;
	manifest_check_keys(ctx, keys);
	manifest_get_u32(ctx, "port", 0, 0, 65535, &port);
	if (manifest_get_list(ctx, "addresses", MANIFEST_NONEMPTY, &n) == 1) {
		c->n_listen = 0;
		for (size_t i = 0; i < n && i < sizeof(c->listen) / sizeof(c->listen[0]); i++) {
			char path[32];
			snprintf(path, sizeof(path), "addresses[%zu]", i);
			if (manifest_get_ip(ctx, path, 0, &c->listen[c->n_listen]) == 1)
				c->n_listen++;
		}
		if (n > sizeof(c->listen) / sizeof(c->listen[0]))
			manifest_errorf(ctx, "addresses", "at most 8 addresses");
	}
	manifest_leave(ctx);
done:
	c->listen_port = (uint16_t)port;
	if (port == 0)
		c->n_listen = 0;
}

static void decode_networks(struct manifest_ctx *ctx, struct router_config *c)
{
	size_t n;
	if (manifest_get_list(ctx, "networks", 0, &n) != 1)
		return;
	c->networks = list_alloc(n, sizeof(*c->networks));
	for (size_t i = 0; i < n; i++) {
		char path[32];
		snprintf(path, sizeof(path), "networks[%zu]", i);
		if (manifest_get_prefix(ctx, path, 0, &c->networks[c->n_networks]) == 1)
			c->n_networks++;
	}
}

static void decode_fib_table(struct manifest_ctx *ctx, struct fib_cfg *f)
{
	static const char *const tables[] = { "main", "local", NULL };
	const json_t *table;
	unsigned named;

	if (manifest_get_node(ctx, "table", 0, &table) != 1)
		return;
	if (!json_is_string(table))
		manifest_get_u32(ctx, "table", 0, 1, UINT32_MAX, &f->table);
	else if (manifest_get_enum(ctx, "table", 0, tables, &named) == 1)
		f->table = named == 0 ? 254 : 255;
}

/* 0..4 are the kernel's own and static routes: never ours to manage. */
static void decode_fib_protocol(struct manifest_ctx *ctx, struct fib_cfg *f)
{
	static const char *const names[] = { "bgp", NULL };
	const json_t *proto;
	unsigned named;
	uint32_t number;

	if (manifest_get_node(ctx, "protocol", 0, &proto) != 1)
		return;
	if (json_is_string(proto)) {
		if (manifest_get_enum(ctx, "protocol", 0, names, &named) == 1)
			f->protocol = FIB_PROTO_BGP;
	} else if (manifest_get_u32(ctx, "protocol", 0, 5, 255, &number) == 1) {
		f->protocol = (uint8_t)number;
	}
}

static void decode_fib_hash(struct manifest_ctx *ctx, struct fib_cfg *f)
{
	static const char *const keys[] = { "ipv4", "ipv6", NULL };
	uint32_t v;

	if (!manifest_enter(ctx, 0, "multipathHashPolicy"))
		return;
	manifest_check_keys(ctx, keys);
	if (manifest_get_u32(ctx, "ipv4", 0, 0, 3, &v) == 1)
		f->hash_policy4 = (int)v;
	if (manifest_get_u32(ctx, "ipv6", 0, 0, 3, &v) == 1)
		f->hash_policy6 = (int)v;
	manifest_leave(ctx);
}

static void decode_fib(struct manifest_ctx *ctx, struct router_config *c)
{
	static const char *const keys[] = { "install",  "table",          "metric",
		                            "protocol", "nexthopObjects", "multipathHashPolicy",
		                            NULL };

	c->fib_install = true;
	fib_cfg_default(&c->fib);
	if (!manifest_enter(ctx, 0, "fib"))
		return;
	manifest_check_keys(ctx, keys);
	manifest_get_bool(ctx, "install", 0, &c->fib_install);
	decode_fib_table(ctx, &c->fib);
	manifest_get_u32(ctx, "metric", 0, 0, UINT32_MAX, &c->fib.metric);
	decode_fib_protocol(ctx, &c->fib);
	manifest_get_bool(ctx, "nexthopObjects", 0, &c->fib.nexthop_objects);
	decode_fib_hash(ctx, &c->fib);
	manifest_leave(ctx);
}

static void decode_small_sections(struct manifest_ctx *ctx, struct router_config *c)
{
	static const char *const gr_keys[] = { "enabled", "restartTimeSeconds",
		                               "selectionDeferralSeconds", NULL };
	static const char *const bp_keys[] = { "asPathMultipathRelax", NULL };
	uint32_t restart = 120, deferral = 360, paths = 1;

	if (manifest_enter(ctx, 0, "gracefulRestart")) {
		manifest_check_keys(ctx, gr_keys);
		manifest_get_bool(ctx, "enabled", 0, &c->graceful_restart);
		manifest_get_u32(ctx, "restartTimeSeconds", 0, 1, 4095, &restart);
		manifest_get_u32(ctx, "selectionDeferralSeconds", 0, 1, 3600, &deferral);
		manifest_leave(ctx);
	}
	if (manifest_enter(ctx, 0, "bestPath")) {
		manifest_check_keys(ctx, bp_keys);
		manifest_get_bool(ctx, "asPathMultipathRelax", 0, &c->as_path_multipath_relax);
		manifest_leave(ctx);
	}
	c->ebgp_requires_policy = true;
	manifest_get_bool(ctx, "ebgpRequiresPolicy", 0, &c->ebgp_requires_policy);
	c->network_import_check = true;
	manifest_get_bool(ctx, "networkImportCheck", 0, &c->network_import_check);
	manifest_get_u32(ctx, "maximumPaths", 0, 1, 64, &paths);
	c->restart_time = (uint16_t)restart;
	c->selection_deferral = (uint16_t)deferral;
	c->maximum_paths = (uint8_t)paths;
}

static void decode_spec(struct manifest_ctx *ctx, struct router_config *c)
{
	union sockaddr_any id;

	if (!manifest_enter(ctx, MANIFEST_REQUIRED, "spec"))
		return;
	manifest_check_keys(ctx, spec_keys);
	manifest_get_u32(ctx, "localASN", MANIFEST_REQUIRED, 1, UINT32_MAX, &c->asn);
	if (manifest_get_ip(ctx, "routerID", MANIFEST_REQUIRED, &id) == 1) {
		c->router_id = addr_ipv4(&id);
		if (c->router_id == 0)
			manifest_errorf(ctx, "routerID", "must be a non-zero IPv4 address");
	}
	decode_listen(ctx, c);
	decode_small_sections(ctx, c);
	decode_networks(ctx, c);
	decode_fib(ctx, c);
	config_decode_policies(ctx, c);
	decode_groups(ctx, c);
	manifest_leave(ctx);
}

/* The name becomes part of file names in the run directory. */
static void decode_name(struct manifest_ctx *ctx, const struct manifest_obj *obj,
                        struct router_config *c)
{
	const char *name = obj->name != NULL ? obj->name : "router";
	size_t len = strlen(name);
	if (len == 0 || len >= sizeof(c->name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-.") != len || name[0] == '.') {
		manifest_errorf(ctx, "metadata.name",
		                "must be 1..63 of a-z 0-9 - . and not start with a dot");
		return;
	}
	memcpy(c->name, name, len + 1);
}

static const struct manifest_obj *find_router(struct manifest_set *set, const char *path,
                                              FILE *errors)
{
	const struct manifest_obj *found = NULL;
	for (size_t i = 0; i < set->n_objs; i++) {
		const struct manifest_obj *o = &set->objs[i];
		struct manifest_ctx ctx;
		manifest_ctx_init(&ctx, set, o);
		if (strcmp(o->kind, "BGPRouter") != 0 ||
		    strcmp(o->api_version, "kbgp.io/v1alpha1") != 0)
			manifest_errorf(&ctx, "kind",
			                "expected kind BGPRouter of kbgp.io/v1alpha1");
		else if (found != NULL)
			manifest_errorf(&ctx, "kind", "a second BGPRouter; one file holds one");
		else
			found = o;
	}
	if (found == NULL && set->n_errors == 0)
		fprintf(errors, "%s: no BGPRouter object\n", path);
	return found;
}

int router_config_load(const char *path, struct router_config *out, FILE *errors)
{
	struct manifest_set set;
	size_t len;
	char *text = read_file(path, &len, errors);

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return -1;
	snprintf(out->path, sizeof(out->path), "%s", path);
	manifest_set_init(&set, NULL);
	manifest_load(&set, path, text, len);
	const struct manifest_obj *obj = find_router(&set, path, errors);
	if (obj != NULL) {
		struct manifest_ctx ctx;
		manifest_ctx_init(&ctx, &set, obj);
		decode_name(&ctx, obj, out);
		decode_spec(&ctx, out);
	}
	int rc = obj != NULL && set.n_errors == 0 ? 0 : -1;
	manifest_errors_print(&set, errors);
	manifest_set_free(&set);
	free(text);
	if (rc < 0)
		router_config_free(out);
	return rc;
}

void router_config_free(struct router_config *c)
{
	for (size_t i = 0; i < c->n_groups; i++) {
		free(c->groups[i].neighbors);
		free(c->groups[i].listen_ranges);
		free(c->groups[i].import_policies);
		free(c->groups[i].export_policies);
		policy_index_free(&c->groups[i].import_index);
		policy_index_free(&c->groups[i].export_index);
	}
	for (size_t i = 0; i < c->n_policies; i++)
		policy_free(&c->policies[i]);
	free(c->policies);
	free(c->groups);
	free(c->networks);
	memset(c, 0, sizeof(*c));
}
