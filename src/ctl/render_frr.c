/*
 * render_frr: FRR 8.4 vtysh layouts for kbgpd's answers.  Every width,
 * legend and word below was checked against FRR 8.4.4 running in a
 * network namespace (bgpd's bgp_show_summary, route_vty_out,
 * route_vty_out_detail and zebra's vty_show_ip_route); the captures and
 * what kbgp prints differently are in tests/golden/frr/README.md.
 *
 * Attribute wording is bgp/attr_frr's: it works on a struct bgp_attrs, so
 * each path's JSON is first turned back into one (path_attrs_load).
 */
#include "ctl/render_frr.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/attr_frr.h"
#include "lib/addr.h"
#include "lib/buf.h"
#include "lib/sbuf.h"

#define TEXT_MAX       8192
#define ATTR_BYTES_MAX 4096
#define DAY_SECONDS    (24 * 3600)
#define WEEK_SECONDS   (7 * DAY_SECONDS)
#define YEAR_SECONDS   (365 * DAY_SECONDS)

/* --- reading answers: a missing or mistyped member reads as the default --- */

static const char *jstr(const json_t *o, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v != NULL ? v : dflt;
}

static long long jint(const json_t *o, const char *key, long long dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static bool jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static const json_t *jarray(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_array(v) ? v : NULL;
}

/* The counters kbgpctl passes for an instance's family (render_frr.h). */
static const json_t *counters_of(const json_t *stats, const json_t *inst, const char *afi)
{
	return json_object_get(json_object_get(stats, jstr(inst, "name", "")), afi);
}

/* FRR heads each instance's table with its name when it shows several
 * (`show ip bgp view all`). */
static void instance_heading(FILE *out, const json_t *instances, const json_t *inst)
{
	if (json_array_size(instances) > 1)
		fprintf(out, "\nInstance %s:\n", jstr(inst, "name", ""));
}

/* Where a summary says it is: the one instance is FRR's default VRF;
 * several are shown as FRR shows views, "VIEW instance-65001". */
static void instance_place(char *buf, size_t len, const json_t *instances, const json_t *inst)
{
	if (json_array_size(instances) > 1)
		snprintf(buf, len, "VIEW %s", jstr(inst, "name", ""));
	else
		snprintf(buf, len, "VRF default");
}

static bool is_ipv6(const char *address_or_prefix)
{
	return strchr(address_or_prefix, ':') != NULL;
}

/* Neighbours by address, IPv4 first.  FRR puts peer-group members first,
 * by group name; every kbgp peer has a group, so that would say little. */
static int address_cmp(const char *x, const char *y)
{
	union sockaddr_any a, b;
	bool ok_a = addr_parse(x, 0, &a) == 0, ok_b = addr_parse(y, 0, &b) == 0;

	if (!ok_a || !ok_b)
		return ok_a - ok_b;
	if (a.sa.sa_family != b.sa.sa_family)
		return a.sa.sa_family == AF_INET ? -1 : 1;
	if (a.sa.sa_family == AF_INET)
		return memcmp(&a.in.sin_addr, &b.in.sin_addr, 4);
	return memcmp(&a.in6.sin6_addr, &b.in6.sin6_addr, 16);
}

/* --- times and sizes --- */

const char *frr_uptime(char buf[FRR_UPTIME_MAX], long long seconds)
{
	time_t t = (time_t)(seconds > 0 ? seconds : 0);
	struct tm tm;

	/* gmtime of the interval, as bgpd does, so the fields roll over the
	 * same way (years count from 1970, leap days included). */
	gmtime_r(&t, &tm);
	if (t < DAY_SECONDS)
		snprintf(buf, FRR_UPTIME_MAX, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	else if (t < WEEK_SECONDS)
		snprintf(buf, FRR_UPTIME_MAX, "%dd%02dh%02dm", tm.tm_yday, tm.tm_hour, tm.tm_min);
	else if (t < YEAR_SECONDS)
		snprintf(buf, FRR_UPTIME_MAX, "%02dw%dd%02dh", tm.tm_yday / 7, tm.tm_yday % 7,
		         tm.tm_hour);
	else
		snprintf(buf, FRR_UPTIME_MAX, "%02dy%02dw%dd", tm.tm_year - 70, tm.tm_yday / 7,
		         tm.tm_yday % 7);
	return buf;
}

/* lib/memory.c mtype_memstr: "1344 bytes", "2174 KiB", "12 MiB". */
static const char *memory_text(char buf[32], long long bytes)
{
	unsigned long long b = (unsigned long long)bytes, k = b >> 10, m = b >> 20;

	if (b <= 1)
		snprintf(buf, 32, "%llu byte%s", b, b == 1 ? "" : "s");
	else if (b > 0x7fffffffull)
		snprintf(buf, 32, "> 2GB");
	else if (m > 10)
		snprintf(buf, 32, "%llu MiB", m + ((b >> 19) & 1));
	else if (k > 10)
		snprintf(buf, 32, "%llu KiB", k + ((b >> 9) & 1));
	else
		snprintf(buf, 32, "%llu bytes", b);
	return buf;
}

/* "Peers 3" and, when known, ", using 2174 KiB of memory". */
static void count_line(FILE *out, const char *what, long long n, const json_t *counters,
                       const char *memory_key)
{
	char mem[32];

	fprintf(out, "%s %lld", what, n);
	if (json_is_integer(json_object_get(counters, memory_key)))
		fprintf(out, ", using %s of memory",
		        memory_text(mem, jint(counters, memory_key, 0)));
	fputs("\n", out);
}

/* --- a path's attributes, back in the form bgp/attr_frr words --- */

struct path_attrs {
	struct bgp_attrs a;
	uint8_t as_path[ATTR_BYTES_MAX];
	uint8_t communities[ATTR_BYTES_MAX];
	uint8_t large[ATTR_BYTES_MAX];
};

/* One segment of aspath_format's text ("65001 65002", "{1,2}", "(3 4)",
 * "[5,6]"); NULL when p holds no ASN. */
static const char *parse_as_segment(const char *p, struct wbuf *w)
{
	static const char opens[] = "{([", closes[] = "})]";
	static const uint8_t types[] = { BGP_AS_SET, BGP_AS_CONFED_SEQUENCE, BGP_AS_CONFED_SET };
	const char *open = strchr(opens, *p);
	size_t start = w->len, count_at;
	unsigned count = 0;

	wbuf_u8(w, open != NULL ? types[open - opens] : BGP_AS_SEQUENCE);
	count_at = wbuf_reserve(w, 1);
	p += open != NULL;
	/* A sequence ends where a bracketed segment starts. */
	for (;;) {
		while (*p == ' ' || (open != NULL && *p == ','))
			p++;
		if (!isdigit((unsigned char)*p) || count == 255)
			break;
		char *end;
		wbuf_u32(w, (uint32_t)strtoul(p, &end, 10));
		p = end;
		count++;
	}
	if (count == 0) {
		wbuf_truncate(w, start);
		return NULL;
	}
	wbuf_patch_u8(w, count_at, (uint8_t)count);
	return open != NULL && *p == closes[open - opens] ? p + 1 : p;
}

static struct rbuf parse_as_path(const char *text, uint8_t *buf)
{
	struct wbuf w;

	wbuf_init(&w, buf, ATTR_BYTES_MAX);
	for (const char *p = text; *p != '\0';) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		const char *next = parse_as_segment(p, &w);
		p = next != NULL ? next : p + 1;
	}
	return wbuf_view(&w);
}

/*
 * Names of well-known communities as router_ctl writes them, from
 * bgp_community_name.  They all sit in 65535:x (RFC 1997), so asking that
 * function about each value once, rather than copying its table, keeps one
 * list of names.
 */
#define COMMUNITY_NAMES_MAX 32

static size_t community_names(const char **names, uint32_t *values)
{
	size_t n = 0;
	for (uint32_t c = 0xffff0000u; c != 0 && n < COMMUNITY_NAMES_MAX; c++)
		if ((names[n] = bgp_community_name(c)) != NULL)
			values[n++] = c;
	return n;
}

/* "65000:99" or a well-known name. */
static bool parse_community(const char *text, uint32_t *out)
{
	static const char *names[COMMUNITY_NAMES_MAX];
	static uint32_t values[COMMUNITY_NAMES_MAX];
	static size_t n_names = SIZE_MAX;
	unsigned hi, lo;
	char tail;

	if (sscanf(text, "%u:%u%c", &hi, &lo, &tail) == 2 && hi <= 0xffff && lo <= 0xffff) {
		*out = hi << 16 | lo;
		return true;
	}
	if (n_names == SIZE_MAX)
		n_names = community_names(names, values);
	for (size_t i = 0; i < n_names; i++)
		if (strcmp(names[i], text) == 0) {
			*out = values[i];
			return true;
		}
	return false;
}

static bool parse_large_community(const char *text, uint32_t out[3])
{
	char tail;
	return sscanf(text, "%u:%u:%u%c", &out[0], &out[1], &out[2], &tail) == 3;
}

/* Items of a list of community texts, each as 1 or 3 four-octet values. */
static struct rbuf parse_list(const json_t *list, uint8_t *buf, bool large)
{
	const json_t *item;
	struct wbuf w;
	uint32_t v[3];
	size_t i;

	wbuf_init(&w, buf, ATTR_BYTES_MAX);
	for (i = 0; (item = json_array_get(list, i)) != NULL; i++) {
		const char *text = json_string_value(item);
		if (text == NULL)
			continue;
		if (large ? parse_large_community(text, v) : parse_community(text, v))
			for (int k = 0; k < (large ? 3 : 1); k++)
				wbuf_u32(&w, v[k]);
	}
	return wbuf_view(&w);
}

static uint8_t origin_code(const char *name)
{
	static const char *const names[] = { "IGP", "EGP", "incomplete" };
	for (uint8_t i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return BGP_ORIGIN_INCOMPLETE;
}

static void set_number(struct bgp_attrs *a, uint8_t code, uint32_t *field, const json_t *path,
                       const char *key)
{
	if (!json_is_integer(json_object_get(path, key)))
		return;
	*field = (uint32_t)jint(path, key, 0);
	bgp_attr_set(a, code);
}

static void set_list(struct bgp_attrs *a, uint8_t code, struct rbuf *field, uint8_t *buf,
                     const json_t *path, const char *key)
{
	*field = parse_list(jarray(path, key), buf, code == BGP_ATTR_LARGE_COMMUNITY);
	if (!rbuf_empty(field))
		bgp_attr_set(a, code);
}

static void path_attrs_load(struct path_attrs *pa, const json_t *path)
{
	struct bgp_attrs *a = &pa->a;

	memset(a, 0, sizeof(*a));
	a->origin = origin_code(jstr(path, "origin", "IGP"));
	bgp_attr_set(a, BGP_ATTR_ORIGIN);
	a->as_path = parse_as_path(jstr(path, "as_path", ""), pa->as_path);
	bgp_attr_set(a, BGP_ATTR_AS_PATH);
	set_number(a, BGP_ATTR_MED, &a->med, path, "med");
	set_number(a, BGP_ATTR_LOCAL_PREF, &a->local_pref, path, "local_pref");
	set_list(a, BGP_ATTR_COMMUNITIES, &a->communities, pa->communities, path, "communities");
	set_list(a, BGP_ATTR_LARGE_COMMUNITY, &a->large_communities, pa->large, path,
	         "large_communities");
}

/* Write what an attr_frr function makes of the path. */
static void print_attr_text(FILE *out, void (*format)(struct sbuf *, const struct bgp_attrs *),
                            const struct bgp_attrs *a)
{
	char text[TEXT_MAX];
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	format(&s, a);
	fputs(text, out);
}

/* --- what FRR's status flags say of a path --- */

static bool is_local(const json_t *path)
{
	return json_string_value(json_object_get(path, "neighbor")) == NULL;
}

static bool is_internal(const json_t *path)
{
	return !is_local(path) && !jbool(path, "ebgp");
}

/* The answer counts a lone best path as its own ECMP set; FRR says
 * "multipath" only of a set of two or more. */
static bool has_ecmp(const json_t *paths)
{
	const json_t *p;
	size_t i, n = 0;
	for (i = 0; (p = json_array_get(paths, i)) != NULL; i++)
		n += jbool(p, "multipath");
	return n > 1;
}

/* --- show ip bgp summary --- */

static bool established(const json_t *peer)
{
	return strcmp(jstr(peer, "state", ""), "established") == 0;
}

static const json_t *family_entry(const json_t *peer, const char *key, const char *afi)
{
	const json_t *f;
	size_t i;
	for (i = 0; (f = json_array_get(jarray(peer, key), i)) != NULL; i++)
		if (strcmp(jstr(f, "afi", ""), afi) == 0 &&
		    strcmp(jstr(f, "safi", "unicast"), "unicast") == 0)
			return f;
	return NULL;
}

/* FRR lists every peer activated for the family, whatever its state. */
static bool listed_in(const json_t *peer, const char *afi)
{
	if (family_entry(peer, "families", afi) != NULL)
		return true;
	if (jarray(peer, "configured_families") != NULL)
		return family_entry(peer, "configured_families", afi) != NULL;
	return !established(peer) && strcmp(afi, "ipv4") == 0;
}

static int peer_order(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;
	return address_cmp(jstr(a, "address", ""), jstr(b, "address", ""));
}

/* The peers of afi, sorted; free() the array. */
static const json_t **summary_peers(const json_t *inst, const char *afi, size_t *n)
{
	const json_t *list = jarray(inst, "peers"), *p;
	const json_t **v = malloc((json_array_size(list) + 1) * sizeof(*v));
	size_t i;

	*n = 0;
	if (v == NULL)
		return NULL;
	for (i = 0; (p = json_array_get(list, i)) != NULL; i++)
		if (listed_in(p, afi))
			v[(*n)++] = p;
	qsort(v, *n, sizeof(*v), peer_order);
	return v;
}

static void neighbor_name(char buf[ADDR_TEXT_MAX + 1], const json_t *peer)
{
	snprintf(buf, ADDR_TEXT_MAX + 1, "%s%s", jbool(peer, "dynamic") ? "*" : "",
	         jstr(peer, "address", ""));
}

/* The Neighbor column: 16 wide, or one more than the longest name. */
static int neighbor_width(const json_t **peers, size_t n)
{
	char name[ADDR_TEXT_MAX + 1];
	int width = 16;

	for (size_t i = 0; i < n; i++) {
		neighbor_name(name, peers[i]);
		if ((int)strlen(name) + 1 > width)
			width = (int)strlen(name) + 1;
	}
	return width;
}

/* The State/PfxRcd word of a peer that is not up (bgp_status_msg). */
static const char *state_word(const json_t *peer)
{
	static const struct {
		const char *kbgp, *frr;
	} words[] = { { "idle", "Idle" },
		      { "connect", "Connect" },
		      { "active", "Active" },
		      { "open_sent", "OpenSent" },
		      { "open_confirm", "OpenConfirm" } };
	const char *state = jstr(peer, "state", "");
	const char *err = jstr(peer, "last_error", "");

	if (jbool(peer, "shutdown"))
		return "Idle (Admin)";
	/* kbgp stops a session over its prefix limit with Cease/1 (RFC 4486). */
	if (strcmp(state, "idle") == 0 && strstr(err, "(6/1) sent") != NULL)
		return "Idle (PfxCt)";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(state, words[i].kbgp) == 0)
			return words[i].frr;
	return state;
}

/* Up/Down: how long up, or down since the last session, or "never".
 * kbgp counts the time down from the last state change. */
static const char *up_down(char buf[FRR_UPTIME_MAX], const json_t *peer)
{
	if (established(peer))
		return frr_uptime(buf, jint(peer, "uptime_seconds", 0));
	if (jint(peer, "flaps", 0) == 0)
		return "never";
	return frr_uptime(buf, jint(peer, "state_seconds", 0));
}

static void summary_row(FILE *out, const json_t *peer, const char *afi, int width)
{
	const json_t *msgs = json_object_get(peer, "messages");
	const json_t *family = family_entry(peer, "families", afi);
	char name[ADDR_TEXT_MAX + 1], up[FRR_UPTIME_MAX];

	neighbor_name(name, peer);
	fprintf(out, "%-*s", width, name);
	/* TblVer and InQ are 0: kbgp keeps no table versions and reads what
	 * arrives at once.  OutQ is kbgpd's count of bytes, FRR's of messages. */
	fprintf(out, "4 %10lld %9lld %9lld %8d %4d %4lld %8s", jint(peer, "remote_asn", 0),
	        jint(msgs, "received", 0), jint(msgs, "sent", 0), 0, 0, jint(peer, "out_queue", 0),
	        up_down(up, peer));
	if (established(peer) && family != NULL)
		fprintf(out, " %12lld %8lld", jint(family, "accepted", 0),
		        jint(family, "advertised", 0));
	else if (established(peer))
		fprintf(out, " %12s %8s", "NoNeg", "NoNeg");
	else
		fprintf(out, " %12s %8d", state_word(peer), 0);
	fputs(" N/A\n", out);
}

/* A summary's instance, its family, and whether to name them first. */
struct summary_view {
	const char *afi;
	bool af_heading;
	char place[160]; /* "VRF default" or "VIEW name" */
	const json_t *counters;
};

static void summary_head(FILE *out, const json_t *inst, const struct summary_view *sv, size_t n)
{
	const json_t *counters = sv->counters;

	if (sv->af_heading)
		fprintf(out, "\n%s Unicast Summary (%s):\n",
		        strcmp(sv->afi, "ipv6") == 0 ? "IPv6" : "IPv4", sv->place);
	fprintf(out, "BGP router identifier %s, local AS number %lld vrf-id 0\n",
	        jstr(inst, "router_id", "0.0.0.0"), jint(inst, "local_asn", 0));
	fprintf(out, "BGP table version %lld\n", jint(counters, "table_version", 0));
	if (json_is_integer(json_object_get(counters, "rib_entries")))
		count_line(out, "RIB entries", jint(counters, "rib_entries", 0), counters,
		           "rib_memory");
	count_line(out, "Peers", (long long)n, counters, "peer_memory");
	if (jint(counters, "peer_groups", 0) > 0)
		count_line(out, "Peer groups", jint(counters, "peer_groups", 0), counters,
		           "peer_group_memory");
	fputs("\n", out);
}

static void summary_foot(FILE *out, const json_t **peers, size_t n, const json_t *counters)
{
	size_t dynamic = 0;

	for (size_t i = 0; i < n; i++)
		dynamic += jbool(peers[i], "dynamic");
	fprintf(out, "\nTotal number of neighbors %zu\n", n);
	if (dynamic == 0)
		return;
	fprintf(out, "* - dynamic neighbor\n%zu dynamic neighbor(s)", dynamic);
	if (json_is_integer(json_object_get(counters, "dynamic_limit")))
		fprintf(out, ", limit %lld", jint(counters, "dynamic_limit", 0));
	fputs("\n", out);
}

static void summary_instance(FILE *out, const json_t *inst, const struct summary_view *sv)
{
	size_t n;
	const json_t **peers = summary_peers(inst, sv->afi, &n);

	if (n == 0) {
		fprintf(out, "%% No BGP neighbors found in %s\n", sv->place);
		free(peers);
		return;
	}
	summary_head(out, inst, sv, n);
	int width = neighbor_width(peers, n);
	fprintf(out,
	        "%-*sV         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd"
	        "   PfxSnt Desc\n",
	        width, "Neighbor");
	for (size_t i = 0; i < n; i++)
		summary_row(out, peers[i], sv->afi, width);
	summary_foot(out, peers, n, sv->counters);
	free(peers);
}

/* Several instances follow one another with no heading of their own, as
 * in FRR's `show bgp view all summary`. */
int frr_show_bgp_summary(FILE *out, const json_t *peers, const char *afi, bool af_heading,
                         const json_t *stats)
{
	const json_t *instances = jarray(peers, "instances"), *inst;
	struct summary_view sv = { .afi = afi, .af_heading = af_heading };
	size_t i;

	if (instances == NULL)
		return -1;
	for (i = 0; (inst = json_array_get(instances, i)) != NULL; i++) {
		instance_place(sv.place, sizeof(sv.place), instances, inst);
		sv.counters = counters_of(stats, inst, afi);
		summary_instance(out, inst, &sv);
	}
	return 0;
}

/* --- show ip bgp --- */

static const char table_legend[] =
        "Status codes:  s suppressed, d damped, h history, * valid, > best, = multipath,\n"
        "               i internal, r RIB-failure, S Stale, R Removed\n"
        "Nexthop codes: @NNN nexthop's vrf id, < announce-nh-self\n"
        "Origin codes:  i - IGP, e - EGP, ? - incomplete\n"
        "RPKI validation codes: V valid, I invalid, N Not found\n\n"
        "   Network          Next Hop            Metric LocPrf Weight Path\n";

/* A column of at least width: text too long for it ends the line and the
 * next column starts at wrap (route_vty_out_route, route_vty_out). */
static void column(FILE *out, const char *text, int width, int wrap)
{
	int len = fprintf(out, "%s", text);
	if (width - len < 1)
		fprintf(out, "\n%*s", wrap, "");
	else
		fprintf(out, "%*s", width - len, "");
}

static void optional_number(FILE *out, const json_t *path, const char *key, int width)
{
	if (json_is_integer(json_object_get(path, key)))
		fprintf(out, "%*lld", width, jint(path, key, 0));
	else
		fprintf(out, "%*s", width, "");
}

/* The status columns: valid or Stale, best or multipath, internal. */
static void print_status(FILE *out, const json_t *path, bool ecmp)
{
	char selected = ' ';

	if (jbool(path, "best"))
		selected = '>';
	else if (ecmp && jbool(path, "multipath"))
		selected = '=';
	fprintf(out, "%c%c%c", jbool(path, "stale") ? 'S' : '*', selected,
	        is_internal(path) ? 'i' : ' ');
}

/* One line of the table; prefix NULL for a route's second path on. */
static void table_row(FILE *out, const char *prefix, const json_t *path, bool ecmp)
{
	struct path_attrs pa;

	print_status(out, path, ecmp);
	column(out, prefix != NULL ? prefix : "", 17, 20);
	column(out, jstr(path, "next_hop", "0.0.0.0"), 16, 36);
	optional_number(out, path, "med", 10);
	optional_number(out, path, "local_pref", 7);
	fprintf(out, "%7lld ", jint(path, "weight", 0));
	path_attrs_load(&pa, path);
	print_attr_text(out, frr_format_path, &pa.a);
	fputs("\n", out);
}

static void table_instance(FILE *out, const json_t *inst, const json_t *counters)
{
	const json_t *routes = jarray(inst, "routes"), *route, *path;
	size_t i, k, n_paths = 0;

	if (json_array_size(routes) == 0) {
		fputs("No BGP prefixes displayed, 0 exist\n", out);
		return;
	}
	fprintf(out, "BGP table version is %lld, local router ID is %s, vrf id 0\n",
	        jint(counters, "table_version", 0), jstr(inst, "router_id", "0.0.0.0"));
	fprintf(out, "Default local pref 100, local AS %lld\n", jint(inst, "local_asn", 0));
	fputs(table_legend, out);
	for (i = 0; (route = json_array_get(routes, i)) != NULL; i++) {
		const json_t *paths = jarray(route, "paths");
		bool ecmp = has_ecmp(paths);
		for (k = 0; (path = json_array_get(paths, k)) != NULL; k++)
			table_row(out, k == 0 ? jstr(route, "prefix", "") : NULL, path, ecmp);
		n_paths += json_array_size(paths);
	}
	fprintf(out, "\nDisplayed  %zu routes and %zu total paths\n", json_array_size(routes),
	        n_paths);
}

int frr_show_bgp(FILE *out, const json_t *routes, const json_t *stats)
{
	const json_t *instances = jarray(routes, "instances"), *inst;
	size_t i;

	if (instances == NULL)
		return -1;
	for (i = 0; (inst = json_array_get(instances, i)) != NULL; i++) {
		instance_heading(out, instances, inst);
		table_instance(out, inst, counters_of(stats, inst, jstr(inst, "afi", "ipv4")));
	}
	return 0;
}

/* --- show ip bgp PREFIX --- */

/* ctime's layout in the C locale, "Fri Aug 15 17:05:11 2025". */
static void print_last_update(FILE *out, time_t when)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	localtime_r(&when, &tm);
	fprintf(out, "      Last update: %s %s %2d %02d:%02d:%02d %d\n", days[tm.tm_wday],
	        months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

static bool has_community(const json_t *path, const char *name)
{
	const json_t *c;
	size_t i;
	for (i = 0; (c = json_array_get(jarray(path, "communities"), i)) != NULL; i++)
		if (json_is_string(c) && strcmp(json_string_value(c), name) == 0)
			return true;
	return false;
}

/* "Paths: (3 available, best #1, table default)" and what the best
 * path's well-known communities forbid. */
static void paths_line(FILE *out, const json_t *paths)
{
	const json_t *p, *best = NULL;
	size_t i, best_at = 0;

	for (i = 0; (p = json_array_get(paths, i)) != NULL; i++)
		if (best == NULL && jbool(p, "best")) {
			best = p;
			best_at = i + 1;
		}
	fprintf(out, "Paths: (%zu available", json_array_size(paths));
	if (best != NULL)
		fprintf(out, ", best #%zu, table default", best_at);
	else
		fputs(", no best path", out);
	if (has_community(best, "no-advertise"))
		fputs(", not advertised to any peer", out);
	else if (has_community(best, "no-export"))
		fputs(", not advertised to EBGP peer", out);
	else if (has_community(best, "no-export-subconfed"))
		fputs(", not advertised outside local AS", out);
	fputs(")\n", out);
}

static const json_t *find_route(const json_t *routes_answer, const char *instance,
                                const char *prefix)
{
	const json_t *inst, *route;
	size_t i, k;
	for (i = 0; (inst = json_array_get(jarray(routes_answer, "instances"), i)) != NULL; i++) {
		if (instance != NULL && strcmp(jstr(inst, "name", ""), instance) != 0)
			continue;
		for (k = 0; (route = json_array_get(jarray(inst, "routes"), k)) != NULL; k++)
			if (strcmp(jstr(route, "prefix", ""), prefix) == 0)
				return route;
	}
	return NULL;
}

static int text_order(const void *x, const void *y)
{
	return address_cmp(*(const char *const *)x, *(const char *const *)y);
}

/* "  Advertised to non peer-group peers:" and the neighbours the
 * adj-rib-out answer lists for the route. */
static void advertised_to(FILE *out, const json_t *adj_out, const json_t *inst, const json_t *route)
{
	const json_t *sent = find_route(adj_out, jstr(inst, "name", ""), jstr(route, "prefix", ""));
	const json_t *paths = jarray(sent, "paths"), *p;
	const char **names = malloc((json_array_size(paths) + 1) * sizeof(*names));
	size_t i, n = 0;

	if (names == NULL)
		return;
	for (i = 0; (p = json_array_get(paths, i)) != NULL; i++)
		if (json_is_string(json_object_get(p, "neighbor")))
			names[n++] = jstr(p, "neighbor", "");
	qsort(names, n, sizeof(*names), text_order);
	fputs(n > 0 ? "  Advertised to non peer-group peers:\n " : "  Not advertised to any peer",
	      out);
	for (i = 0; i < n; i++)
		fprintf(out, " %s", names[i]);
	fputs("\n", out);
	free(names);
}

/* "    10.0.0.2 from 10.0.0.2 (10.0.0.2)": next hop, neighbour, its
 * router ID; a local route is "from" the family's zero address and
 * carries our router ID. */
static void from_line(FILE *out, const json_t *inst, const json_t *path)
{
	const char *zero = strcmp(jstr(inst, "afi", "ipv4"), "ipv6") == 0 ? "::" : "0.0.0.0";
	bool local = is_local(path);

	fprintf(out, "    %s from %s (%s)\n", jstr(path, "next_hop", zero),
	        local ? zero : jstr(path, "neighbor", zero),
	        local ? jstr(inst, "router_id", "0.0.0.0")
	              : jstr(path, "neighbor_router_id", "0.0.0.0"));
}

/* ", valid, external, multipath, best (Router ID)" after the origin. */
static void state_words(FILE *out, const json_t *path, bool ecmp)
{
	long long weight = jint(path, "weight", 0);

	if (weight != 0)
		fprintf(out, ", weight %lld", weight);
	fputs(", valid", out);
	if (is_local(path))
		fputs(", sourced, local", out);
	else
		fputs(is_internal(path) ? ", internal" : ", external", out);
	if (ecmp && jbool(path, "multipath"))
		fputs(", multipath", out);
	/* kbgp gives no reason when there was nothing to compare. */
	if (jbool(path, "best"))
		fprintf(out, ", best (%s)", jstr(path, "reason", "First path received"));
	fputs("\n", out);
}

static void detail_path(FILE *out, const json_t *inst, const json_t *path, bool ecmp, time_t now)
{
	struct path_attrs pa;

	path_attrs_load(&pa, path);
	print_attr_text(out, frr_format_detail_aspath, &pa.a);
	fputs(jbool(path, "stale") ? ", (stale)\n" : "\n", out);
	from_line(out, inst, path);
	print_attr_text(out, frr_format_detail_origin, &pa.a);
	state_words(out, path, ecmp);
	print_attr_text(out, frr_format_detail_communities, &pa.a);
	print_attr_text(out, frr_format_detail_large_communities, &pa.a);
	print_last_update(out, now - (time_t)jint(path, "age_seconds", 0));
}

static void detail_instance(FILE *out, const json_t *inst, const json_t *adj_out,
                            const json_t *counters, time_t now)
{
	const json_t *routes = jarray(inst, "routes"), *route, *path;
	size_t i, k;

	if (json_array_size(routes) == 0) {
		fputs("% Network not in table\n", out);
		return;
	}
	for (i = 0; (route = json_array_get(routes, i)) != NULL; i++) {
		const json_t *paths = jarray(route, "paths");
		bool ecmp = has_ecmp(paths);
		fprintf(out, "BGP routing table entry for %s, version %lld\n",
		        jstr(route, "prefix", ""), jint(counters, "table_version", 0));
		paths_line(out, paths);
		if (json_is_object(adj_out))
			advertised_to(out, adj_out, inst, route);
		for (k = 0; (path = json_array_get(paths, k)) != NULL; k++)
			detail_path(out, inst, path, ecmp, now);
	}
}

int frr_show_bgp_prefix(FILE *out, const json_t *routes, const json_t *adj_out, const json_t *stats,
                        time_t now)
{
	const json_t *instances = jarray(routes, "instances"), *inst;
	size_t i;

	if (instances == NULL)
		return -1;
	for (i = 0; (inst = json_array_get(instances, i)) != NULL; i++) {
		instance_heading(out, instances, inst);
		detail_instance(out, inst, adj_out,
		                counters_of(stats, inst, jstr(inst, "afi", "ipv4")), now);
	}
	return 0;
}

/* --- show ip route bgp --- */

static const char route_legend_ipv4[] =
        "Codes: K - kernel route, C - connected, S - static, R - RIP,\n"
        "       O - OSPF, I - IS-IS, B - BGP, E - EIGRP, N - NHRP,\n"
        "       T - Table, v - VNC, V - VNC-Direct, A - Babel, F - PBR,\n"
        "       f - OpenFabric,\n"
        "       > - selected route, * - FIB route, q - queued, r - rejected, b - backup\n"
        "       t - trapped, o - offload failure\n\n";

static const char route_legend_ipv6[] =
        "Codes: K - kernel route, C - connected, S - static, R - RIPng,\n"
        "       O - OSPFv3, I - IS-IS, B - BGP, N - NHRP, T - Table,\n"
        "       v - VNC, V - VNC-Direct, A - Babel, F - PBR,\n"
        "       f - OpenFabric,\n"
        "       > - selected route, * - FIB route, q - queued, r - rejected, b - backup\n"
        "       t - trapped, o - offload failure\n\n";

/* How a route prints its next hops (zebra's re_status_output_char). */
struct fib_view {
	FILE *out;
	bool installed;
	char status;  /* every line's flag when not installed: q, r or blank */
	int head_len; /* "B>* 10.0.0.0/24 [20/0]", which later lines indent past */
	bool has_uptime;
	char uptime[FRR_UPTIME_MAX];
};

/* A next hop whose gateway is not the BGP next hop was resolved through
 * another route: zebra shows it "(recursive)" with the gateway below. */
static bool hop_recursive(const json_t *hop)
{
	const char *gw = json_string_value(json_object_get(hop, "gateway"));
	return jbool(hop, "resolved") && gw != NULL && strcmp(gw, jstr(hop, "via", "")) != 0;
}

static char hop_flag(const struct fib_view *v, bool in_fib)
{
	if (!v->installed)
		return v->status;
	return in_fib ? '*' : ' ';
}

static bool hop_in_fib(const json_t *hop)
{
	return jbool(hop, "resolved") && !hop_recursive(hop);
}

/* ", weight 1, 00:02:35\n": ECMP members weigh 1 each, as bgpd asks. */
static void hop_tail(const struct fib_view *v)
{
	fputs(", weight 1", v->out);
	if (v->has_uptime)
		fprintf(v->out, ", %s", v->uptime);
	fputs("\n", v->out);
}

static void hop_indent(const struct fib_view *v, bool in_fib, int level)
{
	fprintf(v->out, "  %c%*s", hop_flag(v, in_fib), v->head_len - 3 + 2 * level, "");
}

static void print_hop(const struct fib_view *v, const json_t *hop, bool first)
{
	const char *via = jstr(hop, "via", "");
	const char *dev = json_string_value(json_object_get(hop, "dev"));

	if (!first)
		hop_indent(v, hop_in_fib(hop), 0);
	if (!jbool(hop, "resolved")) {
		fprintf(v->out, " via %s inactive", via);
	} else if (hop_recursive(hop)) {
		fprintf(v->out, " via %s (recursive)", via);
		hop_tail(v);
		hop_indent(v, true, 1);
		fprintf(v->out, " via %s", jstr(hop, "gateway", ""));
	} else {
		fprintf(v->out, " via %s", via);
	}
	if (dev != NULL && jbool(hop, "resolved"))
		fprintf(v->out, ", %s", dev);
	hop_tail(v);
}

/* The best path of prefix in a loc-rib answer. */
static const json_t *best_path(const json_t *loc_rib, const char *prefix)
{
	const json_t *paths = jarray(find_route(loc_rib, NULL, prefix), "paths"), *p;
	size_t i;
	for (i = 0; (p = json_array_get(paths, i)) != NULL; i++)
		if (jbool(p, "best"))
			return p;
	return json_array_get(paths, 0);
}

/* The flag of every line of a route not installed: zebra's queued
 * (pending) or rejected (failed). */
static char state_flag(const char *state)
{
	if (strcmp(state, "failed") == 0)
		return 'r';
	return strcmp(state, "pending") == 0 ? 'q' : ' ';
}

static void fib_route(FILE *out, const json_t *fib, const json_t *route, const json_t *loc_rib)
{
	const char *state = jstr(route, "state", "");
	const json_t *hops = jarray(route, "nexthops"), *hop;
	const json_t *best = best_path(loc_rib, jstr(route, "prefix", ""));
	struct fib_view v = { .out = out,
		              .installed = strcmp(state, "installed") == 0,
		              .status = state_flag(state),
		              .has_uptime = best != NULL };
	/* An unresolved route is not selected: zebra has no usable next hop. */
	char selected = strcmp(state, "unresolved") != 0 ? '>' : ' ';
	size_t i;

	if (best != NULL)
		frr_uptime(v.uptime, jint(best, "age_seconds", 0));
	v.head_len =
	        fprintf(out, "B%c%c %s [%lld/%lld]", selected,
	                hop_flag(&v, hop_in_fib(json_array_get(hops, 0))),
	                jstr(route, "prefix", ""), jint(fib, "metric", 20), jint(best, "med", 0));
	for (i = 0; (hop = json_array_get(hops, i)) != NULL; i++)
		print_hop(&v, hop, i == 0);
	if (json_array_size(hops) == 0)
		fputs("\n", out);
}

int frr_show_route_bgp(FILE *out, const json_t *fib, const char *afi, const json_t *loc_rib)
{
	const json_t *routes = jarray(fib, "routes"), *route;
	bool ipv6 = strcmp(afi, "ipv6") == 0, legend = false;
	size_t i;

	if (routes == NULL)
		return -1;
	/* zebra prints the legend only above a first route. */
	for (i = 0; (route = json_array_get(routes, i)) != NULL; i++) {
		if (is_ipv6(jstr(route, "prefix", "")) != ipv6)
			continue;
		if (!legend)
			fputs(ipv6 ? route_legend_ipv6 : route_legend_ipv4, out);
		legend = true;
		fib_route(out, fib, route, loc_rib);
	}
	return 0;
}
