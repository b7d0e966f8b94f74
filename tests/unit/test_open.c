/*
 * OPEN and capabilities: every capability kbgp knows, the classic and the
 * RFC 9072 extended optional-parameter encodings, unknown capabilities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/open.h"
#include "testlib.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

static struct bgp_open full_open(void)
{
	struct bgp_open o = {
		.version = 4, .my_as = BGP_AS_TRANS, .hold_time = 9, .bgp_id = 0xac1f01c8
	};
	struct bgp_caps *c = &o.caps;

	c->mp = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST);
	bgp_caps_mark(c, BGP_CAPA_ROUTE_REFRESH);
	bgp_caps_mark(c, BGP_CAPA_ENHANCED_RR);
	bgp_caps_mark(c, BGP_CAPA_EXT_MESSAGE);
	c->ext_nexthop = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	c->has_role = true;
	c->role = BGP_ROLE_CUSTOMER;
	c->as4 = true;
	c->as4_asn = 4200000001u;
	c->gr.present = true;
	c->gr.flags = BGP_GR_F_RESTART | BGP_GR_F_NOTIFICATION;
	c->gr.restart_time = 120;
	c->gr.afs = c->mp;
	c->gr.forwarding = BGP_AF_BIT(BGP_AF_IPV6_UNICAST);
	c->addpath[BGP_AF_IPV4_UNICAST] = BGP_ADDPATH_RECV | BGP_ADDPATH_SEND;
	c->addpath[BGP_AF_IPV6_UNICAST] = BGP_ADDPATH_RECV;
	c->llgr.present = true;
	c->llgr.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	c->llgr.stale_time[BGP_AF_IPV4_UNICAST] = 86400;
	c->has_fqdn = true;
	strcpy(c->fqdn_host, "k8s-w1");
	strcpy(c->fqdn_domain, "lab");
	c->n_unknown = 1;
	c->unknown[0] = (struct bgp_capa_unknown){ .code = 128, .len = 2, .data = { 0xbe, 0xef } };
	return o;
}

/* Capabilities marked "seen" on decode are exactly those encoded. */
static void mark_encoded(struct bgp_open *o)
{
	static const uint8_t codes[] = { 1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 128 };
	for (size_t i = 0; i < sizeof(codes); i++)
		bgp_caps_mark(&o->caps, codes[i]);
}

static void test_every_capability_round_trips(void **state)
{
	(void)state;
	uint8_t out[4096];
	struct wbuf w;
	struct bgp_open sent = full_open(), got;
	struct bgp_notice err;

	wbuf_init(&w, out, sizeof(out));
	bgp_open_encode(&w, &sent);
	assert_true(wbuf_ok(&w));
	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(m.type, BGP_MSG_OPEN);
	assert_int_equal(bgp_open_decode(m.body, &got, &err), 0);
	mark_encoded(&sent);
	assert_memory_equal(&sent, &got, sizeof(got));
	assert_int_equal(bgp_open_asn(&got), 4200000001u);
}

/* RFC 5492 / RFC 6793 example: a minimal OPEN with MP IPv4 unicast, route
 * refresh and 4-octet AS 65001, bytes written out by hand. */
static void test_decodes_hand_written_open(void **state)
{
	(void)state;
	uint8_t msg[128];
	struct bgp_open o;
	struct bgp_notice err;
	size_t n = tl_hex(MARKER "0031 01 04 fde9 00b4 0a000001 14"
	                         "02 12 0104 00010001 0200 4104 0000fde9 4002 0078",
	                  msg, sizeof(msg));
	struct bgp_msg m = tl_frame(msg, n);

	assert_int_equal(bgp_open_decode(m.body, &o, &err), 0);
	assert_int_equal(o.my_as, 65001);
	assert_int_equal(o.hold_time, 180);
	assert_int_equal(o.bgp_id, 0x0a000001);
	assert_int_equal(o.caps.mp, BGP_AF_BIT(BGP_AF_IPV4_UNICAST));
	assert_true(bgp_caps_has(&o.caps, BGP_CAPA_ROUTE_REFRESH));
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65001);
	assert_true(o.caps.gr.present); /* restart time only, no families */
	assert_int_equal(o.caps.gr.restart_time, 120);
	assert_int_equal(o.caps.gr.afs, 0);
}

/* RFC 9072: when the parameters exceed 255 octets the OPEN switches to the
 * extended form (255, 255, two-octet length, two-octet parameter lengths). */
static void test_large_capabilities_use_extended_parameters(void **state)
{
	(void)state;
	uint8_t out[4096];
	struct wbuf w;
	struct bgp_open sent = full_open(), got;
	struct bgp_notice err;

	sent.caps.n_unknown = 2;
	sent.caps.unknown[0].len = 200;
	sent.caps.unknown[1] = (struct bgp_capa_unknown){ .code = 129, .len = 200 };
	wbuf_init(&w, out, sizeof(out));
	bgp_open_encode(&w, &sent);
	struct bgp_msg m = tl_frame(out, w.len);
	struct rbuf body = m.body;
	uint8_t optlen, type;
	rbuf_skip(&body, 9);
	rbuf_u8(&body, &optlen);
	rbuf_u8(&body, &type);
	assert_int_equal(optlen, 255);
	assert_int_equal(type, 255);
	assert_int_equal(bgp_open_decode(m.body, &got, &err), 0);
	assert_int_equal(got.caps.n_unknown, 2);
	assert_int_equal(got.caps.unknown[1].code, 129);
	assert_int_equal(got.caps.unknown[1].len, 200);
	assert_int_equal(got.caps.as4_asn, 4200000001u);
}

/* Classic form with a first parameter that is simply 255 bytes long must
 * not be mistaken for RFC 9072. */
static void test_classic_form_with_255_byte_parameters(void **state)
{
	(void)state;
	uint8_t out[4096];
	struct wbuf w;
	struct bgp_open sent = { .version = 4, .my_as = 65001, .hold_time = 90, .bgp_id = 1 }, got;
	struct bgp_notice err;

	/* one unknown capability of 251 bytes: 2 + 253 = 255 parameter bytes */
	sent.caps.n_unknown = 1;
	sent.caps.unknown[0] = (struct bgp_capa_unknown){ .code = 200, .len = 251 };
	wbuf_init(&w, out, sizeof(out));
	bgp_open_encode(&w, &sent);
	struct bgp_msg m = tl_frame(out, w.len);
	assert_int_equal(m.len, 29 + 255);
	assert_int_equal(bgp_open_decode(m.body, &got, &err), 0);
	assert_int_equal(got.caps.unknown[0].len, 251);
}

static void test_capability_names(void **state)
{
	(void)state;
	assert_string_equal(bgp_capa_name(BGP_CAPA_AS4), "4-octet-as");
	assert_string_equal(bgp_capa_name(BGP_CAPA_FQDN), "fqdn");
	assert_null(bgp_capa_name(200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capability_round_trips),
		cmocka_unit_test(test_decodes_hand_written_open),
		cmocka_unit_test(test_large_capabilities_use_extended_parameters),
		cmocka_unit_test(test_classic_form_with_255_byte_parameters),
		cmocka_unit_test(test_capability_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
