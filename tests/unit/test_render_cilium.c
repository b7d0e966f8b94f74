/*
 * Cilium's tables: the tabwriter's column rules, the renderers against
 * golden texts (tests/golden/cilium/NAME.json rendered and compared byte
 * for byte with NAME.txt; README.md there says where the texts come from),
 * Go's durations, and the `bgp routes` arguments with Cilium's notices and
 * errors.  The tabwriter layouts and durations below are as Go 1.19's
 * text/tabwriter and time print them; the golden texts are Cilium 1.18's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/cilium_args.h"
#include "ctl/render_cilium.h"
#include "ctl/tabwriter.h"

/* Set by tests/CMakeLists.txt; derived from the vectors' place otherwise. */
#ifndef KBGP_CILIUM_GOLDEN_DIR
#define KBGP_CILIUM_GOLDEN_DIR KBGP_VECTORS_DIR "/../golden/cilium"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Where two texts first differ, with line ends shown as '$'. */
static void assert_text(const char *what, const char *got, size_t got_len, const char *want,
                        size_t want_len)
{
	if (got_len == want_len && memcmp(got, want, got_len) == 0)
		return;
	size_t i = 0, line = 1, start = 0;
	while (i < got_len && i < want_len && got[i] == want[i])
		if (got[i++] == '\n') {
			line++;
			start = i;
		}
	int wn = (int)strcspn(want + start, "\n"), gn = (int)strcspn(got + start, "\n");
	fail_msg("%s, line %zu:\n  want %.*s$\n  got  %.*s$", what, line, wn, want + start, gn,
	         got + start);
}

/* ---- tabwriter ---- */

struct tw_case {
	const char *name;
	struct tw_settings set;
	const char *in;
	const char *want;
};

#define CILIUM TW_CILIUM
static const struct tw_case tw_cases[] = {
	{ "columns", CILIUM, "a\tb\tc\naaaa\tbbbbbbb\tc\n",
	  "a      b         c\naaaa   bbbbbbb   c\n" },
	/* the last cell is not padded, so "\t\n" pads the cell before it */
	{ "trailing padding", CILIUM, "a\tb\t\naaa\tbbbbbb\t\n",
	  "a     b        \naaa   bbbbbb   \n" },
	{ "last cell in no column", CILIUM, "a\tlong last cell\nbb\tx\n",
	  "a    long last cell\nbb   x\n" },
	{ "line without tab ends block", CILIUM, "aaaaaaaaaa\tx\nno tabs here\na\tx\n",
	  "aaaaaaaaaa   x\nno tabs here\na    x\n" },
	/* Go's doc: b and c are in distinct columns, d and e in none */
	{ "go doc example", CILIUM, "aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n",
	  "aaaa   bbb   d\naa     b     dd\na      \naa     cccc   eee\n" },
	{ "empty cells", CILIUM, "\t\tx\na\tb\tc\n", "          x\na    b    c\n" },
	/* characters, not bytes */
	{ "utf-8 widths", CILIUM, "\xc3\xbc\tx\nabc\ty\n\xe2\x82\xac\tz\n\xf0\x9f\x90\x9d\t!\n",
	  "\xc3\xbc     x\nabc   y\n\xe2\x82\xac     z\n\xf0\x9f\x90\x9d     !\n" },
	{ "unfinished line", CILIUM, "a\tb\nccccccc\td", "a         b\nccccccc   d" },
	{ "other settings",
	  { .minwidth = 10, .padding = 0 },
	  "a\tb\nabc\tc\n",
	  "a         b\nabc       c\n" },
	{ "nothing", CILIUM, "", "" },
};

/* Write in pieces of `step` bytes (0: at once). */
static void tw_check(const struct tw_case *c, size_t step)
{
	char *got = NULL, what[96];
	size_t got_len = 0, len = strlen(c->in);
	FILE *out = open_memstream(&got, &got_len);
	struct tabwriter *tw = tw_new(out, c->set);

	assert_non_null(tw);
	for (size_t i = 0; i < len; i += step == 0 ? len : step)
		tw_write(tw, c->in + i, step == 0 || len - i < step ? len - i : step);
	assert_int_equal(tw_flush(tw), 0);
	tw_free(tw);
	fclose(out);
	snprintf(what, sizeof(what), "%s (pieces of %zu)", c->name, step);
	assert_text(what, got, got_len, c->want, strlen(c->want));
	free(got);
}

static void test_tabwriter(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(tw_cases); i++)
		for (size_t step = 0; step <= 3; step++)
			tw_check(&tw_cases[i], step);
}

/* Each tw_flush writes what was held since the one before, as a table of
 * its own. */
static void test_tabwriter_flushes(void **state)
{
	(void)state;
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	struct tabwriter *tw = tw_new(out, TW_CILIUM);

	tw_puts(tw, "a long cell\tb\n");
	fflush(out);
	assert_int_equal(len, 0);
	assert_int_equal(tw_flush(tw), 0);
	assert_string_equal(got, "a long cell   b\n");
	tw_printf(tw, "%d\t%s\n", 42, "x");
	assert_int_equal(tw_flush(tw), 0);
	assert_int_equal(tw_flush(tw), 0);
	tw_free(tw);
	fclose(out);
	assert_string_equal(got, "a long cell   b\n42   x\n");
	free(got);
}

static void test_tabwriter_write_error(void **state)
{
	(void)state;
	FILE *ro = fopen("/dev/null", "r");
	struct tabwriter *tw = tw_new(ro, TW_CILIUM);
	tw_puts(tw, "a\tb\n");
	assert_int_equal(tw_flush(tw), -1);
	tw_free(tw);
	fclose(ro);
}

/* ---- golden tables ---- */

enum table { DBG_PEERS, CLI_PEERS, DBG_ROUTES, CLI_ROUTES, DBG_POLICIES };

struct golden {
	const char *name; /* NAME.json -> NAME.txt */
	enum table table;
	bool print_peer; /* routes: the Peer column */
};

static char *read_file(const char *name, const char *ext, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.%s", KBGP_CILIUM_GOLDEN_DIR, name, ext);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: missing", path);
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	return text;
}

static int render(FILE *out, const struct golden *g, const json_t *j)
{
	switch (g->table) {
	case DBG_PEERS:
		return cilium_dbg_peers(out, j);
	case CLI_PEERS:
		return cilium_cli_peers(out, j);
	case DBG_ROUTES:
		return cilium_dbg_routes(out, j, g->print_peer);
	case CLI_ROUTES:
		return cilium_cli_routes(out, j, g->print_peer);
	default:
		return cilium_dbg_route_policies(out, j);
	}
}

static void test_golden(void **state)
{
	const struct golden *g = *state;
	size_t json_len, want_len, got_len = 0;
	char *json = read_file(g->name, "json", &json_len);
	char *want = read_file(g->name, "txt", &want_len);
	char *got = NULL;
	json_error_t err;
	json_t *j = json_loadb(json, json_len, 0, &err);
	if (j == NULL)
		fail_msg("%s.json:%d: %s", g->name, err.line, err.text);

	FILE *out = open_memstream(&got, &got_len);
	assert_int_equal(render(out, g, j), 0);
	fclose(out);
	assert_text(g->name, got, got_len, want, want_len);
	json_decref(j);
	free(json);
	free(want);
	free(got);
}

/* Answers without the expected members print the header alone. */
static void test_odd_answers(void **state)
{
	(void)state;
	char *got = NULL;
	size_t len = 0;
	json_t *odd = json_pack("{s:i}", "instances", 3);
	FILE *out = open_memstream(&got, &len);

	assert_int_equal(cilium_dbg_peers(out, odd), 0);
	assert_int_equal(cilium_dbg_routes(out, NULL, false), 0);
	assert_int_equal(cilium_cli_peers(out, odd), 0);
	fclose(out);
	assert_string_equal(got,
	                    "Local AS   Peer AS   Peer Address   Session   Uptime   Family   "
	                    "Received   Advertised\n"
	                    "VRouter   Prefix   NextHop   Age   Attrs\n"
	                    "Node   Local AS   Peer AS   Peer Address   Session State   Uptime   "
	                    "Family   Received   Advertised\n");
	json_decref(odd);
	free(got);
}

/* ---- durations ---- */

static void assert_duration(bool ns, int64_t v, const char *want)
{
	char text[64];
	struct sbuf s;
	sbuf_init(&s, text, sizeof(text));
	if (ns)
		cilium_duration_ns(&s, v);
	else
		cilium_duration(&s, v);
	assert_string_equal(text, want);
}

static void test_durations(void **state)
{
	(void)state;
	assert_duration(false, 0, "0s");
	assert_duration(false, 59, "59s");
	assert_duration(false, 60, "1m0s");
	assert_duration(false, 182, "3m2s");
	assert_duration(false, 2805, "46m45s");
	assert_duration(false, 3600, "1h0m0s");
	assert_duration(false, 264859, "73h34m19s");
	assert_duration(false, -182, "-3m2s");
	/* Round(time.Second): half away from zero; overflow gives the extremes */
	assert_duration(true, 1499999999, "1s");
	assert_duration(true, 1500000000, "2s");
	assert_duration(true, 499999999, "0s");
	assert_duration(true, 500000000, "1s");
	assert_duration(true, -500000000, "-1s");
	assert_duration(true, -499999999, "0s");
	assert_duration(true, 9223372036499999999, "2562047h47m16s");
	assert_duration(true, 9223372036500000000, "2562047h47m16.854775807s");
	assert_duration(true, INT64_MAX, "2562047h47m16.854775807s");
	assert_duration(true, -9223372036499999999, "-2562047h47m16s");
	assert_duration(true, -9223372036500000000, "-2562047h47m16.854775808s");
	assert_duration(true, INT64_MIN, "-2562047h47m16.854775808s");
}

/* ---- `bgp routes` arguments ---- */

struct args_case {
	const char *argv[8];
	const char *table, *afi, *safi;
	const char *vrouter; /* NULL: none */
	const char *peer;
	bool print_peer;
	const char *notice; /* or, when the words are refused, the error */
};

#define SEE_HELP       ", please see help for more options)\n\n"
#define ROUTES_DEFAULT "(Defaulting to `available ipv4 unicast` routes" SEE_HELP
#define AFI_DEFAULT    "(Defaulting to `ipv4 unicast` AFI & SAFI" SEE_HELP
#define SAFI_DEFAULT   "(Defaulting to `unicast` SAFI" SEE_HELP
#define PEER_ERR       "Error: failed to parse peer address: "
#define BAD_PEER       PEER_ERR "invalid peer IP address: "
#define BAD_ASN        "Error: failed to parse vrouter ASN: invalid vrouter ASN: "
#define ASN_RANGE      "\" is not a number from 0 to 4294967295\n\n"

static const struct args_case args_cases[] = {
	{ { NULL }, "loc-rib", "ipv4", "unicast", NULL, "", false, ROUTES_DEFAULT },
	{ { "advertised" }, "adj-rib-out", "ipv4", "unicast", NULL, "", true, AFI_DEFAULT },
	{ { "available", "ipv6" }, "loc-rib", "ipv6", "unicast", NULL, "", false, SAFI_DEFAULT },
	{ { "advertised", "ipv6" },
	  "adj-rib-out",
	  "ipv6",
	  "unicast",
	  NULL,
	  "",
	  true,
	  SAFI_DEFAULT },
	{ { "available", "ipv6", "unicast" }, "loc-rib", "ipv6", "unicast", NULL, "", false, "" },
	{ { "advertised", "ipv4", "unicast", "vrouter", "65001", "peer", "FD00:10:0:0::1" },
	  "adj-rib-out",
	  "ipv4",
	  "unicast",
	  "65001",
	  "fd00:10::1",
	  false,
	  "" },
	{ { "advertised", "ipv4", "unicast", "neighbor", "10.0.0.1" },
	  "adj-rib-out",
	  "ipv4",
	  "unicast",
	  NULL,
	  "10.0.0.1",
	  false,
	  "" },
	{ { "advertised", "ipv4", "unicast", "vrouter", "4294967295" },
	  "adj-rib-out",
	  "ipv4",
	  "unicast",
	  "4294967295",
	  "",
	  true,
	  "" },
	{ { "advertised", "ipv4", "unicast", "vrouter", "0", "peer", "10.0.0.1", "extra" },
	  "adj-rib-out",
	  "ipv4",
	  "unicast",
	  "0",
	  "10.0.0.1",
	  false,
	  "" },
	/* a peer is read for the advertised table only; other words are ignored */
	{ { "available", "ipv4", "unicast", "peer", "10.0.0.1" },
	  "loc-rib",
	  "ipv4",
	  "unicast",
	  NULL,
	  "",
	  false,
	  "" },
	{ { "available", "ipv4", "unicast", "junk" },
	  "loc-rib",
	  "ipv4",
	  "unicast",
	  NULL,
	  "",
	  false,
	  "" },
	/* Cilium's names pass, though kbgpd knows only ipv4/ipv6 unicast */
	{ { "available", "l2vpn", "evpn" }, "loc-rib", "l2vpn", "evpn", NULL, "", false, "" },
	{ { "bogus" },
	  .notice = "Error: invalid argument: invalid table type discriminator `bogus` "
	            "(should be `available` / `advertised`)\n\n" },
	{ { "available", "ipv5" }, .notice = "Error: invalid argument: unknown AFI ipv5\n\n" },
	{ { "available", "IPv4" }, .notice = "Error: invalid argument: unknown AFI IPv4\n\n" },
	{ { "available", "ipv4", "anycast" },
	  .notice = "Error: invalid argument: unknown SAFI anycast\n\n" },
	{ { "available", "ipv4", "unicast", "vrouter" },
	  .notice = "Error: failed to parse vrouter ASN: missing vrouter ASN value\n\n" },
	/* a decimal ASN, 0 to 4294967295: no sign, blank or other base */
	{ { "available", "ipv4", "unicast", "vrouter", "abc" },
	  .notice = BAD_ASN "\"abc" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "" }, .notice = BAD_ASN "\"" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "-5" }, .notice = BAD_ASN "\"-5" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "+7" }, .notice = BAD_ASN "\"+7" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", " 7" }, .notice = BAD_ASN "\" 7" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "7x" }, .notice = BAD_ASN "\"7x" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "0x10" },
	  .notice = BAD_ASN "\"0x10" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "4294967296" },
	  .notice = BAD_ASN "\"4294967296" ASN_RANGE },
	{ { "available", "ipv4", "unicast", "vrouter", "99999999999999999999" },
	  .notice = BAD_ASN "\"99999999999999999999" ASN_RANGE },
	{ { "advertised", "ipv4", "unicast", "10.0.0.1" },
	  .notice = PEER_ERR "missing `peer` parameter\n\n" },
	{ { "advertised", "ipv4", "unicast", "vrouter", "1", "peer" },
	  .notice = PEER_ERR "missing peer IP address\n\n" },
};

static void test_routes_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(args_cases); i++) {
		const struct args_case *c = &args_cases[i];
		struct cilium_routes_args a;
		int argc = 0;
		while (argc < 8 && c->argv[argc] != NULL)
			argc++;
		int rc = cilium_routes_args(argc, (char *const *)c->argv, false, &a);
		if (c->table == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(a.error, c->notice);
			continue;
		}
		char vrouter[32] = "";
		if (a.has_vrouter)
			snprintf(vrouter, sizeof(vrouter), "%lu", (unsigned long)a.vrouter);
		assert_int_equal(rc, 0);
		assert_string_equal(a.table, c->table);
		assert_string_equal(a.afi, c->afi);
		assert_string_equal(a.safi, c->safi);
		assert_string_equal(vrouter, c->vrouter != NULL ? c->vrouter : "");
		assert_string_equal(a.peer, c->peer);
		assert_int_equal(a.print_peer, c->print_peer);
		assert_string_equal(a.notice, c->notice);
	}
}

/* -o: no notice, the same defaults. */
static void test_routes_args_silent(void **state)
{
	(void)state;
	struct cilium_routes_args a;
	assert_int_equal(cilium_routes_args(0, NULL, true, &a), 0);
	assert_string_equal(a.notice, "");
	assert_string_equal(a.table, "loc-rib");
}

/* The peer: IPv4 or IPv6 (with a zone or not), printed back by inet_ntop;
 * anything else is refused with Cilium's prefix and our reason. */
static void test_routes_args_peer(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "10.0.0.1", "10.0.0.1" },
		{ "FD00:10:0:0:0:0:0:1", "fd00:10::1" },
		{ "::ffff:10.0.0.1", "::ffff:10.0.0.1" },
		{ "fe80::1%eth0", "fe80::1%eth0" },
		{ "x", NULL },
		{ "10.0.0.256", NULL },
		{ "10.0.0.1%eth0", NULL },
		{ "1::2::3", NULL },
		{ "fe80::1%", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *argv[] = { "advertised", "ipv4", "unicast", "peer", cases[i][0] };
		struct cilium_routes_args a;
		int rc = cilium_routes_args(5, (char *const *)argv, false, &a);
		if (cases[i][1] != NULL) {
			assert_int_equal(rc, 0);
			assert_string_equal(a.peer, cases[i][1]);
		} else {
			assert_int_equal(rc, -1);
			assert_memory_equal(a.error, BAD_PEER, strlen(BAD_PEER));
			assert_string_equal(a.peer, "");
		}
	}
}

/* Each golden case is a test of its own, named after its files. */
#define GOLDENS(X)                                                                                 \
	X(dbg_peers_doc, DBG_PEERS, false)                                                         \
	X(dbg_peers_multi, DBG_PEERS, false)                                                       \
	X(dbg_peers_no_families, DBG_PEERS, false)                                                 \
	X(dbg_peers_empty, DBG_PEERS, false)                                                       \
	X(cli_peers_doc, CLI_PEERS, false)                                                         \
	X(cli_peers_multi, CLI_PEERS, false)                                                       \
	X(cli_peers_no_families, CLI_PEERS, false)                                                 \
	X(cli_peers_empty, CLI_PEERS, false)                                                       \
	X(dbg_routes_available_doc, DBG_ROUTES, false)                                             \
	X(dbg_routes_advertised_doc, DBG_ROUTES, true)                                             \
	X(dbg_routes_available_multi, DBG_ROUTES, false)                                           \
	X(dbg_routes_advertised_multi, DBG_ROUTES, true)                                           \
	X(dbg_routes_empty, DBG_ROUTES, false)                                                     \
	X(dbg_routes_advertised_empty, DBG_ROUTES, true)                                           \
	X(cli_routes_advertised_doc, CLI_ROUTES, true)                                             \
	X(cli_routes_available, CLI_ROUTES, false)                                                 \
	X(cli_routes_multipath, CLI_ROUTES, false)                                                 \
	X(cli_routes_pathless, CLI_ROUTES, false)                                                  \
	X(cli_routes_empty, CLI_ROUTES, true)                                                      \
	X(dbg_route_policies_doc, DBG_POLICIES, false)                                             \
	X(dbg_route_policies_multi, DBG_POLICIES, false)                                           \
	X(dbg_route_policies_empty, DBG_POLICIES, false)

#define GOLDEN_CASE(n, t, p) static struct golden golden_##n = { #n, t, p };
GOLDENS(GOLDEN_CASE)

#define GOLDEN_TEST(n, t, p)                                                                       \
	{ .name = "golden " #n, .test_func = test_golden, .initial_state = &golden_##n },

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tabwriter),
		cmocka_unit_test(test_tabwriter_flushes),
		cmocka_unit_test(test_tabwriter_write_error),
		GOLDENS(GOLDEN_TEST) cmocka_unit_test(test_odd_answers),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_routes_args),
		cmocka_unit_test(test_routes_args_silent),
		cmocka_unit_test(test_routes_args_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
