/*
 * Real messages captured from FRR, BIRD 2 and GoBGP sessions
 * (tests/vectors, see its README): each decodes without a single error,
 * and what kbgp re-encodes decodes to the same routes and attributes.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/open.h"
#include "bgp/update.h"
#include "testlib.h"

static struct bgp_scratch scratch[2];

/* What the capture sessions negotiated: 4-octet AS, both families, no
 * ADD-PATH.  The eBGP flag does not change how these decode. */
static struct bgp_session_ctx capture_ctx(void)
{
	return tl_ctx_ebgp();
}

static void update_text(const struct bgp_update *u, const struct bgp_session_ctx *ctx, char *out,
                        size_t cap)
{
	struct sbuf s;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	char prefix[64];

	sbuf_init(&s, out, cap);
	bgp_attrs_format_gobgp(&s, &u->attrs);
	bgp_route_iter_init(&ri, u, ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		bgp_prefix_format(prefix, sizeof(prefix), &p);
		sbuf_printf(&s, " %c%s", reach ? '+' : '-', prefix);
	}
}

static void check_update(const char *name, const struct bgp_msg *m)
{
	static uint8_t again[65536];
	static char text[2][8192];
	struct bgp_session_ctx ctx = capture_ctx();
	struct bgp_update u, v;
	struct wbuf w;

	if (bgp_update_decode(&ctx, m->body, &scratch[0], &u) < 0 || u.errors.total != 0)
		fail_msg("%s: UPDATE does not decode cleanly (%s)", name,
		         u.errors.kept ? u.errors.list[0].reason : "?");
	update_text(&u, &ctx, text[0], sizeof(text[0]));
	wbuf_init(&w, again, sizeof(again));
	bgp_update_encode(&w, &ctx, u.withdrawn, &u.attrs, u.nlri);
	struct bgp_msg m2 = tl_frame(again, w.len);
	assert_int_equal(bgp_update_decode(&ctx, m2.body, &scratch[1], &v), 0);
	update_text(&v, &ctx, text[1], sizeof(text[1]));
	if (strcmp(text[0], text[1]) != 0)
		fail_msg("%s: re-encoded UPDATE differs:\n  %s\n  %s", name, text[0], text[1]);
}

static void check_open(const char *name, const struct bgp_msg *m)
{
	static uint8_t again[4096];
	struct bgp_open o, o2;
	struct bgp_notice err;
	struct wbuf w;

	if (bgp_open_decode(m->body, &o, &err) < 0)
		fail_msg("%s: OPEN refused with %u/%u", name, err.code, err.subcode);
	wbuf_init(&w, again, sizeof(again));
	bgp_open_encode(&w, &o);
	struct bgp_msg m2 = tl_frame(again, w.len);
	assert_int_equal(bgp_open_decode(m2.body, &o2, &err), 0);
	/* Unknown capabilities keep their place in "seen" only if re-sent. */
	memcpy(o2.caps.seen, o.caps.seen, sizeof(o.caps.seen));
	if (memcmp(&o, &o2, sizeof(o)) != 0)
		fail_msg("%s: re-encoded OPEN differs", name);
}

static void check_vector(const char *name)
{
	static uint8_t bytes[65536];
	struct bgp_notification n;
	struct bgp_route_refresh rr;
	struct bgp_notice err;
	size_t len = tl_vector(name, bytes, sizeof(bytes));
	struct bgp_msg m = tl_frame(bytes, len);

	assert_int_equal(m.len, len);
	switch (m.type) {
	case BGP_MSG_OPEN:
		check_open(name, &m);
		break;
	case BGP_MSG_UPDATE:
		check_update(name, &m);
		break;
	case BGP_MSG_NOTIFICATION:
		assert_int_equal(bgp_notification_decode(m.body, &n), 0);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		assert_int_equal(bgp_route_refresh_decode(&m, &rr, &err), BGP_RR_OK);
		break;
	default:
		break;
	}
}

static void test_every_captured_message(void **state)
{
	(void)state;
	DIR *dir = opendir(KBGP_VECTORS_DIR);
	struct dirent *e;
	int checked = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".hex") != 0)
			continue;
		check_vector(e->d_name);
		checked++;
	}
	closedir(dir);
	print_message("checked %d captured messages\n", checked);
	assert_true(checked > 0);
}

static struct bgp_open vector_open(const char *name)
{
	static uint8_t bytes[4096];
	struct bgp_open o;
	struct bgp_notice err;
	struct bgp_msg m = tl_frame(bytes, tl_vector(name, bytes, sizeof(bytes)));

	assert_int_equal(bgp_open_decode(m.body, &o, &err), 0);
	return o;
}

/* What each daemon is known to announce, seen in the captures. */
static void test_daemon_capabilities(void **state)
{
	(void)state;
	struct bgp_open frr = vector_open("frr-open.hex");
	assert_string_equal(frr.caps.fqdn_host, "frr-a");
	assert_true(frr.caps.gr.flags & BGP_GR_F_RESTART); /* FRR's first OPEN after start */
	assert_int_equal(frr.caps.gr.restart_time, 120);
	assert_true(bgp_caps_has(&frr.caps, BGP_CAPA_EXT_MESSAGE));
	assert_true(frr.caps.llgr.present);
	assert_int_equal(frr.caps.n_unknown, 1); /* 128: pre-standard route refresh */

	struct bgp_open gobgp = vector_open("gobgp-open.hex");
	assert_true(gobgp.caps.ext_nexthop & BGP_AF_BIT(BGP_AF_IPV4_UNICAST));
	assert_int_equal(gobgp.caps.gr.flags, BGP_GR_F_NOTIFICATION);

	struct bgp_open bird = vector_open("bird-open.hex");
	assert_int_equal(bird.caps.mp,
	                 BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST));
	assert_true(bgp_caps_has(&bird.caps, BGP_CAPA_ENHANCED_RR));
}

static void test_ipv6_link_local_next_hop(void **state)
{
	(void)state;
	static uint8_t bytes[4096];
	struct bgp_session_ctx ctx = capture_ctx();
	struct bgp_update u;
	struct bgp_msg m =
	        tl_frame(bytes, tl_vector("frr-update-ipv6-mpreach.hex", bytes, sizeof(bytes)));

	assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch[0], &u), 0);
	assert_int_equal(u.attrs.mp_reach.nh_len, 32);
	assert_int_equal(u.attrs.mp_reach.nh[16], 0xfe);
	assert_int_equal(u.attrs.mp_reach.nh[17], 0x80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_captured_message),
		cmocka_unit_test(test_daemon_capabilities),
		cmocka_unit_test(test_ipv6_link_local_next_hop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
