/*
 * AS_PATH: two- and four-octet forms, segment checks, the RFC 6793 merge
 * and the way paths are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bgp/aspath.h"
#include "testlib.h"

static void assert_path_text(struct rbuf path, const char *want)
{
	char text[256];
	struct sbuf s;
	sbuf_init(&s, text, sizeof(text));
	aspath_format(&s, path);
	assert_string_equal(text, want);
}

static void test_segments_print_like_gobgp(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = tl_hex("02 02 0000fde9 0000fde8  01 02 0000fc00 0000fc01"
	                  "03 01 0000fa00  04 02 00000001 00000002",
	                  b, sizeof(b));
	struct rbuf path = rbuf_make(b, n);

	assert_int_equal(aspath_check(path, 4, true), 0);
	assert_int_equal(aspath_check(path, 4, false), -1);
	assert_path_text(path, "65001 65000 {64512,64513} (64000) [1,2]");
	assert_int_equal(aspath_length(path), 3); /* sequence 2 + set 1 + confed 0 */
}

static void test_malformed_segments(void **state)
{
	(void)state;
	uint8_t b[16];
	const char *bad[] = { "02 00", "00 01 0001", "05 01 0001", "02 02 0001", "02" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = tl_hex(bad[i], b, sizeof(b));
		assert_int_equal(aspath_check(rbuf_make(b, n), 2, true), -1);
	}
	assert_int_equal(aspath_check(rbuf_make(b, 0), 2, true), 0); /* empty is iBGP-legal */
}

static void test_widen_and_narrow(void **state)
{
	(void)state;
	uint8_t two[16], four[32], back[32], want4[32];
	struct wbuf w;
	size_t n = tl_hex("02 02 fde9 5ba0", two, sizeof(two));

	wbuf_init(&w, four, sizeof(four));
	aspath_widen(rbuf_make(two, n), &w);
	size_t m = tl_hex("02 02 0000fde9 00005ba0", want4, sizeof(want4));
	tl_assert_bytes(four, w.len, want4, m);

	/* A 4-octet-only ASN goes out as AS_TRANS and is carried in AS4_PATH. */
	m = tl_hex("02 02 0000fde9 fa56ea01", want4, sizeof(want4));
	assert_true(aspath_has_as4_only(rbuf_make(want4, m)));
	wbuf_init(&w, back, sizeof(back));
	aspath_encode_narrow(&w, rbuf_make(want4, m));
	size_t k = tl_hex("02 02 fde9 5ba0", two, sizeof(two));
	tl_assert_bytes(back, w.len, two, k);
}

/* RFC 6793 §4.2.3 example shape: AS_PATH from an old speaker carries
 * AS_TRANS where AS4_PATH has the real ASNs; leading ASes added by old
 * speakers after the last new one are kept. */
static void test_merge_as4_path(void **state)
{
	(void)state;
	uint8_t path[64], as4[64], out[128], want[64];
	struct wbuf w;
	size_t pn = tl_hex("02 03 0000fde9 00005ba0 00005ba0", path, sizeof(path));
	size_t an = tl_hex("02 02 fa56ea01 fa56ea02", as4, sizeof(as4));

	wbuf_init(&w, out, sizeof(out));
	aspath_merge_as4(rbuf_make(path, pn), rbuf_make(as4, an), &w);
	size_t wn = tl_hex("02 01 0000fde9  02 02 fa56ea01 fa56ea02", want, sizeof(want));
	tl_assert_bytes(out, w.len, want, wn);
	assert_path_text(wbuf_view(&w), "65001 4200000001 4200000002");

	/* An AS4_PATH longer than AS_PATH is ignored. */
	wbuf_init(&w, out, sizeof(out));
	size_t shortn = tl_hex("02 01 00005ba0", path, sizeof(path));
	aspath_merge_as4(rbuf_make(path, shortn), rbuf_make(as4, an), &w);
	tl_assert_bytes(out, w.len, path, shortn);
}

/* RFC 4271 §5.1.2: eBGP puts our AS in front; a full or non-sequence
 * first segment gets a new one. */
static void test_prepend_and_loops(void **state)
{
	(void)state;
	uint8_t in[64], out[1200];
	struct wbuf w;
	size_t n = tl_hex("02 01 0000fde9", in, sizeof(in));

	wbuf_init(&w, out, sizeof(out));
	aspath_prepend(&w, rbuf_make(in, n), 65000);
	assert_path_text(wbuf_view(&w), "65000 65001");
	assert_int_equal(w.len, n + 4); /* joined the first sequence */
	assert_true(aspath_contains(wbuf_view(&w), 65001));
	assert_false(aspath_contains(wbuf_view(&w), 65002));

	n = tl_hex("01 02 00000001 00000002", in, sizeof(in));
	wbuf_init(&w, out, sizeof(out));
	aspath_prepend(&w, rbuf_make(in, n), 65000);
	assert_path_text(wbuf_view(&w), "65000 {1,2}");
	assert_true(aspath_contains(wbuf_view(&w), 2));

	wbuf_init(&w, out, sizeof(out));
	aspath_prepend(&w, rbuf_make(NULL, 0), 65000);
	assert_path_text(wbuf_view(&w), "65000");

	/* A sequence of 255 ASNs is full: a new segment goes in front. */
	uint8_t full[2 + 255 * 4] = { BGP_AS_SEQUENCE, 255 };
	wbuf_init(&w, out, sizeof(out));
	aspath_prepend(&w, rbuf_make(full, sizeof(full)), 65000);
	assert_int_equal(w.len, sizeof(full) + 6);
	assert_int_equal(aspath_length(wbuf_view(&w)), 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segments_print_like_gobgp),
		cmocka_unit_test(test_malformed_segments),
		cmocka_unit_test(test_widen_and_narrow),
		cmocka_unit_test(test_merge_as4_path),
		cmocka_unit_test(test_prepend_and_loops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
