/*
 * resources: kubectl's `get` views (resources.h).  Each kind is one row of
 * the views table: the words kubectl knows it by and the cells of its
 * columns, read from the object as the API server would store it (its
 * root, with the status overlays merged), since that is what kubectl's
 * columns are defined on.
 */
#include "ctl/resources.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/tabwriter.h"
#include "ctl/yaml_out.h"
#include "lib/sbuf.h"

/* kubectl's printers.GetNewTabWriter: minwidth 6, padding 3; every row
 * ends in its last cell, so no trailing padding. */
#define TW_KUBECTL ((struct tw_settings){ .minwidth = 6, .padding = 3 })

/* kubectl's loadBalancerWidth: longer LoadBalancer addresses are cut. */
#define LB_WIDTH 16

#define COND_POOL_CONFLICT "cilium.io/PoolConflict"
#define COND_IPS_AVAILABLE "cilium.io/IPsAvailable"

/* ---- reading the stored object ---- */

/* The value at root.key1.key2... (NULL-terminated keys), or NULL. */
static const json_t *dig(const json_t *root, ...)
{
	const json_t *v = root;
	va_list ap;
	va_start(ap, root);
	for (const char *key; v != NULL && (key = va_arg(ap, const char *)) != NULL;)
		v = json_object_get(v, key);
	va_end(ap);
	return v;
}

static const char *text_or(const json_t *v, const char *fallback)
{
	return json_is_string(v) ? json_string_value(v) : fallback;
}

/* A field of the first status condition of that type, as kubectl's
 * jsonpath `.status.conditions[?(@.type=="T")].FIELD` finds it. */
static const json_t *condition_field(const json_t *root, const char *type, const char *field)
{
	const json_t *conditions = dig(root, "status", "conditions", NULL);
	size_t i;
	const json_t *c;
	json_array_foreach(conditions, i, c)
	{
		if (strcmp(text_or(json_object_get(c, "type"), ""), type) == 0)
			return json_object_get(c, field);
	}
	return NULL;
}

static int text_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* items sorted, without repeats, joined by commas (Go's sets.String.List). */
static void join_sorted_set(struct sbuf *b, const char **items, size_t n)
{
	qsort(items, n, sizeof(*items), text_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(items[i], items[i - 1]) != 0)
			sbuf_printf(b, "%s%s", b->len > 0 ? "," : "", items[i]);
}

static void join_strings(struct sbuf *b, const json_t *list)
{
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v) sbuf_printf(b, "%s%s", i > 0 ? "," : "", text_or(v, ""));
}

/* ---- AGE ---- */

/* Go's time.Parse(time.RFC3339): seconds, optional fraction, Z or ±hh:mm. */
static bool parse_rfc3339(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long offset = 0;
	if (rest == NULL)
		return false;
	if (*rest == '.' && isdigit((unsigned char)rest[1]))
		for (rest++; isdigit((unsigned char)*rest); rest++)
			;
	if (*rest == 'Z') {
		rest++;
	} else {
		int hh, mm, used = 0;
		if ((*rest != '+' && *rest != '-') ||
		    sscanf(rest + 1, "%2d:%2d%n", &hh, &mm, &used) != 2 || used != 5)
			return false;
		offset = (*rest == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
		rest += 6;
	}
	*t = timegm(&tm) - offset;
	return *rest == '\0';
}

/* apimachinery's duration.HumanDuration, below three hours. */
static bool human_minutes(long long s, char out[RES_AGE_MAX])
{
	long long m = s / 60;
	if (s < -1)
		snprintf(out, RES_AGE_MAX, "<invalid>");
	else if (s < 0)
		snprintf(out, RES_AGE_MAX, "0s"); /* clocks a second apart: now */
	else if (s < 120)
		snprintf(out, RES_AGE_MAX, "%llds", s);
	else if (m < 10 && s % 60 != 0)
		snprintf(out, RES_AGE_MAX, "%lldm%llds", m, s % 60);
	else if (m < 180)
		snprintf(out, RES_AGE_MAX, "%lldm", m);
	else
		return false;
	return true;
}

/* ... and from three hours on: ~2-3 significant figures. */
static void human_hours(long long s, char out[RES_AGE_MAX])
{
	long long h = s / 3600, d = h / 24, y = d / 365;
	if (h < 8 && s / 60 % 60 != 0)
		snprintf(out, RES_AGE_MAX, "%lldh%lldm", h, s / 60 % 60);
	else if (h < 48)
		snprintf(out, RES_AGE_MAX, "%lldh", h);
	else if (h < 24 * 8 && h % 24 != 0)
		snprintf(out, RES_AGE_MAX, "%lldd%lldh", d, h % 24);
	else if (h < 24 * 365 * 2)
		snprintf(out, RES_AGE_MAX, "%lldd", d);
	else if (h < 24 * 365 * 8 && d % 365 != 0)
		snprintf(out, RES_AGE_MAX, "%lldy%lldd", y, d % 365);
	else
		snprintf(out, RES_AGE_MAX, "%lldy", y);
}

void res_age(const char *timestamp, time_t now, char out[RES_AGE_MAX])
{
	time_t created;
	if (timestamp == NULL)
		snprintf(out, RES_AGE_MAX, "<unknown>");
	else if (!parse_rfc3339(timestamp, &created))
		snprintf(out, RES_AGE_MAX, "<invalid>");
	else if (!human_minutes((long long)now - (long long)created, out))
		human_hours((long long)now - (long long)created, out);
}

/* ---- the cells of each kind (after NAME) ---- */

static void nodeconfig_cells(struct tabwriter *tw, const struct k8s_object *o, const char *age)
{
	(void)o;
	tw_puts(tw, age);
}

/* Printer columns of the CRD; a jsonpath that finds nothing is an empty
 * cell.  spec.disabled defaults to false on the API server. */
static void pool_cells(struct tabwriter *tw, const struct k8s_object *o, const char *age)
{
	const json_t *root = o->src->root;
	tw_printf(tw, "%s\t%s\t%s\t%s", o->u.pool.disabled ? "true" : "false",
	          text_or(condition_field(root, COND_POOL_CONFLICT, "status"), ""),
	          text_or(condition_field(root, COND_IPS_AVAILABLE, "message"), ""), age);
}

static const char *const service_types[] = { "ClusterIP", "NodePort", "LoadBalancer",
	                                     "ExternalName" };

/* clusterIPs[0] as the API server fills it from clusterIP ("None" too). */
static const char *cluster_ip(const json_t *spec)
{
	const char *first = text_or(json_array_get(json_object_get(spec, "clusterIPs"), 0), "");
	const char *one = text_or(json_object_get(spec, "clusterIP"), "");
	return first[0] != '\0' ? first : one[0] != '\0' ? one : "<none>";
}

/* The ingress addresses, sorted, cut to LB_WIDTH (loadBalancerStatusStringer). */
static void lb_addresses(struct sbuf *b, const json_t *root)
{
	const json_t *ingress = dig(root, "status", "loadBalancer", "ingress", NULL);
	const char *items[64];
	size_t n = 0, i;
	const json_t *in;
	json_array_foreach(ingress, i, in)
	{
		const char *ip = text_or(json_object_get(in, "ip"), "");
		const char *host = text_or(json_object_get(in, "hostname"), "");
		if (n < sizeof(items) / sizeof(items[0]) && (ip[0] != '\0' || host[0] != '\0'))
			items[n++] = ip[0] != '\0' ? ip : host;
	}
	char all[1024];
	struct sbuf joined;
	sbuf_init(&joined, all, sizeof(all));
	join_sorted_set(&joined, items, n);
	if (joined.len > LB_WIDTH)
		sbuf_printf(b, "%.*s...", LB_WIDTH - 3, all);
	else
		sbuf_puts(b, all);
}

static void external_ip(struct sbuf *b, const struct k8s_object *o)
{
	const json_t *spec = json_object_get(o->src->root, "spec");
	const json_t *external = json_object_get(spec, "externalIPs");
	switch (o->u.service.type) {
	case K8S_SVC_LOAD_BALANCER:
		lb_addresses(b, o->src->root);
		if (json_array_size(external) > 0 && b->len > 0)
			sbuf_puts(b, ",");
		join_strings(b, external);
		sbuf_puts(b, b->len == 0 ? "<pending>" : "");
		break;
	case K8S_SVC_EXTERNAL_NAME:
		sbuf_puts(b, text_or(json_object_get(spec, "externalName"), ""));
		break;
	default:
		join_strings(b, external);
		sbuf_puts(b, b->len == 0 ? "<none>" : "");
	}
}

/* "80:31234/TCP,443/TCP" (makePortString); the protocol defaults to TCP. */
static void ports(struct sbuf *b, const json_t *spec)
{
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(spec, "ports"), i, p)
	{
		json_int_t node_port = json_integer_value(json_object_get(p, "nodePort"));
		sbuf_printf(b, "%s%" JSON_INTEGER_FORMAT, i > 0 ? "," : "",
		            json_integer_value(json_object_get(p, "port")));
		if (node_port > 0)
			sbuf_printf(b, ":%" JSON_INTEGER_FORMAT, node_port);
		sbuf_printf(b, "/%s", text_or(json_object_get(p, "protocol"), "TCP"));
	}
	sbuf_puts(b, b->len == 0 ? "<none>" : "");
}

static void service_cells(struct tabwriter *tw, const struct k8s_object *o, const char *age)
{
	const json_t *spec = json_object_get(o->src->root, "spec");
	char ext[1024], port_text[1024];
	struct sbuf e, p;
	sbuf_init(&e, ext, sizeof(ext));
	sbuf_init(&p, port_text, sizeof(port_text));
	external_ip(&e, o);
	ports(&p, spec);
	tw_printf(tw, "%s\t%s\t%s\t%s\t%s", service_types[o->u.service.type], cluster_ip(spec), ext,
	          port_text, age);
}

/* "Ready", "NotReady" or "Unknown", then ",SchedulingDisabled". */
static void node_status(struct sbuf *b, const struct k8s_object *o)
{
	const json_t *ready = condition_field(o->src->root, "Ready", "status");
	if (ready == NULL)
		sbuf_puts(b, "Unknown");
	else
		sbuf_puts(b, strcmp(text_or(ready, ""), "True") == 0 ? "Ready" : "NotReady");
	if (o->u.node.unschedulable)
		sbuf_puts(b, ",SchedulingDisabled");
}

/* node-role.kubernetes.io/ROLE labels and kubernetes.io/role=ROLE (findNodeRoles). */
static void node_roles(struct sbuf *b, const json_t *labels)
{
	static const char prefix[] = "node-role.kubernetes.io/";
	const char *roles[64], *key;
	size_t n = 0;
	const json_t *value;
	json_object_foreach((json_t *)labels, key, value)
	{
		const char *role = NULL;
		if (strncmp(key, prefix, sizeof(prefix) - 1) == 0)
			role = key + sizeof(prefix) - 1;
		else if (strcmp(key, "kubernetes.io/role") == 0)
			role = text_or(value, "");
		if (role != NULL && role[0] != '\0' && n < sizeof(roles) / sizeof(roles[0]))
			roles[n++] = role;
	}
	join_sorted_set(b, roles, n);
	sbuf_puts(b, b->len == 0 ? "<none>" : "");
}

static void node_cells(struct tabwriter *tw, const struct k8s_object *o, const char *age)
{
	char status[64], roles[512];
	struct sbuf s, r;
	sbuf_init(&s, status, sizeof(status));
	sbuf_init(&r, roles, sizeof(roles));
	node_status(&s, o);
	node_roles(&r, o->meta.labels);
	tw_printf(tw, "%s\t%s\t%s\t%s", status, roles, age,
	          text_or(dig(o->src->root, "status", "nodeInfo", "kubeletVersion", NULL), ""));
}

/* ---- the views ---- */

struct view {
	enum k8s_kind kind;
	const char *plural, *group; /* kubectl's resource; group "" for core */
	const char *const *aliases; /* singular and short names (NULL-terminated) */
	const char *header;         /* after NAME */
	void (*cells)(struct tabwriter *tw, const struct k8s_object *o, const char *age);
};

static const struct view views[] = {
	{ K8S_BGP_NODE_CONFIG, "ciliumbgpnodeconfigs", "cilium.io",
	  (const char *const[]){ "ciliumbgpnodeconfig", "cbgpnode", "nodeconfigs", "nodeconfig",
	                         NULL },
	  "AGE", nodeconfig_cells },
	{ K8S_LB_IP_POOL, "ciliumloadbalancerippools", "cilium.io",
	  (const char *const[]){ "ciliumloadbalancerippool", "ippools", "ippool", "lbippools",
	                         "lbippool", NULL },
	  "DISABLED\tCONFLICTING\tIPS AVAILABLE\tAGE", pool_cells },
	{ K8S_SERVICE, "services", "", (const char *const[]){ "service", "svc", NULL },
	  "TYPE\tCLUSTER-IP\tEXTERNAL-IP\tPORT(S)\tAGE", service_cells },
	{ K8S_NODE, "nodes", "", (const char *const[]){ "node", "no", NULL },
	  "STATUS\tROLES\tAGE\tVERSION", node_cells },
};

#define N_VIEWS (sizeof(views) / sizeof(views[0]))

/* The word is the plural, an alias, or "plural.group" (kubectl's forms). */
static bool names_view(const struct view *v, const char *word)
{
	size_t len = strlen(v->plural);
	if (strcasecmp(word, v->plural) == 0)
		return true;
	if (v->group[0] != '\0' && strncasecmp(word, v->plural, len) == 0 && word[len] == '.' &&
	    strcasecmp(word + len + 1, v->group) == 0)
		return true;
	for (const char *const *a = v->aliases; *a != NULL; a++)
		if (strcasecmp(word, *a) == 0)
			return true;
	return false;
}

int res_kind_of(const char *word)
{
	for (size_t i = 0; i < N_VIEWS; i++)
		if (names_view(&views[i], word))
			return (int)views[i].kind;
	return -1;
}

static const struct view *view_of(enum k8s_kind kind)
{
	for (size_t i = 0; i < N_VIEWS; i++)
		if (views[i].kind == kind)
			return &views[i];
	return NULL;
}

/* ---- get ---- */

static const char *query_ns(const struct res_query *q)
{
	return q->ns != NULL ? q->ns : "default";
}

static bool selected(const struct k8s_object *o, const struct res_query *q)
{
	if (q->name != NULL && strcmp(o->meta.name, q->name) != 0)
		return false;
	return !k8s_kind_namespaced(q->kind) || q->all_namespaces ||
	       strcmp(o->meta.ns, query_ns(q)) == 0;
}

static size_t count_selected(const struct k8s_store *s, const struct res_query *q)
{
	size_t n = 0;
	for (size_t i = 0; i < k8s_store_count(s, q->kind); i++)
		n += selected(k8s_store_at(s, q->kind, i), q);
	return n;
}

static int print_table(FILE *out, const struct view *v, const struct k8s_store *s,
                       const struct res_query *q)
{
	bool with_ns = k8s_kind_namespaced(q->kind) && q->all_namespaces;
	struct tabwriter *tw = tw_new(out, TW_KUBECTL);
	if (tw == NULL)
		return 1;
	tw_printf(tw, "%sNAME\t%s\n", with_ns ? "NAMESPACE\t" : "", v->header);
	for (size_t i = 0; i < k8s_store_count(s, q->kind); i++) {
		const struct k8s_object *o = k8s_store_at(s, q->kind, i);
		char age[RES_AGE_MAX];
		if (!selected(o, q))
			continue;
		res_age(o->meta.creation, q->now, age);
		if (with_ns)
			tw_printf(tw, "%s\t", o->meta.ns);
		tw_printf(tw, "%s\t", o->meta.name);
		v->cells(tw, o, age);
		tw_puts(tw, "\n");
	}
	int rc = tw_flush(tw);
	tw_free(tw);
	return rc < 0;
}

/* The named object as stored, or a List of the selected ones. */
static json_t *as_json(const struct k8s_store *s, const struct res_query *q)
{
	json_t *items = json_array();
	for (size_t i = 0; i < k8s_store_count(s, q->kind); i++) {
		const struct k8s_object *o = k8s_store_at(s, q->kind, i);
		if (selected(o, q))
			json_array_append(items, o->src->root);
	}
	if (q->name != NULL) {
		json_t *one = json_incref(json_array_get(items, 0));
		json_decref(items);
		return one;
	}
	return json_pack("{s:s, s:o, s:s, s:{s:s}}", "apiVersion", "v1", "items", items, "kind",
	                 "List", "metadata", "resourceVersion", "");
}

/* kubectl's JSON printer indents by four spaces; keys sorted as Go's maps. */
static int print_json(FILE *out, const struct k8s_store *s, const struct res_query *q)
{
	json_t *v = as_json(s, q);
	int rc = q->output == RES_YAML ? yaml_write(out, v)
	                               : json_dumpf(v, out, JSON_INDENT(4) | JSON_SORT_KEYS);
	if (q->output == RES_JSON)
		fputc('\n', out);
	json_decref(v);
	return rc < 0 || fflush(out) != 0;
}

static void print_nothing_found(FILE *err, const struct res_query *q)
{
	if (k8s_kind_namespaced(q->kind) && !q->all_namespaces)
		fprintf(err, "No resources found in %s namespace.\n", query_ns(q));
	else
		fprintf(err, "No resources found\n");
}

static void print_not_found(FILE *err, const struct view *v, const char *name)
{
	fprintf(err, "Error from server (NotFound): %s%s%s \"%s\" not found\n", v->plural,
	        v->group[0] != '\0' ? "." : "", v->group, name);
}

int res_get(FILE *out, FILE *err, const struct k8s_store *s, const struct res_query *q)
{
	const struct view *v = view_of(q->kind);
	if (v == NULL)
		return 1;
	if (q->name != NULL && q->all_namespaces && k8s_kind_namespaced(q->kind)) {
		fprintf(err, "error: a resource cannot be retrieved by name across all "
		             "namespaces\n");
		return 1;
	}
	size_t n = count_selected(s, q);
	if (n == 0 && q->name != NULL) {
		print_not_found(err, v, q->name);
		return 1;
	}
	if (q->output != RES_TEXT)
		return print_json(out, s, q);
	if (n == 0) {
		print_nothing_found(err, q);
		return 0;
	}
	return print_table(out, v, s, q);
}
