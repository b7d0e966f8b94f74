/*
 * fuzz_notification: the small messages.  Byte 0 picks what the rest is:
 *   0: a NOTIFICATION body, which sent back must read the same; an RFC 9003
 *      shutdown communication in it is made safe by utf8_sanitize(), and
 *      the safe text, sent back, must survive;
 *   1: a ROUTE-REFRESH body (RFC 2918, RFC 7313), framed as a message;
 *   2: the text of a shutdown communication kbgp sends (cut to 255 bytes on
 *      a character boundary by bgp_notice_set_shutdown()), which must come
 *      back as the same bytes once sanitised.
 */
#include <string.h>

#include "bgp/msg.h"
#include "fuzz.h"
#include "lib/utf8.h"

#define TEXT_MAX 1024 /* longer than any shutdown communication */

static uint8_t out[BGP_EXT_MAX_LEN];

/* Frame what w holds as one message of the given type. */
static struct bgp_msg reframe(const struct wbuf *w, uint8_t type)
{
	struct bgp_notice err;
	struct bgp_msg m;

	FUZZ_CHECK(wbuf_ok(w));
	FUZZ_CHECK(bgp_frame(wbuf_view(w), BGP_EXT_MAX_LEN, &m, &err) == BGP_FRAME_OK);
	FUZZ_CHECK(m.type == type && m.len == w->len);
	return m;
}

/* Send text as a Cease/subcode shutdown and decode what went out. */
static void shutdown_roundtrip(uint8_t subcode, const char *text, struct bgp_notification *back)
{
	struct bgp_notice notice;
	struct wbuf w;

	bgp_notice_set_shutdown(&notice, subcode, text);
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode(&w, &notice);
	struct bgp_msg m = reframe(&w, BGP_MSG_NOTIFICATION);
	FUZZ_CHECK(bgp_notification_decode(m.body, back) == 0 && back->has_shutdown_msg);
}

/* Sent back, built the way the session builds one, it must read the same. */
static void notice_roundtrip(const struct bgp_notification *n)
{
	struct bgp_notification back;
	struct bgp_notice notice;
	struct wbuf w;

	if (rbuf_empty(&n->data))
		bgp_notice_set(&notice, n->code, n->subcode);
	else
		bgp_notice_set_data(&notice, n->code, n->subcode, n->data);
	wbuf_init(&w, out, sizeof(out));
	bgp_notification_encode(&w, &notice);
	struct bgp_msg m = reframe(&w, BGP_MSG_NOTIFICATION);
	FUZZ_CHECK(bgp_notification_decode(m.body, &back) == 0);
	FUZZ_CHECK(back.code == n->code && back.subcode == n->subcode);
	FUZZ_CHECK(rbuf_equal(&back.data, rbuf_data(&n->data), rbuf_left(&n->data)));
}

static void notification(struct rbuf body)
{
	struct bgp_notification n, back;

	if (bgp_notification_decode(body, &n) < 0) {
		FUZZ_CHECK(rbuf_left(&body) < 2);
		return;
	}
	(void)bgp_err_code_name(n.code);
	(void)bgp_err_subcode_name(n.code, n.subcode);
	FUZZ_CHECK(strlen(n.shutdown_msg) <= BGP_SHUTDOWN_MSG_MAX);
	notice_roundtrip(&n);
	if (!n.has_shutdown_msg)
		return;
	/* Sanitised text is valid UTF-8 without controls: nothing to cut,
	 * nothing to replace. */
	/* A Hard Reset's text belongs to the Cease it carries. */
	shutdown_roundtrip(n.inner_code != 0 ? n.inner_subcode : n.subcode, n.shutdown_msg, &back);
	FUZZ_CHECK(strcmp(n.shutdown_msg, back.shutdown_msg) == 0);
}

/* The decoder wants the whole message, which its error data quotes. */
static void route_refresh(struct rbuf body)
{
	struct bgp_route_refresh rr, back;
	struct bgp_notice err;
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	size_t start = bgp_msg_begin(&w, BGP_MSG_ROUTE_REFRESH);
	wbuf_rbuf(&w, &body);
	bgp_msg_end(&w, start);
	struct bgp_msg m = reframe(&w, BGP_MSG_ROUTE_REFRESH);
	enum bgp_rr_result res = bgp_route_refresh_decode(&m, &rr, &err);
	if (res == BGP_RR_ERROR) {
		FUZZ_CHECK(err.code == BGP_ERR_RREFRESH && bgp_notice_data(&err).len == m.len);
		return;
	}
	wbuf_init(&w, out, sizeof(out));
	bgp_route_refresh_encode(&w, &rr);
	m = reframe(&w, BGP_MSG_ROUTE_REFRESH);
	FUZZ_CHECK(bgp_route_refresh_decode(&m, &back, &err) == res);
	FUZZ_CHECK(back.afi == rr.afi && back.subtype == rr.subtype && back.safi == rr.safi);
}

static void shutdown_text(struct rbuf text)
{
	static char s[TEXT_MAX + 1];
	char want[BGP_SHUTDOWN_MSG_MAX + 1];
	struct bgp_notification back;
	size_t len = rbuf_left(&text) < TEXT_MAX ? rbuf_left(&text) : TEXT_MAX;

	rbuf_copy(&text, s, len);
	s[len] = '\0';
	shutdown_roundtrip(BGP_CEASE_ADMIN_SHUTDOWN, s, &back);
	len = utf8_prefix_len(s, strlen(s), BGP_SHUTDOWN_MSG_MAX);
	FUZZ_CHECK(len <= BGP_SHUTDOWN_MSG_MAX);
	utf8_sanitize(want, sizeof(want), (const uint8_t *)s, len);
	FUZZ_CHECK(strcmp(want, back.shutdown_msg) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > BGP_EXT_MAX_LEN - BGP_HEADER_LEN)
		return 0;
	struct rbuf rest = rbuf_make(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		notification(rest);
		break;
	case 1:
		route_refresh(rest);
		break;
	default:
		shutdown_text(rest);
	}
	return 0;
}
