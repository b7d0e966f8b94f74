/*
 * Manifests: multi-document YAML, scalar typing, positions, the limits that
 * stop alias bombs and deep nesting, JSON parity, and the typed getters'
 * exact messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "k8s/manifest.h"
#include "testlib.h"

static int load_yaml(struct manifest_set *s, const char *file, const char *text)
{
	return manifest_load_yaml(s, file, text, strlen(text));
}

static int load_json(struct manifest_set *s, const char *file, const char *text)
{
	return manifest_load_json(s, file, text, strlen(text));
}

/* Fail with every error printed when the list is not exactly want[]. */
static void assert_errors(const struct manifest_set *s, const char *const *want, size_t n)
{
	bool same = s->n_errors == n;

	for (size_t i = 0; same && i < n; i++)
		same = strcmp(s->errors[i].text, want[i]) == 0;
	if (same)
		return;
	for (size_t i = 0; i < n; i++)
		print_error("want: %s\n", want[i]);
	for (size_t i = 0; i < s->n_errors; i++)
		print_error("got:  %s\n", s->errors[i].text);
	fail();
}

#define ASSERT_ERRORS(s, ...)                                                                      \
	do {                                                                                       \
		const char *const want_[] = { __VA_ARGS__ };                                       \
		assert_errors((s), want_, sizeof(want_) / sizeof(want_[0]));                       \
	} while (0)

static const json_t *at_path(const json_t *v, const char *a, const char *b, const char *c)
{
	v = json_object_get(v, a);
	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	return v;
}

static void test_seed_stream(void **state)
{
	(void)state;
	struct manifest_set s;
	size_t len;
	char *text = tl_manifest("seed-cilium.yaml", &len);
	unsigned line, col;

	manifest_set_init(&s, NULL);
	assert_int_equal(manifest_load_yaml(&s, "seed.yaml", text, len), 0);
	assert_int_equal(s.n_errors, 0);
	assert_int_equal(s.n_objs, 3);

	const char *kinds[] = { "CiliumBGPAdvertisement", "CiliumBGPPeerConfig",
		                "CiliumBGPClusterConfig" };
	const char *names[] = { "bgp-advertisements", "cilium-peer", "cilium-bgp" };
	const unsigned lines[] = { 1, 8, 20 };
	for (unsigned i = 0; i < 3; i++) {
		assert_string_equal(s.objs[i].file, "seed.yaml");
		assert_string_equal(s.objs[i].api_version, "cilium.io/v2");
		assert_string_equal(s.objs[i].kind, kinds[i]);
		assert_string_equal(s.objs[i].name, names[i]);
		assert_null(s.objs[i].ns);
		assert_int_equal(s.objs[i].doc, i);
		assert_int_equal(s.objs[i].item, -1);
		assert_int_equal(s.objs[i].line, lines[i]);
		assert_int_equal(s.objs[i].col, 1);
	}

	/* Plain 9 is an integer, quoted "PodCIDR" and "true" stay strings. */
	const json_t *timers = at_path(s.objs[1].root, "spec", "timers", NULL);
	assert_true(json_is_integer(json_object_get(timers, "holdTimeSeconds")));
	assert_int_equal(json_integer_value(json_object_get(timers, "holdTimeSeconds")), 9);
	assert_true(json_is_true(at_path(s.objs[1].root, "spec", "gracefulRestart", "enabled")));
	const json_t *labels = at_path(s.objs[2].root, "spec", "nodeSelector", "matchLabels");
	assert_string_equal(json_string_value(json_object_get(labels, "enable-bgp")), "true");
	const json_t *adv =
	        json_array_get(at_path(s.objs[0].root, "spec", "advertisements", NULL), 0);
	assert_string_equal(json_string_value(json_object_get(adv, "advertisementType")),
	                    "PodCIDR");

	/* "  timers: {holdTimeSeconds: 9, ..." on line 12. */
	assert_true(manifest_key_pos(&s, timers, "holdTimeSeconds", &line, &col));
	assert_int_equal(line, 12);
	assert_int_equal(col, 12);
	assert_true(manifest_member_pos(&s, timers, "holdTimeSeconds", &line, &col));
	assert_int_equal(line, 12);
	assert_int_equal(col, 29);
	assert_true(manifest_pos(&s, timers, &line, &col));
	assert_int_equal(line, 12);
	assert_int_equal(col, 11);
	/* true is shared by jansson: only its parent can place it. */
	const json_t *gr = at_path(s.objs[1].root, "spec", "gracefulRestart", NULL);
	assert_false(manifest_pos(&s, json_object_get(gr, "enabled"), &line, &col));
	assert_true(manifest_member_pos(&s, gr, "enabled", &line, &col));
	assert_int_equal(line, 14);
	assert_int_equal(col, 30);
	const json_t *families = at_path(s.objs[1].root, "spec", "families", NULL);
	assert_true(manifest_item_pos(&s, families, 0, &line, &col));
	assert_int_equal(line, 16);
	assert_int_equal(col, 5);

	manifest_set_free(&s);
	free(text);
}

static void test_seed_decodes_with_getters(void **state)
{
	(void)state;
	static const char *const afis[] = { "ipv4", "ipv6", NULL };
	struct manifest_set s;
	struct manifest_ctx c;
	union sockaddr_any peer;
	size_t len, n;
	char *text = tl_manifest("seed-cilium.yaml", &len);
	uint32_t asn = 0, peer_asn = 0;
	unsigned afi = 9;
	const char *name = NULL;
	char addr[ADDR_TEXT_MAX];

	manifest_set_init(&s, NULL);
	assert_int_equal(manifest_load_yaml(&s, "seed.yaml", text, len), 0);

	manifest_ctx_init(&c, &s, &s.objs[2]);
	assert_true(manifest_enter(&c, MANIFEST_REQUIRED, "spec"));
	assert_int_equal(manifest_get_list(&c, "bgpInstances", MANIFEST_REQUIRED, &n), 1);
	assert_int_equal(n, 1);
	assert_true(manifest_enter(&c, 0, "bgpInstances[%d]", 0));
	assert_string_equal(c.path, "spec.bgpInstances[0]");
	assert_int_equal(manifest_get_u32(&c, "localASN", MANIFEST_REQUIRED, 1, UINT32_MAX, &asn),
	                 1);
	assert_int_equal(asn, 65001);
	assert_int_equal(manifest_get_u32(&c, "peers[0].peerASN", 0, 1, UINT32_MAX, &peer_asn), 1);
	assert_int_equal(peer_asn, 65000);
	assert_int_equal(manifest_get_ip(&c, "peers[0].peerAddress", 0, &peer), 1);
	assert_string_equal(addr_text(&peer, addr), "172.31.1.200");
	assert_int_equal(manifest_get_string(&c, "peers[0].peerConfigRef.name", 0, &name), 1);
	assert_string_equal(name, "cilium-peer");
	manifest_leave(&c);
	manifest_leave(&c);
	assert_string_equal(c.path, "");

	manifest_ctx_init(&c, &s, &s.objs[1]);
	assert_int_equal(manifest_get_enum(&c, "spec.families[0].afi", 0, afis, &afi), 1);
	assert_int_equal(afi, 0);
	assert_int_equal(c.errors, 0);
	assert_int_equal(s.n_errors, 0);

	manifest_set_free(&s);
	free(text);
}

struct typing_case {
	const char *yaml; /* the value of v */
	const char *json; /* what it becomes, or NULL for an error */
	const char *error;
};

static void test_scalar_typing(void **state)
{
	(void)state;
	static const struct typing_case cases[] = {
		{ "\"No\"", "\"No\"", NULL },
		{ "'yes'", "\"yes\"", NULL },
		{ "No", "false", NULL },
		{ "no", "false", NULL },
		{ "n", "false", NULL },
		{ "off", "false", NULL },
		{ "False", "false", NULL },
		{ "true", "true", NULL },
		{ "True", "true", NULL },
		{ "TRUE", "true", NULL },
		{ "yes", "true", NULL },
		{ "On", "true", NULL },
		{ "y", "true", NULL },
		{ "tRUE", "\"tRUE\"", NULL },
		{ "65000", "65000", NULL },
		{ "\"65000\"", "\"65000\"", NULL },
		{ "+12", "12", NULL },
		{ "-0", "0", NULL },
		{ "0x10", "16", NULL },
		{ "-0x10", "-16", NULL },
		{ "9223372036854775807", "9223372036854775807", NULL },
		{ "-9223372036854775808", "-9223372036854775808", NULL },
		{ "1e3", "1000.0", NULL },
		{ "1.5", "1.5", NULL },
		{ ".5", "0.5", NULL },
		{ "null", "null", NULL },
		{ "Null", "null", NULL },
		{ "~", "null", NULL },
		{ "", "null", NULL },
		{ "2001-12-14", "\"2001-12-14\"", NULL },
		{ "0x", "\"0x\"", NULL },
		{ "1.2.3", "\"1.2.3\"", NULL },
		{ "172.31.1.200", "\"172.31.1.200\"", NULL },
		{ "!!str 65000", "\"65000\"", NULL },
		{ "!!str true", "\"true\"", NULL },
		{ "!!int \"42\"", "42", NULL },
		{ "!!float 3", "3.0", NULL },
		{ "!!bool \"yes\"", "true", NULL },
		{ "! 12", "\"12\"", NULL },
		{ "|\n  text", "\"text\\n\"", NULL },
		{ "9223372036854775808", NULL, "integer 9223372036854775808 is out of range" },
		{ "0x8000000000000000", NULL, "integer 0x8000000000000000 is out of range" },
		{ "010", NULL,
		  "ambiguous number 010: write it in decimal, or quote it to keep the text" },
		{ "0o17", NULL,
		  "ambiguous number 0o17: write it in decimal, or quote it to keep the text" },
		{ "0b101", NULL,
		  "ambiguous number 0b101: write it in decimal, or quote it to keep the text" },
		{ "1_000", NULL,
		  "ambiguous number 1_000: write it in decimal, or quote it to keep the text" },
		{ ".inf", NULL, ".inf cannot be represented in JSON" },
		{ "-.Inf", NULL, "-.Inf cannot be represented in JSON" },
		{ ".nan", NULL, ".nan cannot be represented in JSON" },
		{ "1e999", NULL, "number 1e999 is out of range" },
		{ "!!int abc", NULL, "!!int value \"abc\" is not an integer" },
		{ "!!bool maybe", NULL, "!!bool value \"maybe\" is not a boolean" },
		{ "!custom x", NULL, "unsupported tag !custom" },
	};
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct typing_case *tc = &cases[i];
		struct manifest_set s;

		snprintf(text, sizeof(text), "apiVersion: v1\nkind: T\nv: %s\n", tc->yaml);
		manifest_set_init(&s, NULL);
		int rc = load_yaml(&s, "t.yaml", text);
		if (tc->json == NULL) {
			snprintf(want, sizeof(want), "t.yaml:3:4: %s", tc->error);
			if (rc != -1 || s.n_errors != 1 || strcmp(s.errors[0].text, want) != 0) {
				print_error("case %s: want %s, got %s\n", tc->yaml, want,
				            s.n_errors > 0 ? s.errors[0].text : "no error");
				fail();
			}
			assert_int_equal(s.n_objs, 0);
		} else {
			if (rc != 0 || s.n_objs != 1) {
				print_error("case %s: %s\n", tc->yaml,
				            s.n_errors > 0 ? s.errors[0].text : "no object");
				fail();
			}
			const json_t *v = json_object_get(s.objs[0].root, "v");
			char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			if (strcmp(got, tc->json) != 0) {
				print_error("case %s: want %s, got %s\n", tc->yaml, tc->json, got);
				fail();
			}
			free(got);
		}
		manifest_set_free(&s);
	}
}

static void test_keys_are_text(void **state)
{
	(void)state;
	struct manifest_set s;

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "k.yaml", "apiVersion: v1\nkind: T\non: 1\n7: 2\n~: 3\n"),
	                 0);
	const json_t *r = s.objs[0].root;
	assert_int_equal(json_integer_value(json_object_get(r, "on")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "7")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "~")), 3);
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "k.yaml", "apiVersion: v1\nkind: T\n[a]: 1\n"), -1);
	ASSERT_ERRORS(&s, "k.yaml:3:1: mapping keys must be scalars");
	manifest_set_free(&s);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	struct manifest_set s;
	const char *text = "apiVersion: v1\n"
	                   "kind: T\n"
	                   "spec:\n"
	                   "  timers: {a: 1}\n"
	                   "  localASN: 1\n"
	                   "  timers: {a: 2, a: 3}\n"
	                   "---\n"
	                   "apiVersion: v1\n"
	                   "kind: Fine\n";

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "dup.yaml", text), -1);
	ASSERT_ERRORS(&s, "dup.yaml:6:3: duplicate key \"timers\" (first at 4:3)",
	              "dup.yaml:6:18: duplicate key \"a\" (first at 6:12)");
	/* The broken document adds nothing; the next one still loads. */
	assert_int_equal(s.n_objs, 1);
	assert_string_equal(s.objs[0].kind, "Fine");
	assert_int_equal(s.objs[0].doc, 1);
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(load_json(&s, "dup.json",
	                           "{\"apiVersion\": \"v1\",\n \"kind\": \"T\",\n"
	                           " \"kind\": \"U\"}"),
	                 -1);
	ASSERT_ERRORS(&s, "dup.json:3:7: duplicate object key near '\"kind\"'");
	manifest_set_free(&s);
}

static void test_aliases_and_merges(void **state)
{
	(void)state;
	struct manifest_set s;
	unsigned line, col;
	const char *text = "apiVersion: v1\n"
	                   "kind: T\n"
	                   "base: &base {hold: 9, keepalive: 3}\n"
	                   "other: &other {hold: 90, mode: x}\n"
	                   "a:\n"
	                   "  <<: [*base, *other]\n"
	                   "  keepalive: 1\n"
	                   "b: *base\n";

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "m.yaml", text), 0);
	const json_t *r = s.objs[0].root, *a = json_object_get(r, "a");
	assert_int_equal(json_integer_value(json_object_get(a, "hold")), 9);
	assert_int_equal(json_integer_value(json_object_get(a, "keepalive")), 1);
	assert_string_equal(json_string_value(json_object_get(a, "mode")), "x");
	assert_null(json_object_get(a, "<<"));
	assert_true(json_equal(json_object_get(r, "b"), json_object_get(r, "base")));
	/* An alias is a copy: it sits where it is used, its parts where they
	 * were written. */
	assert_true(json_object_get(r, "b") != json_object_get(r, "base"));
	assert_true(manifest_member_pos(&s, r, "b", &line, &col));
	assert_int_equal(line, 8);
	assert_int_equal(col, 4);
	assert_true(manifest_member_pos(&s, json_object_get(r, "b"), "hold", &line, &col));
	assert_int_equal(line, 3);
	assert_int_equal(col, 20);
	assert_true(manifest_key_pos(&s, a, "mode", &line, &col));
	assert_int_equal(line, 4);
	assert_int_equal(col, 26);
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(
	        load_yaml(&s, "m.yaml",
	                  "apiVersion: v1\nkind: T\na: &x [1, *x]\nb: *nope\nc: {<<: 5}\n"),
	        -1);
	ASSERT_ERRORS(&s, "m.yaml:3:11: alias *x refers to a node that contains it",
	              "m.yaml:4:4: alias *nope has no anchor before it",
	              "m.yaml:5:9: the value of a merge key (<<) must be a mapping or a list of "
	              "mappings");
	manifest_set_free(&s);
}

static void test_alias_bomb_refused(void **state)
{
	(void)state;
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
	                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	                   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	                   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct manifest_limits lim = { .max_nodes = 10000 };
	struct manifest_set s;

	manifest_set_init(&s, &lim);
	assert_int_equal(load_yaml(&s, "bomb.yaml", bomb), -1);
	ASSERT_ERRORS(&s, "bomb.yaml:5:8: alias *d makes more than 10000 values");
	assert_int_equal(s.n_objs, 0);
	manifest_set_free(&s);

	/* The default cap stops it too, a little later. */
	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "bomb.yaml", bomb), -1);
	ASSERT_ERRORS(&s, "bomb.yaml:7:8: alias *f makes more than 1000000 values");
	manifest_set_free(&s);

	/* So does the cap on aliases. */
	lim = (struct manifest_limits){ .max_aliases = 4 };
	manifest_set_init(&s, &lim);
	assert_int_equal(load_yaml(&s, "bomb.yaml", bomb), -1);
	ASSERT_ERRORS(&s, "bomb.yaml:2:24: more than 4 aliases in the input");
	manifest_set_free(&s);
}

static void test_deep_nesting_refused(void **state)
{
	(void)state;
	char text[512];
	struct manifest_set s;
	size_t n;

	/* The top-level mapping is level 1, so 63 brackets are the most. */
	for (unsigned depth = 63; depth <= 64; depth++) {
		n = (size_t)snprintf(text, sizeof(text), "apiVersion: v1\nkind: T\na: ");
		for (unsigned i = 0; i < depth; i++)
			text[n++] = '[';
		for (unsigned i = 0; i < depth; i++)
			text[n++] = ']';
		text[n] = '\0';
		manifest_set_init(&s, NULL);
		if (depth == 63) {
			assert_int_equal(load_yaml(&s, "deep.yaml", text), 0);
		} else {
			assert_int_equal(load_yaml(&s, "deep.yaml", text), -1);
			ASSERT_ERRORS(&s, "deep.yaml:3:67: nesting deeper than 64 levels");
		}
		manifest_set_free(&s);
	}

	n = (size_t)snprintf(text, sizeof(text),
	                     "\n  {\"apiVersion\": \"v1\", \"kind\": \"T\", \"a\": ");
	for (unsigned i = 0; i < 64; i++)
		text[n++] = '[';
	for (unsigned i = 0; i < 64; i++)
		text[n++] = ']';
	text[n++] = '}';
	text[n] = '\0';
	manifest_set_init(&s, NULL);
	assert_int_equal(load_json(&s, "deep.json", text), -1);
	ASSERT_ERRORS(&s, "deep.json:2:3: nesting deeper than 64 levels");
	manifest_set_free(&s);
}

static void test_syntax_and_structure_errors(void **state)
{
	(void)state;
	struct manifest_set s;

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "s.yaml", "apiVersion: v1\nkind: T\n bad: x\n"), -1);
	ASSERT_ERRORS(&s, "s.yaml:3:5: mapping values are not allowed in this context");
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "s.yaml", "apiVersion: v1\nkind: T\nspec: [1,\n"), -1);
	ASSERT_ERRORS(&s, "s.yaml:4:1: did not find expected node content (while parsing a "
	                  "flow node at 4:1)");
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "s.yaml",
	                           "- a\n---\n\"text\"\n---\n# nothing\n---\nkind: T\n"
	                           "---\napiVersion: 5\nkind: \"\"\nmetadata: {name: [x]}\n"),
	                 -1);
	ASSERT_ERRORS(&s, "s.yaml:1:1: a document must be a mapping (got a list)",
	              "s.yaml:3:1: a document must be a mapping (got string \"text\")",
	              "s.yaml:7:1: T: apiVersion: required field is missing",
	              "s.yaml:9:13: apiVersion: must be a string (got integer 5; quote it to "
	              "keep the text)",
	              "s.yaml:10:7: kind: must not be empty",
	              "s.yaml:11:18: metadata.name: must be a string (got a list)");
	assert_int_equal(s.n_objs, 0);
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "s.yaml", "apiVersion: v1\nkind: T\nv: \"\\0\"\n"), -1);
	ASSERT_ERRORS(&s, "s.yaml:3:4: string contains a NUL character");
	manifest_set_free(&s);

	manifest_set_init(&s, NULL);
	assert_int_equal(manifest_load_yaml(&s, "s.yaml", "a: \xff\n", 6), -1);
	ASSERT_ERRORS(&s, "s.yaml:1:4: invalid leading UTF-8 octet (#FF)");
	manifest_set_free(&s);

	/* Empty input and comments are no objects and no error. */
	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "e.yaml", ""), 0);
	assert_int_equal(load_yaml(&s, "e.yaml", "# only a comment\n---\n"), 0);
	assert_int_equal(load_json(&s, "e.json", " \n"), 0);
	assert_int_equal(s.n_objs, 0);
	manifest_set_free(&s);
}

static void test_limits(void **state)
{
	(void)state;
	struct manifest_limits lim = { .max_bytes = 10, .max_errors = 2 };
	struct manifest_set s;

	manifest_set_init(&s, &lim);
	assert_int_equal(load_yaml(&s, "big.yaml", "apiVersion: v1\nkind: T\n"), -1);
	assert_int_equal(load_json(&s, "big.json", "{\"kind\": \"T\"}"), -1);
	ASSERT_ERRORS(&s, "big.yaml: input is 23 bytes, more than the limit of 10",
	              "big.json: input is 13 bytes, more than the limit of 10");
	/* Past max_errors, errors are only counted. */
	assert_int_equal(load_yaml(&s, "big.yaml", "x"), -1);
	assert_int_equal(s.n_errors, 2);
	assert_int_equal(s.errors_dropped, 1);
	manifest_set_free(&s);
}

static const char *const spec_keys[] = { "localASN", "routerID", "peerGroups", NULL };
static const char *const group_keys[] = { "name", "timers", NULL };
static const char *const timer_keys[] = { "holdTimeSeconds", "keepaliveSeconds", NULL };

static void test_unknown_fields(void **state)
{
	(void)state;
	struct manifest_set s;
	struct manifest_ctx c;
	const char *text = "apiVersion: kbgp.io/v1alpha1\n"
	                   "kind: BGPRouter\n"
	                   "metadata:\n"
	                   "  name: router\n"
	                   "spec:\n"
	                   "  localASN: 65000\n"
	                   "  routerId: 172.31.1.200\n"
	                   "  peerGroups:\n"
	                   "  - name: CILIUM\n"
	                   "    timers: {holdTime: 9, keepaliveSeconds: 3}\n"
	                   "    remoteASN: external\n";

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "router.yaml", text), 0);
	manifest_ctx_init(&c, &s, &s.objs[0]);
	assert_true(manifest_enter(&c, MANIFEST_REQUIRED, "spec"));
	assert_int_equal(manifest_check_keys(&c, spec_keys), 1);
	assert_true(manifest_enter(&c, 0, "peerGroups[0]"));
	assert_int_equal(manifest_check_keys(&c, group_keys), 1);
	assert_true(manifest_enter(&c, 0, "timers"));
	assert_int_equal(manifest_check_keys(&c, timer_keys), 1);
	manifest_leave(&c);
	manifest_leave(&c);
	manifest_leave(&c);
	ASSERT_ERRORS(&s,
	              "router.yaml:7:3: BGPRouter/router: spec.routerId: unknown field (did you "
	              "mean \"routerID\"?)",
	              "router.yaml:11:5: BGPRouter/router: spec.peerGroups[0].remoteASN: unknown "
	              "field",
	              "router.yaml:10:14: BGPRouter/router: spec.peerGroups[0].timers.holdTime: "
	              "unknown field");
	assert_int_equal(c.errors, 3);
	manifest_set_free(&s);
}

static void test_getters(void **state)
{
	(void)state;
	static const char *const families[] = { "ipv4", "ipv6", NULL };
	struct manifest_set s;
	struct manifest_ctx c;
	union sockaddr_any ip;
	struct bgp_prefix p;
	const char *nets[4], *str = "unset";
	const json_t *node = NULL;
	size_t n = 99;
	uint32_t u = 7;
	int64_t i = 7;
	bool b = true;
	unsigned e = 7;
	char text[64];
	const char *yaml = "apiVersion: kbgp.io/v1alpha1\n"
	                   "kind: BGPRouter\n"
	                   "metadata:\n"
	                   "  name: router\n"
	                   "spec:\n"
	                   "  localASN: 0\n"
	                   "  routerID: 172.31.1.300\n"
	                   "  listen: {port: \"179\"}\n"
	                   "  maximumPaths: 4\n"
	                   "  ebgpRequiresPolicy: \"false\"\n"
	                   "  networks: [\"10.10.1.0/24\", \"10.10.1.1/24\", 5]\n"
	                   "  family: ipv5\n"
	                   "  allowFirstLastIPs: No\n"
	                   "  peerGroups:\n"
	                   "  - name: CILIUM\n"
	                   "    timers: {holdTimeSeconds: 2}\n"
	                   "  fib: ~\n"
	                   "  labels: {a: b, c: 1, k.io/n: 2}\n";

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "g.yaml", yaml), 0);
	manifest_ctx_init(&c, &s, &s.objs[0]);
	assert_true(manifest_enter(&c, 0, "spec"));

	assert_int_equal(manifest_get_u32(&c, "localASN", MANIFEST_REQUIRED, 1, UINT32_MAX, &u),
	                 -1);
	assert_int_equal(u, 7);
	assert_int_equal(manifest_get_ip(&c, "routerID", MANIFEST_REQUIRED, &ip), -1);
	assert_int_equal(manifest_get_u32(&c, "listen.port", 0, 0, 65535, &u), -1);
	assert_int_equal(manifest_get_u32(&c, "maximumPaths", 0, 1, 64, &u), 1);
	assert_int_equal(u, 4);
	assert_int_equal(manifest_get_bool(&c, "ebgpRequiresPolicy", 0, &b), -1);
	assert_int_equal(manifest_get_strings(&c, "networks", 0, nets, 4, &n), -1);
	assert_int_equal(n, 0);
	assert_int_equal(manifest_get_prefix(&c, "networks[0]", 0, &p), 1);
	bgp_prefix_format(text, sizeof(text), &p);
	assert_string_equal(text, "10.10.1.0/24");
	assert_int_equal(manifest_get_prefix(&c, "networks[1]", 0, &p), -1);
	assert_int_equal(manifest_get_strings(&c, "networks", 0, nets, 2, &n), -1);
	assert_int_equal(manifest_get_enum(&c, "family", 0, families, &e), -1);
	assert_int_equal(manifest_get_string(&c, "allowFirstLastIPs", 0, &str), -1);
	assert_string_equal(str, "unset");
	assert_int_equal(manifest_get_string(&c, "bestPath.mode", MANIFEST_REQUIRED, &str), -1);
	assert_false(manifest_enter(&c, 0, "maximumPaths"));
	assert_false(manifest_enter(&c, 0, "fib"));
	assert_int_equal(manifest_get_int(&c, "fib.metric", MANIFEST_REQUIRED, 0, 10, &i), -1);
	assert_int_equal(manifest_get_int(&c, "fib.metric", 0, 0, 10, &i), 0);
	assert_int_equal(i, 7);
	assert_int_equal(manifest_get_string(&c, "family.x", 0, &str), -1);
	assert_int_equal(manifest_get_string_map(&c, "labels", 0, &node), -1);
	assert_int_equal(manifest_get_node(&c, "peerGroups[0].name", 0, &node), 1);
	assert_string_equal(json_string_value(node), "CILIUM");
	assert_int_equal(manifest_get_list(&c, "peerGroups", MANIFEST_NONEMPTY, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(manifest_get_string(&c, "peerGroups[1].name", 0, &str), 0);
	assert_true(manifest_enter(&c, 0, "peerGroups[%zu]", (size_t)0));
	assert_int_equal(manifest_get_u32(&c, "timers.holdTimeSeconds", 0, 0, 65535, &u), 1);
	if (u != 0 && u < 3)
		manifest_errorf(&c, "timers.holdTimeSeconds", "must be 0 or 3..65535");
	manifest_errorf(&c, "timers.connectRetrySeconds", "is needed with %s", "holdTimeSeconds");
	manifest_leave(&c);
	manifest_leave(&c);

	ASSERT_ERRORS(
	        &s,
	        "g.yaml:6:13: BGPRouter/router: spec.localASN: must be in 1..4294967295 (got 0)",
	        "g.yaml:7:13: BGPRouter/router: spec.routerID: must be an IP address (got "
	        "\"172.31.1.300\")",
	        "g.yaml:8:18: BGPRouter/router: spec.listen.port: must be an integer (got string "
	        "\"179\")",
	        "g.yaml:10:23: BGPRouter/router: spec.ebgpRequiresPolicy: must be a boolean (got "
	        "string \"false\")",
	        "g.yaml:11:46: BGPRouter/router: spec.networks[2]: must be a string (got integer "
	        "5; quote it to keep the text)",
	        "g.yaml:11:30: BGPRouter/router: spec.networks[1]: host bits must be zero (did you "
	        "mean \"10.10.1.0/24\"?)",
	        "g.yaml:11:13: BGPRouter/router: spec.networks: must have at most 2 entries (got "
	        "3)",
	        "g.yaml:12:11: BGPRouter/router: spec.family: must be one of \"ipv4\", \"ipv6\" "
	        "(got "
	        "\"ipv5\")",
	        "g.yaml:13:22: BGPRouter/router: spec.allowFirstLastIPs: must be a string (got "
	        "boolean false; quote it to keep the text)",
	        "g.yaml:6:3: BGPRouter/router: spec.bestPath.mode: required field is missing",
	        "g.yaml:9:17: BGPRouter/router: spec.maximumPaths: must be a mapping (got integer "
	        "4)",
	        "g.yaml:17:8: BGPRouter/router: spec.fib.metric: required field is missing",
	        "g.yaml:12:11: BGPRouter/router: spec.family: must be a mapping (got string "
	        "\"ipv5\")",
	        "g.yaml:18:21: BGPRouter/router: spec.labels.c: must be a string (got integer 1; "
	        "quote it to keep the text)",
	        "g.yaml:18:32: BGPRouter/router: spec.labels[\"k.io/n\"]: must be a string (got "
	        "integer 2; quote it to keep the text)",
	        "g.yaml:16:31: BGPRouter/router: spec.peerGroups[0].timers.holdTimeSeconds: "
	        "must be 0 or 3..65535",
	        "g.yaml:16:13: BGPRouter/router: spec.peerGroups[0].timers.connectRetrySeconds: is "
	        "needed with holdTimeSeconds");
	assert_int_equal(c.errors, 17);
	manifest_set_free(&s);
}

static void test_json_matches_yaml(void **state)
{
	(void)state;
	struct manifest_set y, j;
	size_t ylen, jlen;
	char *ytext = tl_manifest("seed-cilium.yaml", &ylen);
	char *jtext = tl_manifest("seed-cilium.json", &jlen);

	manifest_set_init(&y, NULL);
	manifest_set_init(&j, NULL);
	assert_int_equal(manifest_load(&y, "seed.yaml", ytext, ylen), 0);
	assert_int_equal(manifest_load(&j, "seed.json", jtext, jlen), 0);
	assert_int_equal(y.n_objs, 3);
	assert_int_equal(j.n_objs, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(json_equal(y.objs[i].root, j.objs[i].root));
		assert_string_equal(y.objs[i].kind, j.objs[i].kind);
		assert_string_equal(y.objs[i].name, j.objs[i].name);
		/* The List's items: jansson places only the List. */
		assert_int_equal(j.objs[i].item, (int)i);
		assert_int_equal(j.objs[i].line, 1);
	}
	manifest_set_free(&j);

	/* Objects one after another, each placed where it starts. */
	manifest_set_init(&j, NULL);
	assert_int_equal(load_json(&j, "s.json",
	                           "{\"apiVersion\": \"v1\", \"kind\": \"A\"}\n"
	                           "\n  {\"apiVersion\": \"v1\", \"kind\": \"B\",\n"
	                           "   \"metadata\": {\"name\": \"b\"}, \"spec\": {\"x\": \"1\"}}"
	                           "{\"apiVersion\": \"v1\", \"kind\": \"C\"}\n"),
	                 0);
	assert_int_equal(j.n_objs, 3);
	assert_int_equal(j.objs[1].line, 3);
	assert_int_equal(j.objs[1].col, 3);
	assert_int_equal(j.objs[2].line, 4);
	assert_int_equal(j.objs[2].col, 50);
	/* Inside a JSON object errors point at its start. */
	struct manifest_ctx c;
	int64_t x;
	manifest_ctx_init(&c, &j, &j.objs[1]);
	assert_int_equal(manifest_get_int(&c, "spec.x", 0, 0, 9, &x), -1);
	ASSERT_ERRORS(&j, "s.json:3:3: B/b: spec.x: must be an integer (got string \"1\")");
	manifest_set_free(&j);

	manifest_set_init(&j, NULL);
	assert_int_equal(load_json(&j, "bad.json",
	                           "{\"apiVersion\": \"v1\", \"kind\": \"A\"}\n"
	                           "{\"a\": 1,\n  ]"),
	                 -1);
	ASSERT_ERRORS(&j, "bad.json:3:3: string or '}' expected near ']'");
	assert_int_equal(j.n_objs, 1);
	manifest_set_free(&j);

	manifest_set_free(&y);
	free(ytext);
	free(jtext);
}

static void test_yaml_list_and_api_objects(void **state)
{
	(void)state;
	struct manifest_set s;
	struct manifest_ctx c;
	uint32_t u;
	const char *text =
	        "apiVersion: v1\n"
	        "kind: List\n"
	        "items:\n"
	        "- apiVersion: v1\n"
	        "  kind: A\n"
	        "- 5\n"
	        "- {apiVersion: v1, kind: B, metadata: {name: b, namespace: kube-system}}\n";

	manifest_set_init(&s, NULL);
	assert_int_equal(load_yaml(&s, "l.yaml", text), -1);
	ASSERT_ERRORS(&s, "l.yaml:6:3: List: items[1]: must be a mapping (got integer 5)");
	assert_int_equal(s.n_objs, 2);
	assert_int_equal(s.objs[0].line, 4);
	assert_int_equal(s.objs[0].col, 3);
	assert_int_equal(s.objs[1].item, 2);
	assert_string_equal(s.objs[1].ns, "kube-system");

	/* An object from the API server: no positions, same messages. */
	json_error_t err;
	json_t *api = json_loads("{\"apiVersion\": \"v1\", \"kind\": \"C\", \"metadata\": "
	                         "{\"name\": \"c\"}, \"spec\": {\"asn\": -1}}",
	                         0, &err);
	assert_non_null(api);
	assert_int_equal(manifest_add_json(&s, "apiserver", api), 0);
	assert_int_equal(s.n_objs, 3);
	manifest_ctx_init(&c, &s, &s.objs[2]);
	assert_int_equal(manifest_get_u32(&c, "spec.asn", 0, 1, UINT32_MAX, &u), -1);
	assert_string_equal(s.errors[1].text,
	                    "apiserver: C/c: spec.asn: must be in 1..4294967295 (got -1)");
	manifest_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_stream),
		cmocka_unit_test(test_seed_decodes_with_getters),
		cmocka_unit_test(test_scalar_typing),
		cmocka_unit_test(test_keys_are_text),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_aliases_and_merges),
		cmocka_unit_test(test_alias_bomb_refused),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_syntax_and_structure_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_json_matches_yaml),
		cmocka_unit_test(test_yaml_list_and_api_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
