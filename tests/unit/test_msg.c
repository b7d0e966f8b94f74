/*
 * Framing, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH: byte vectors from
 * RFC 4271, RFC 9003, RFC 2918 and RFC 7313, and round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/msg.h"
#include "testlib.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

static void test_keepalive_is_19_bytes(void **state)
{
	(void)state;
	uint8_t out[32], want[32];
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	bgp_keepalive_encode(&w);
	size_t n = tl_hex(MARKER "0013 04", want, sizeof(want));
	tl_assert_bytes(out, w.len, want, n);
}

/* A stream arrives in arbitrary pieces: the framer must wait for a whole
 * message whatever the split, and never read past what it was given. */
static void test_frame_survives_every_split(void **state)
{
	(void)state;
	uint8_t stream[64];
	size_t n = tl_hex(MARKER "0013 04" MARKER "0017 05 0001 00 01", stream, sizeof(stream));

	for (size_t cut = 0; cut <= n; cut++) {
		struct bgp_msg m;
		struct bgp_notice err;
		enum bgp_frame_result rc = bgp_frame(rbuf_make(stream, cut), 4096, &m, &err);
		if (cut < 19) {
			assert_int_equal(rc, BGP_FRAME_NEED_MORE);
			continue;
		}
		assert_int_equal(rc, BGP_FRAME_OK);
		assert_int_equal(m.type, BGP_MSG_KEEPALIVE);
		assert_int_equal(m.len, 19);
		size_t rest = cut - 19;
		rc = bgp_frame(rbuf_make(stream + 19, rest), 4096, &m, &err);
		assert_int_equal(rc, rest < 23 ? BGP_FRAME_NEED_MORE : BGP_FRAME_OK);
	}
}

static void test_extended_message_length_needs_negotiation(void **state)
{
	(void)state;
	static uint8_t msg[5000];
	struct wbuf w;
	struct bgp_msg m;
	struct bgp_notice err;

	wbuf_init(&w, msg, sizeof(msg));
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_zero(&w, 4);
	wbuf_zero(&w, 5000 - 23);
	bgp_msg_end(&w, start);
	assert_int_equal(bgp_frame(rbuf_make(msg, w.len), 4096, &m, &err), BGP_FRAME_ERROR);
	assert_int_equal(err.code, BGP_ERR_HEADER);
	assert_int_equal(err.subcode, BGP_ERR_HDR_LEN);
	uint8_t len_data[2] = { 0x13, 0x88 }; /* RFC 4271 §6.1: the bad length */
	struct rbuf data = bgp_notice_data(&err);
	tl_assert_bytes(rbuf_data(&data), data.len, len_data, 2);
	assert_int_equal(bgp_frame(rbuf_make(msg, w.len), 65535, &m, &err), BGP_FRAME_OK);
	assert_int_equal(m.len, 5000);
}

/* RFC 9003 §2: Cease / Administrative Shutdown with a length-prefixed
 * UTF-8 message. */
static void test_shutdown_communication_round_trip(void **state)
{
	(void)state;
	uint8_t out[512], want[64];
	struct wbuf w;
	struct bgp_notification n;

	struct bgp_notice cease;
	bgp_notice_set_shutdown(&cease, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance");
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode(&w, &cease);
	size_t len = tl_hex(MARKER "0021 03 06 02 0b 6d61696e74656e616e6365", want, sizeof(want));
	tl_assert_bytes(out, w.len, want, len);

	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(bgp_notification_decode(m.body, &n), 0);
	assert_int_equal(n.code, BGP_ERR_CEASE);
	assert_int_equal(n.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "maintenance");
}

/* RFC 8538: an administrative shutdown sent as a Hard Reset carries the
 * Cease it stands for, shutdown text included; only the Ceases that mean
 * "drop my routes" need one. */
static void test_hard_reset_wraps_the_cease(void **state)
{
	(void)state;
	uint8_t out[512], want[64];
	struct wbuf w;
	struct bgp_notification n;
	struct bgp_notice cease, collision;

	bgp_notice_set_shutdown(&cease, BGP_CEASE_ADMIN_SHUTDOWN, "bye");
	assert_true(bgp_notice_needs_hard_reset(&cease));
	bgp_notice_set(&collision, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	assert_false(bgp_notice_needs_hard_reset(&collision));
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode_hard_reset(&w, &cease);
	size_t len = tl_hex(MARKER "001b 03 06 09 06 02 03 627965", want, sizeof(want));
	tl_assert_bytes(out, w.len, want, len);

	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(bgp_notification_decode(m.body, &n), 0);
	assert_int_equal(n.subcode, BGP_CEASE_HARD_RESET);
	assert_int_equal(n.inner_code, BGP_ERR_CEASE);
	assert_int_equal(n.inner_subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	assert_string_equal(n.shutdown_msg, "bye");

	/* A Hard Reset too short to carry anything is still a Hard Reset. */
	len = tl_hex(MARKER "0015 03 06 09", want, sizeof(want));
	m = tl_frame(want, len);
	assert_int_equal(bgp_notification_decode(m.body, &n), 0);
	assert_int_equal(n.inner_code, 0);
	assert_false(n.has_shutdown_msg);
}

static void test_shutdown_message_is_cut_to_255_bytes(void **state)
{
	(void)state;
	char text[400];
	uint8_t out[512];
	struct wbuf w;
	struct bgp_notification n;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	struct bgp_notice cease;
	bgp_notice_set_shutdown(&cease, BGP_CEASE_ADMIN_RESET, text);
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode(&w, &cease);
	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(bgp_notification_decode(m.body, &n), 0);
	assert_int_equal(strlen(n.shutdown_msg), 255);
}

static void test_notification_carries_data(void **state)
{
	(void)state;
	uint8_t out[64];
	struct wbuf w;
	struct bgp_notice sent;
	struct bgp_notification got;

	bgp_notice_set_u16(&sent, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, 4);
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode(&w, &sent);
	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(bgp_notification_decode(m.body, &got), 0);
	assert_int_equal(got.code, 2);
	assert_int_equal(got.subcode, 1);
	assert_int_equal(got.data.len, 2); /* the version kbgp speaks */
	assert_false(got.has_shutdown_msg);
}

static void test_route_refresh_subtypes(void **state)
{
	(void)state;
	uint8_t out[64], want[64];
	struct wbuf w;
	struct bgp_route_refresh rr = { .afi = 2, .subtype = BGP_RR_BORR, .safi = 1 }, got;
	struct bgp_notice err;

	wbuf_init(&w, out, sizeof(out));
	bgp_route_refresh_encode(&w, &rr);
	size_t n = tl_hex(MARKER "0017 05 0002 01 01", want, sizeof(want));
	tl_assert_bytes(out, w.len, want, n);
	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(bgp_route_refresh_decode(&m, &got, &err), BGP_RR_OK);
	assert_int_equal(got.afi, 2);
	assert_int_equal(got.subtype, BGP_RR_BORR);
	assert_int_equal(got.safi, 1);
}

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(bgp_err_code_name(6), "Cease");
	assert_string_equal(bgp_err_subcode_name(6, 2), "Administrative Shutdown");
	assert_string_equal(bgp_err_subcode_name(3, 11), "Malformed AS_PATH");
	assert_string_equal(bgp_err_subcode_name(2, 7), "Unsupported Capability");
	assert_null(bgp_err_subcode_name(6, 200));
	assert_string_equal(bgp_msg_type_name(5), "ROUTE-REFRESH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive_is_19_bytes),
		cmocka_unit_test(test_frame_survives_every_split),
		cmocka_unit_test(test_extended_message_length_needs_negotiation),
		cmocka_unit_test(test_shutdown_communication_round_trip),
		cmocka_unit_test(test_shutdown_message_is_cut_to_255_bytes),
		cmocka_unit_test(test_hard_reset_wraps_the_cease),
		cmocka_unit_test(test_notification_carries_data),
		cmocka_unit_test(test_route_refresh_subtypes),
		cmocka_unit_test(test_error_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
