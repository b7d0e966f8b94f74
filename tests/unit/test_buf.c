/*
 * Bounds-checked reader and writer: every read past the end fails without
 * moving the cursor, every write past the end is refused and remembered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/buf.h"

static void test_reads_in_network_order(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct rbuf r = rbuf_make(b, sizeof(b));
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	assert_int_equal(rbuf_u8(&r, &u8), 0);
	assert_int_equal(rbuf_u16(&r, &u16), 0);
	assert_int_equal(rbuf_u24(&r, &u24), 0);
	assert_int_equal(rbuf_u32(&r, &u32), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(u24, 0x040506);
	assert_int_equal(u32, 0x0708090a);
	assert_true(rbuf_empty(&r));
}

static void test_underflow_fails_and_keeps_cursor(void **state)
{
	(void)state;
	const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct rbuf r = rbuf_make(b, sizeof(b));
	uint32_t u32;
	uint8_t u8;
	struct rbuf sub;

	assert_int_equal(rbuf_u32(&r, &u32), -1);
	assert_int_equal(rbuf_left(&r), 3);
	assert_int_equal(rbuf_sub(&r, 4, &sub), -1);
	assert_int_equal(rbuf_skip(&r, 2), 0);
	assert_int_equal(rbuf_u8(&r, &u8), 0);
	assert_int_equal(u8, 0xcc);
	assert_int_equal(rbuf_u8(&r, &u8), -1);
	assert_int_equal(rbuf_peek_u8(&r, 0, &u8), -1);
}

static void test_sub_views_are_independent(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5 };
	struct rbuf r = rbuf_make(b, sizeof(b));
	struct rbuf sub;
	uint16_t v;

	assert_int_equal(rbuf_sub(&r, 3, &sub), 0);
	assert_int_equal(rbuf_left(&sub), 3);
	assert_int_equal(rbuf_u16(&sub, &v), 0);
	assert_int_equal(v, 0x0102);
	assert_int_equal(rbuf_u16(&sub, &v), -1); /* cannot read past the carve */
	assert_int_equal(rbuf_u16(&r, &v), 0);
	assert_int_equal(v, 0x0405);
}

static void test_write_overflow_is_sticky(void **state)
{
	(void)state;
	uint8_t b[4];
	struct wbuf w;

	wbuf_init(&w, b, sizeof(b));
	wbuf_u16(&w, 0x0102);
	wbuf_u32(&w, 0x03040506);
	assert_false(wbuf_ok(&w));
	wbuf_u8(&w, 7); /* would fit, but the writer already overflowed */
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_room(&w), 0);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 2);
}

static void test_length_patch_and_gap(void **state)
{
	(void)state;
	uint8_t b[8];
	struct wbuf w;

	wbuf_init(&w, b, sizeof(b));
	size_t at = wbuf_reserve(&w, 1);
	wbuf_u16(&w, 0xabcd);
	wbuf_insert_gap(&w, at + 1, 1); /* grow the length field to two octets */
	wbuf_patch_u16(&w, at, 2);
	assert_true(wbuf_ok(&w));
	const uint8_t want[] = { 0x00, 0x02, 0xab, 0xcd };
	assert_int_equal(w.len, 4);
	assert_memory_equal(b, want, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_network_order),
		cmocka_unit_test(test_underflow_fails_and_keeps_cursor),
		cmocka_unit_test(test_sub_views_are_independent),
		cmocka_unit_test(test_write_overflow_is_sticky),
		cmocka_unit_test(test_length_patch_and_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
