/*
 * UTF-8 from peers reaches logs only after sanitising; text we send is cut
 * on a character boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/utf8.h"

static void sanitize(const char *in, size_t len, const char *want)
{
	char out[64];
	utf8_sanitize(out, sizeof(out), (const uint8_t *)in, len);
	assert_string_equal(out, want);
}

static void test_valid_text_passes(void **state)
{
	(void)state;
	sanitize("maintenance", 11, "maintenance");
	sanitize("\xec\xa0\x90\xea\xb2\x80 \xf0\x9f\x9b\xa0", 11,
	         "\xec\xa0\x90\xea\xb2\x80 \xf0\x9f\x9b\xa0");
}

static void test_invalid_and_control_bytes_replaced(void **state)
{
	(void)state;
	sanitize("a\x1b[2Jb", 6, "a?[2Jb"); /* terminal escape */
	sanitize("\xc0\xaf", 2, "??");      /* overlong '/' */
	sanitize("\xed\xa0\x80", 3, "???"); /* surrogate */
	sanitize("ok\xe2\x82", 4, "ok??");  /* truncated sequence */
	sanitize("nul\0x", 5, "nul?x");
}

static void test_output_is_bounded(void **state)
{
	(void)state;
	char out[4];
	utf8_sanitize(out, sizeof(out), (const uint8_t *)"abcdef", 6);
	assert_string_equal(out, "abc");
}

static void test_prefix_cut_on_boundary(void **state)
{
	(void)state;
	const char *s = "ab\xec\xa0\x90"; /* 'ab' + one 3-byte character */
	assert_int_equal(utf8_prefix_len(s, 5, 5), 5);
	assert_int_equal(utf8_prefix_len(s, 5, 4), 2);
	assert_int_equal(utf8_prefix_len(s, 5, 3), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_text_passes),
		cmocka_unit_test(test_invalid_and_control_bytes_replaced),
		cmocka_unit_test(test_output_is_bounded),
		cmocka_unit_test(test_prefix_cut_on_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
