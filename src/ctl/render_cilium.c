/*
 * render_cilium: Cilium's BGP tables from the control socket's answers
 * (Cilium's printers: pkg/bgpv1/api/printers.go for cilium-dbg,
 * cilium-cli bgp/peers.go and bgp/routes.go).
 *
 * Every table is rows of one kind (peer, path, policy) sorted by local ASN,
 * then one or two strings compared as Go compares them (bytes), so one row
 * collector and one sort serve them all.  The cilium-dbg and cilium-cli
 * tables of a kind differ only in a leading Node cell, the peer's port and
 * whether rows end "\n" or "\t\n" (the latter pads the last column: the
 * trailing spaces of cilium-cli); struct layout carries that.
 *
 * Where Cilium's own code misbehaves, we print what it evidently meant:
 * - a peer without families: Cilium writes no newline and runs the next
 *   peer into the same line; we end the row with empty Family, Received
 *   and Advertised cells, which keeps every column aligned;
 * - cilium-cli writes the Node cell once per route, not once per path, so
 *   a route's second path would shift left; we write it on every row;
 * - cilium-cli's sort predicates (`a.asn < b.asn || a.addr < b.addr`) are
 *   not orders; we sort as cilium-dbg does.  Ties keep the daemon's order
 *   (Go's sort.Slice is not stable: Cilium's order for ties is arbitrary).
 */
#include "ctl/render_cilium.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/tabwriter.h"

#define JI "%" JSON_INTEGER_FORMAT

/* ---- reading the answers: what is missing reads as 0, "" or [] ---- */

static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *text(const json_t *s)
{
	return json_string_value(s) != NULL ? json_string_value(s) : "";
}

static const char *str(const json_t *o, const char *key)
{
	return text(json_object_get(o, key));
}

/* The list at key; jansson reads a missing one as empty. */
static const json_t *list(const json_t *o, const char *key)
{
	return json_object_get(o, key);
}

/* ---- rows and their order ---- */

struct row {
	json_int_t asn;     /* the instance's local ASN */
	const char *key[2]; /* then these, compared as bytes */
	size_t seq;         /* then the daemon's order */
	const json_t *item; /* the peer, path or policy */
};

struct rows {
	struct row *v;
	size_t n, cap;
	bool failed;
};

static void rows_add(struct rows *r, json_int_t asn, const char *k0, const char *k1,
                     const json_t *item)
{
	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 64 : r->cap * 2;
		struct row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL) {
			r->failed = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n] = (struct row){ asn, { k0, k1 }, r->n, item };
	r->n++;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	for (int k = 0; k < 2; k++) {
		int c = strcmp(a->key[k], b->key[k]);
		if (c != 0)
			return c;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Peers: by local ASN, then address (cilium-dbg's PrintBGPPeersTable). */
static void collect_peers(struct rows *r, const json_t *result)
{
	const json_t *inst, *peer;
	size_t i, j;
	json_array_foreach(list(result, "instances"), i, inst)
	        json_array_foreach(list(inst, "peers"), j, peer)
	                rows_add(r, num(inst, "local_asn"), str(peer, "address"), "", peer);
}

/* One row per path, by local ASN, neighbor, prefix (PrintBGPRoutesTable).
 * Cilium's route carries a neighbor only for the Adj-RIBs (the peer it was
 * asked about), so the Loc-RIB sorts by prefix alone, paths in the daemon's
 * order.  with_empty: a route without paths still makes a row (item NULL),
 * as cilium-cli prints one. */
static void collect_paths(struct rows *r, const json_t *result, bool with_empty)
{
	const json_t *inst, *route, *path;
	size_t i, j, k;
	json_array_foreach(list(result, "instances"), i, inst)
	{
		const char *table = str(inst, "table");
		bool adj = strcmp(table, "adj-rib-in") == 0 || strcmp(table, "adj-rib-out") == 0;
		json_array_foreach(list(inst, "routes"), j, route)
		{
			const json_t *paths = list(route, "paths");
			const char *prefix = str(route, "prefix");
			json_array_foreach(paths, k, path)
			        rows_add(r, num(inst, "local_asn"),
			                 adj ? str(path, "neighbor") : "", prefix, path);
			if (with_empty && json_array_size(paths) == 0)
				rows_add(r, num(inst, "local_asn"), "", prefix, NULL);
		}
	}
}

/* Policies: by local ASN, then name (PrintBGPRoutePoliciesTable). */
static void collect_policies(struct rows *r, const json_t *result)
{
	const json_t *inst, *policy;
	size_t i, j;
	json_array_foreach(list(result, "instances"), i, inst)
	        json_array_foreach(list(inst, "policies"), j, policy)
	                rows_add(r, num(inst, "local_asn"), str(policy, "name"), "", policy);
}

/* ---- table layouts ---- */

struct layout {
	const char *node; /* cilium-cli: this row's Node cell ("" after the node's
	                   * first row); NULL: cilium-dbg, no Node column */
	bool port;        /* the peer as address:port (cilium-dbg) */
	const char *end;  /* "\n", or "\t\n" to pad the last column (cilium-cli) */
	bool print_peer;  /* routes: the Peer column */
};

static const struct layout dbg_layout = { .node = NULL, .port = true, .end = "\n" };
static const struct layout cli_layout = { .node = "", .port = false, .end = "\t\n" };

static void node_cell(struct tabwriter *tw, const struct layout *l)
{
	if (l->node != NULL)
		tw_printf(tw, "%s\t", l->node);
}

static void duration_cell(struct tabwriter *tw, json_int_t seconds)
{
	char buf[48];
	struct sbuf s;
	sbuf_init(&s, buf, sizeof(buf));
	cilium_duration(&s, seconds);
	tw_printf(tw, "%s\t", buf);
}

/* The daemon's states are Cilium's (types.SessionState.String()). */
static const char *session_state(const char *state)
{
	static const char *const known[] = { "idle",      "connect",      "active",
		                             "open_sent", "open_confirm", "established" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(state, known[i]) == 0)
			return known[i];
	return "unknown";
}

/* A peer: its session, then one line per family, later ones under the
 * first.  The remote ASN is null until learned: Cilium shows 0. */
static void peer_line(struct tabwriter *tw, const struct row *r, const struct layout *l)
{
	const json_t *p = r->item, *fam;
	const json_t *families = list(p, "families");
	size_t i;

	node_cell(tw, l);
	tw_printf(tw, JI "\t" JI "\t%s", r->asn, num(p, "remote_asn"), str(p, "address"));
	if (l->port)
		tw_printf(tw, ":" JI, num(p, "port"));
	tw_printf(tw, "\t%s\t", session_state(str(p, "state")));
	duration_cell(tw, num(p, "uptime_seconds"));
	json_array_foreach(families, i, fam)
	{
		if (i > 0) /* under the first family: skip the session's cells */
			tw_puts(tw, l->node != NULL ? "\t\t\t\t\t\t" : "\t\t\t\t\t");
		tw_printf(tw, "%s/%s\t" JI "\t" JI "%s", str(fam, "afi"), str(fam, "safi"),
		          num(fam, "received"), num(fam, "advertised"), l->end);
	}
	if (json_array_size(families) == 0)
		tw_printf(tw, "\t\t%s", l->end);
}

static void path_line(struct tabwriter *tw, const struct row *r, const struct layout *l)
{
	const json_t *path = r->item;

	node_cell(tw, l);
	if (path == NULL) { /* cilium-cli: a route without paths */
		tw_puts(tw, "\n");
		return;
	}
	const char *next_hop = str(path, "next_hop");
	const char *attrs = str(path, "attrs");
	tw_printf(tw, JI "\t", r->asn);
	if (l->print_peer)
		tw_printf(tw, "%s\t", r->key[0]);
	/* Cilium's fallbacks: no NEXT_HOP nor MP_REACH; fmt of no attributes */
	tw_printf(tw, "%s\t%s\t", r->key[1], next_hop[0] != '\0' ? next_hop : "0.0.0.0");
	duration_cell(tw, num(path, "age_seconds"));
	tw_printf(tw, "%s%s", attrs[0] != '\0' ? attrs : "[]", l->end);
}

/* Cilium's formatStringArray: one element bare, several as "{a} {b}",
 * none as "".  Element i of n opens with item_open, closes with item_close. */
static void item_open(struct tabwriter *tw, size_t i, size_t n)
{
	if (n > 1)
		tw_puts(tw, i == 0 ? "{" : " {");
}

static void item_close(struct tabwriter *tw, size_t n)
{
	if (n > 1)
		tw_puts(tw, "}");
}

static void strings_cell(struct tabwriter *tw, const json_t *strings)
{
	size_t i, n = json_array_size(strings);
	const json_t *s;
	json_array_foreach(strings, i, s)
	{
		item_open(tw, i, n);
		tw_puts(tw, text(s));
		item_close(tw, n);
	}
	tw_puts(tw, "\t");
}

static void prefixes_cell(struct tabwriter *tw, const json_t *prefixes)
{
	size_t i, n = json_array_size(prefixes);
	const json_t *p;
	json_array_foreach(prefixes, i, p)
	{
		item_open(tw, i, n);
		tw_printf(tw, "%s (" JI ".." JI ")", str(p, "cidr"), num(p, "min"), num(p, "max"));
		item_close(tw, n);
	}
	tw_puts(tw, "\t");
}

/* "Name: [a b]", Go's %v of a []string, as element *i of n. */
static void go_slice_item(struct tabwriter *tw, const char *name, const json_t *strings, size_t *i,
                          size_t n)
{
	size_t k;
	const json_t *s;
	if (json_array_size(strings) == 0)
		return;
	item_open(tw, (*i)++, n);
	tw_printf(tw, "%s: [", name);
	json_array_foreach(strings, k, s) tw_printf(tw, "%s%s", k > 0 ? " " : "", text(s));
	tw_puts(tw, "]");
	item_close(tw, n);
}

/* Cilium's formatPathActions: local preference when set (>= 0), then the
 * communities to add, then the large ones; the next hop is not shown. */
static void path_actions(struct tabwriter *tw, const json_t *stmt, const char *end)
{
	const json_t *lp = json_object_get(stmt, "set_local_preference");
	const json_t *comms = list(stmt, "add_communities");
	const json_t *large = list(stmt, "add_large_communities");
	bool has_lp = json_is_integer(lp) && json_integer_value(lp) >= 0;
	size_t n = has_lp + (json_array_size(comms) > 0) + (json_array_size(large) > 0), i = 0;

	if (has_lp) {
		item_open(tw, i++, n);
		tw_printf(tw, "SetLocalPreference: " JI, json_integer_value(lp));
		item_close(tw, n);
	}
	go_slice_item(tw, "AddCommunities", comms, &i, n);
	go_slice_item(tw, "AddLargeCommunities", large, &i, n);
	tw_puts(tw, end);
}

/* A policy: its name, then one line per statement, later ones under the
 * first.  Without statements the row ends after Type. */
static void policy_line(struct tabwriter *tw, const struct row *r, const struct layout *l)
{
	const json_t *stmts = list(r->item, "statements"), *s;
	size_t i;

	tw_printf(tw, JI "\t%s\t%s\t", r->asn, str(r->item, "name"), str(r->item, "type"));
	json_array_foreach(stmts, i, s)
	{
		if (i > 0)
			tw_puts(tw, "\t\t\t");
		strings_cell(tw, list(s, "match_neighbors"));
		strings_cell(tw, list(s, "match_families"));
		prefixes_cell(tw, list(s, "match_prefixes"));
		tw_printf(tw, "%s\t", str(s, "action"));
		path_actions(tw, s, l->end);
	}
	if (json_array_size(stmts) == 0)
		tw_puts(tw, "\n");
}

/* ---- tables ---- */

typedef void print_row_fn(struct tabwriter *, const struct row *, const struct layout *);
typedef void collect_fn(struct rows *, const json_t *);

/* A node's rows, sorted, printed; cilium-cli names the node on the first. */
static void print_rows(struct tabwriter *tw, struct rows *r, print_row_fn *print_row,
                       const struct layout *l, const char *node)
{
	struct layout row_layout = *l;
	if (r->n > 1) /* qsort wants a real array even for nothing */
		qsort(r->v, r->n, sizeof(*r->v), row_cmp);
	for (size_t i = 0; i < r->n; i++) {
		if (l->node != NULL)
			row_layout.node = i == 0 ? node : "";
		print_row(tw, &r->v[i], &row_layout);
	}
}

static int finish(struct tabwriter *tw, struct rows *r)
{
	int rc = tw_flush(tw);
	tw_free(tw);
	bool failed = r->failed;
	free(r->v);
	return rc < 0 || failed ? -1 : 0;
}

static int dbg_table(FILE *out, const char *header, const json_t *result, collect_fn *collect,
                     print_row_fn *print_row, const struct layout *l)
{
	struct rows r = { 0 };
	struct tabwriter *tw = tw_new(out, TW_CILIUM);
	if (tw == NULL)
		return -1;
	tw_puts(tw, header);
	collect(&r, result);
	print_rows(tw, &r, print_row, l, NULL);
	return finish(tw, &r);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* cilium-cli: nodes by name (Go's sort.Strings), each node's rows. */
static int cli_table(FILE *out, const char *header, const json_t *by_node, collect_fn *collect,
                     print_row_fn *print_row, const struct layout *l)
{
	struct rows r = { 0 };
	size_t n = json_object_size(by_node), i = 0;
	const char **nodes = calloc(n + 1, sizeof(*nodes));
	struct tabwriter *tw = tw_new(out, TW_CILIUM);
	if (nodes == NULL || tw == NULL) {
		free(nodes);
		tw_free(tw);
		return -1;
	}
	/* jansson has no const iterator; nothing is changed through it */
	for (void *it = json_object_iter((json_t *)by_node); it != NULL;
	     it = json_object_iter_next((json_t *)by_node, it))
		nodes[i++] = json_object_iter_key(it);
	qsort(nodes, n, sizeof(*nodes), name_cmp);
	tw_puts(tw, header);
	for (i = 0; i < n; i++) {
		r.n = 0;
		collect(&r, json_object_get(by_node, nodes[i]));
		print_rows(tw, &r, print_row, l, nodes[i]);
	}
	free(nodes);
	return finish(tw, &r);
}

/* Cilium's headers; the last column is never padded. */
#define PEERS_HEADER                                                                               \
	"Local AS\tPeer AS\tPeer Address\tSession\tUptime\tFamily\t"                               \
	"Received\tAdvertised\n"
#define CLI_PEERS_HEADER                                                                           \
	"Node\tLocal AS\tPeer AS\tPeer Address\tSession State\tUptime\tFamily\t"                   \
	"Received\tAdvertised\n"
#define ROUTES_HEADER      "VRouter\tPrefix\tNextHop\tAge\tAttrs\n"
#define PEER_ROUTES_HEADER "VRouter\tPeer\tPrefix\tNextHop\tAge\tAttrs\n"
#define POLICIES_HEADER                                                                            \
	"VRouter\tPolicy Name\tType\tMatch Peers\tMatch Families\t"                                \
	"Match Prefixes (Min..Max Len)\tRIB Action\tPath Actions\n"

int cilium_dbg_peers(FILE *out, const json_t *result)
{
	return dbg_table(out, PEERS_HEADER, result, collect_peers, peer_line, &dbg_layout);
}

int cilium_cli_peers(FILE *out, const json_t *by_node)
{
	return cli_table(out, CLI_PEERS_HEADER, by_node, collect_peers, peer_line, &cli_layout);
}

static void paths(struct rows *r, const json_t *result)
{
	collect_paths(r, result, false);
}

static void paths_and_empty_routes(struct rows *r, const json_t *result)
{
	collect_paths(r, result, true);
}

int cilium_dbg_routes(FILE *out, const json_t *result, bool print_peer)
{
	struct layout l = dbg_layout;
	l.print_peer = print_peer;
	return dbg_table(out, print_peer ? PEER_ROUTES_HEADER : ROUTES_HEADER, result, paths,
	                 path_line, &l);
}

int cilium_cli_routes(FILE *out, const json_t *by_node, bool print_peer)
{
	struct layout l = cli_layout;
	l.print_peer = print_peer;
	return cli_table(out, print_peer ? "Node\t" PEER_ROUTES_HEADER : "Node\t" ROUTES_HEADER,
	                 by_node, paths_and_empty_routes, path_line, &l);
}

int cilium_dbg_route_policies(FILE *out, const json_t *result)
{
	return dbg_table(out, POLICIES_HEADER, result, collect_policies, policy_line, &dbg_layout);
}

/* ---- durations: Go's time.Duration.String() for whole seconds ---- */

void cilium_duration(struct sbuf *s, int64_t seconds)
{
	uint64_t u = seconds < 0 ? -(uint64_t)seconds : (uint64_t)seconds;
	const char *sign = seconds < 0 ? "-" : "";

	if (u < 60)
		sbuf_printf(s, "%s%llus", sign, (unsigned long long)u);
	else if (u < 3600)
		sbuf_printf(s, "%s%llum%llus", sign, (unsigned long long)(u / 60),
		            (unsigned long long)(u % 60));
	else
		sbuf_printf(s, "%s%lluh%llum%llus", sign, (unsigned long long)(u / 3600),
		            (unsigned long long)(u / 60 % 60), (unsigned long long)(u % 60));
}

void cilium_duration_ns(struct sbuf *s, int64_t ns)
{
	const int64_t second = 1000000000;
	int64_t r = ns % second; /* as Go's %: the sign of ns */

	/* Duration.Round: half away from zero; where that overflows, Go
	 * returns the extreme Duration, which prints its nanoseconds */
	if (ns >= 0 && r >= second / 2 && ns > INT64_MAX - (second - r)) {
		sbuf_puts(s, "2562047h47m16.854775807s");
		return;
	}
	if (ns < 0 && -r >= second / 2 && ns < INT64_MIN + (second + r)) {
		sbuf_puts(s, "-2562047h47m16.854775808s");
		return;
	}
	int64_t secs = ns / second;
	if (r >= second / 2)
		secs++;
	else if (-r >= second / 2)
		secs--;
	cilium_duration(s, secs);
}
