/*
 * render_frr against golden texts: each case renders one view of a
 * fixture (kbgpd answers, tests/golden/frr/FIXTURE.json) and compares it
 * byte for byte with tests/golden/frr/NAME.txt.  tests/golden/frr/README.md
 * says what each fixture describes and how its texts differ from FRR's.
 * KBGP_GOLDEN_UPDATE=1 rewrites the texts from the renderer instead: review
 * the diff before keeping it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ctl/render_frr.h"

/* Set by tests/CMakeLists.txt; derived from the vectors' place otherwise. */
#ifndef KBGP_GOLDEN_DIR
#define KBGP_GOLDEN_DIR KBGP_VECTORS_DIR "/../golden/frr"
#endif

enum view {
	SUMMARY, /* show ip bgp summary (ipv4) / show bgp ipv6 unicast summary */
	TABLE,   /* show ip bgp / show bgp ipv6 unicast */
	PREFIX,  /* show ip bgp PREFIX */
	ROUTE,   /* show ip route bgp / show ipv6 route bgp */
};

struct golden {
	const char *name;    /* NAME.txt */
	const char *fixture; /* FIXTURE.json */
	enum view view;
	const char *arg; /* the family; for PREFIX the prefix */
	bool as_frr;     /* also byte for byte what FRR printed, frr84/NAME.txt */
};

static const struct golden goldens[] = {
	/* The seed lab's router (DIGEST.md results 6, 8, 11, 12). */
	{ "seed_before_summary", "seed_before", SUMMARY, "ipv4", false },
	{ "seed_before_bgp", "seed_before", TABLE, "ipv4", false },
	{ "seed_peered_summary", "seed_peered", SUMMARY, "ipv4", false },
	{ "seed_peered_bgp", "seed_peered", TABLE, "ipv4", false },
	{ "seed_maintenance_summary", "seed_maintenance", SUMMARY, "ipv4", false },
	{ "seed_maintenance_bgp", "seed_maintenance", TABLE, "ipv4", false },
	{ "seed_maintenance_route", "seed_maintenance", ROUTE, "ipv4", false },
	{ "seed_lb_cluster_summary", "seed_lb_cluster", SUMMARY, "ipv4", false },
	{ "seed_lb_cluster_bgp", "seed_lb_cluster", TABLE, "ipv4", false },
	{ "seed_lb_cluster_prefix", "seed_lb_cluster", PREFIX, "172.16.1.1/32", false },
	{ "seed_lb_cluster_route", "seed_lb_cluster", ROUTE, "ipv4", false },
	{ "seed_lb_local_bgp", "seed_lb_local", TABLE, "ipv4", false },
	{ "seed_lb_local_prefix", "seed_lb_local", PREFIX, "172.16.1.1/32", false },
	{ "seed_lb_local_route", "seed_lb_local", ROUTE, "ipv4", false },
	/* The FRR 8.4 lab (frr84/ holds what FRR printed). */
	{ "lab_up_summary", "lab_up", SUMMARY, "ipv4", false },
	{ "lab_up_summary6", "lab_up", SUMMARY, "ipv6", true },
	{ "lab_up_bgp", "lab_up", TABLE, "ipv4", false },
	{ "lab_up_bgp6", "lab_up", TABLE, "ipv6", false },
	{ "lab_up_prefix_ecmp", "lab_up", PREFIX, "172.16.1.1/32", false },
	{ "lab_up_prefix_ibgp", "lab_up", PREFIX, "10.50.0.0/16", false },
	{ "lab_up_prefix_local", "lab_up", PREFIX, "10.10.1.0/24", false },
	{ "lab_up_prefix6", "lab_up", PREFIX, "2001:db8:99::/48", false },
	{ "lab_up_route", "lab_up", ROUTE, "ipv4", false },
	{ "lab_up_route6", "lab_up", ROUTE, "ipv6", false },
	{ "lab_down_summary", "lab_down", SUMMARY, "ipv4", false },
	{ "lab_down_bgp", "lab_down", TABLE, "ipv4", false },
	{ "lab_down_prefix_stale", "lab_down", PREFIX, "172.20.0.0/24", false },
	{ "lab_down_route", "lab_down", ROUTE, "ipv4", false },
	{ "empty_summary", "empty", SUMMARY, "ipv4", true },
	{ "empty_bgp", "empty", TABLE, "ipv4", true },
	{ "empty_bgp6", "empty", TABLE, "ipv6", true },
	{ "empty_prefix", "empty", PREFIX, "10.0.0.0/24", true },
	{ "empty_route", "empty", ROUTE, "ipv4", true },
	{ "idle_summary", "idle", SUMMARY, "ipv4", true },
	{ "idle_summary6", "idle", SUMMARY, "ipv6", true },
	/* Made up for what the labs could not show. */
	{ "fib_states_route", "fib_states", ROUTE, "ipv4", false },
	{ "fib_states_route6", "fib_states", ROUTE, "ipv6", false },
	{ "agent_summary", "agent", SUMMARY, "ipv4", false },
	{ "agent_summary6", "agent", SUMMARY, "ipv6", false },
	{ "agent_bgp6", "agent", TABLE, "ipv6", false },
	{ "agent_prefix", "agent", PREFIX, "2001:db8:100::/48", false },
};

static json_t *load_fixture(const char *name)
{
	char path[512];
	json_error_t err;

	snprintf(path, sizeof(path), "%s/%s.json", KBGP_GOLDEN_DIR, name);
	json_t *j = json_load_file(path, 0, &err);
	if (j == NULL)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	return j;
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t cap = 0;

	if (f == NULL)
		fail_msg("%s: missing (KBGP_GOLDEN_UPDATE=1 writes it)", path);
	FILE *mem = open_memstream(&text, &cap);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	*len = cap;
	return text;
}

static const json_t *member(const json_t *fixture, const char *prefix, const char *afi)
{
	char key[64];
	snprintf(key, sizeof(key), "%s%s", prefix, afi);
	return json_object_get(fixture, key);
}

static int render_view(FILE *out, const json_t *fx, const struct golden *g)
{
	const json_t *stats = json_object_get(fx, "stats");
	const json_t *query = json_object_get(json_object_get(fx, "prefix"), g->arg);
	time_t now = (time_t)json_integer_value(json_object_get(fx, "now"));

	switch (g->view) {
	case SUMMARY:
		return frr_show_bgp_summary(out, json_object_get(fx, "peers"), g->arg,
		                            strcmp(g->arg, "ipv4") == 0, stats);
	case TABLE:
		return frr_show_bgp(out, member(fx, "routes_", g->arg), stats);
	case PREFIX:
		return frr_show_bgp_prefix(out, json_object_get(query, "routes"),
		                           json_object_get(query, "adj_out"), stats, now);
	default:
		return frr_show_route_bgp(out, json_object_get(fx, "fib"), g->arg,
		                          member(fx, "routes_", g->arg));
	}
}

/* Where two texts first differ, as "line N: want ... / got ...". */
static void report_difference(const char *name, const char *want, const char *got)
{
	int line = 1;
	while (*want != '\0' && *want == *got) {
		line += *want == '\n';
		want++, got++;
	}
	while (line > 1 && want[-1] != '\n')
		want--, got--;
	fprintf(stderr, "%s line %d\n  want: %.*s\n  got:  %.*s\n", name, line,
	        (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

/* Whether text is that of the file at path (differences are printed). */
static bool same_as_file(const char *name, const char *path, const char *got, size_t got_len)
{
	size_t want_len;
	char *want = read_text(path, &want_len);
	bool same = want_len == got_len && memcmp(want, got, got_len) == 0;

	if (!same)
		report_difference(name, want, got);
	free(want);
	return same;
}

/* Whether the view renders as its golden text says. */
static bool matches_golden(const struct golden *g)
{
	char path[512], *got = NULL;
	size_t got_len = 0;
	json_t *fx = load_fixture(g->fixture);
	FILE *out = open_memstream(&got, &got_len);

	assert_int_equal(render_view(out, fx, g), 0);
	fclose(out);
	json_decref(fx);
	snprintf(path, sizeof(path), "%s/%s.txt", KBGP_GOLDEN_DIR, g->name);
	if (getenv("KBGP_GOLDEN_UPDATE") != NULL) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fwrite(got, 1, got_len, f);
		fclose(f);
	}
	bool same = same_as_file(g->name, path, got, got_len);
	if (g->as_frr) {
		snprintf(path, sizeof(path), "%s/frr84/%s.txt", KBGP_GOLDEN_DIR, g->name);
		same &= same_as_file(g->name, path, got, got_len);
	}
	free(got);
	return same;
}

static void test_goldens(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++)
		failed += !matches_golden(&goldens[i]);
	assert_int_equal(failed, 0);
}

/* bgpd's peer_uptime at each boundary. */
static void test_uptime(void **state)
{
	static const struct {
		long long seconds;
		const char *text;
	} cases[] = {
		{ 0, "00:00:00" },
		{ 62, "00:01:02" },
		{ 86399, "23:59:59" },
		{ 86400, "1d00h00m" },
		{ 93780, "1d02h03m" },
		{ 604799, "6d23h59m" },
		{ 604800, "01w0d00h" },
		{ 788400, "01w2d03h" },
		{ 31535999, "52w0d23h" },
		{ 31536000, "01y00w0d" },
		{ 31536000 + 16 * 86400, "01y02w2d" },
		{ -5, "00:00:00" },
	};
	char buf[FRR_UPTIME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(frr_uptime(buf, cases[i].seconds), cases[i].text);
}

/* An answer without the array a view is made of prints nothing. */
static void test_malformed(void **state)
{
	char *text = NULL;
	size_t len = 0;
	json_t *bad = json_pack("{s:s}", "instances", "none");
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(frr_show_bgp_summary(out, bad, "ipv4", true, NULL), -1);
	assert_int_equal(frr_show_bgp(out, bad, NULL), -1);
	assert_int_equal(frr_show_bgp_prefix(out, bad, NULL, NULL, 0), -1);
	assert_int_equal(frr_show_route_bgp(out, bad, "ipv4", NULL), -1);
	fclose(out);
	assert_int_equal(len, 0);
	free(text);
	json_decref(bad);
}

int main(void)
{
	/* "Last update:" is local time, as in FRR. */
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
