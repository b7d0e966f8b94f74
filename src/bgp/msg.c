/*
 * msg: framing, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH.
 */
#include "bgp/msg.h"

#include <string.h>

#include "bgp/proto.h"
#include "lib/utf8.h"

void bgp_notice_set(struct bgp_notice *n, uint8_t code, uint8_t subcode)
{
	*n = (struct bgp_notice){ .code = code, .subcode = subcode };
}

void bgp_notice_set_data(struct bgp_notice *n, uint8_t code, uint8_t subcode, struct rbuf data)
{
	bgp_notice_set(n, code, subcode);
	n->data = data;
}

void bgp_notice_set_u8(struct bgp_notice *n, uint8_t code, uint8_t subcode, uint8_t v)
{
	bgp_notice_set(n, code, subcode);
	n->own[0] = v;
	n->own_len = 1;
}

void bgp_notice_set_u16(struct bgp_notice *n, uint8_t code, uint8_t subcode, uint16_t v)
{
	bgp_notice_set(n, code, subcode);
	n->own[0] = (uint8_t)(v >> 8);
	n->own[1] = (uint8_t)v;
	n->own_len = 2;
}

void bgp_notice_set_shutdown(struct bgp_notice *n, uint8_t subcode, const char *text)
{
	size_t len = utf8_prefix_len(text, strlen(text), BGP_SHUTDOWN_MSG_MAX);

	bgp_notice_set(n, BGP_ERR_CEASE, subcode);
	n->own[0] = (uint8_t)len;
	memcpy(n->own + 1, text, len);
	n->own_len = (uint16_t)(1 + len);
}

struct rbuf bgp_notice_data(const struct bgp_notice *n)
{
	return n->own_len > 0 ? rbuf_make(n->own, n->own_len) : n->data;
}

static bool bgp_marker_ok(struct rbuf *r)
{
	for (int i = 0; i < BGP_MARKER_LEN; i++) {
		uint8_t b;
		if (rbuf_u8(r, &b) < 0 || b != 0xff)
			return false;
	}
	return true;
}

/* Length bounds per type (RFC 4271 §4, §6.1; RFC 8654 §4). */
static bool bgp_length_ok(uint8_t type, uint16_t len, size_t max_len)
{
	switch (type) {
	case BGP_MSG_OPEN:
		return len >= BGP_OPEN_MIN_LEN && len <= BGP_MAX_LEN;
	case BGP_MSG_UPDATE:
		return len >= BGP_UPDATE_MIN_LEN && len <= max_len;
	case BGP_MSG_NOTIFICATION:
		return len >= BGP_NOTIFY_MIN_LEN && len <= max_len;
	case BGP_MSG_KEEPALIVE:
		return len == BGP_HEADER_LEN;
	case BGP_MSG_ROUTE_REFRESH:
		/* RFC 7313 §5: a wrong length is a ROUTE-REFRESH error, sent
		 * by the decoder, not a header error. */
		return len >= BGP_HEADER_LEN && len <= max_len;
	default:
		return true; /* judged by type */
	}
}

enum bgp_frame_result bgp_frame(struct rbuf in, size_t max_len, struct bgp_msg *msg,
                                struct bgp_notice *err)
{
	struct rbuf r = rbuf_rest(&in);
	uint16_t len;
	uint8_t type;

	if (rbuf_left(&r) < BGP_HEADER_LEN)
		return BGP_FRAME_NEED_MORE;
	if (!bgp_marker_ok(&r)) {
		bgp_notice_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC);
		return BGP_FRAME_ERROR;
	}
	rbuf_u16(&r, &len);
	rbuf_u8(&r, &type);
	if (len < BGP_HEADER_LEN || !bgp_length_ok(type, len, max_len)) {
		bgp_notice_set_u16(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, len);
		return BGP_FRAME_ERROR;
	}
	if (type < BGP_MSG_OPEN || type > BGP_MSG_ROUTE_REFRESH) {
		bgp_notice_set_u8(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, type);
		return BGP_FRAME_ERROR;
	}
	if (rbuf_left(&r) < (size_t)len - BGP_HEADER_LEN)
		return BGP_FRAME_NEED_MORE;
	msg->type = type;
	msg->len = len;
	rbuf_rewind(&r);
	rbuf_sub(&r, len, &msg->raw);
	msg->body = msg->raw;
	rbuf_skip(&msg->body, BGP_HEADER_LEN);
	msg->body = rbuf_rest(&msg->body);
	return BGP_FRAME_OK;
}

size_t bgp_msg_begin(struct wbuf *w, enum bgp_msg_type type)
{
	size_t start = w->len;
	for (int i = 0; i < BGP_MARKER_LEN; i++)
		wbuf_u8(w, 0xff);
	wbuf_reserve(w, 2);
	wbuf_u8(w, (uint8_t)type);
	return start;
}

void bgp_msg_end(struct wbuf *w, size_t start)
{
	size_t len = w->len - start;
	if (len > BGP_EXT_MAX_LEN) {
		w->overflow = true;
		return;
	}
	wbuf_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
}

void bgp_keepalive_encode(struct wbuf *w)
{
	bgp_msg_end(w, bgp_msg_begin(w, BGP_MSG_KEEPALIVE));
}

static bool bgp_cease_has_shutdown_msg(uint8_t code, uint8_t subcode)
{
	return code == BGP_ERR_CEASE &&
	       (subcode == BGP_CEASE_ADMIN_SHUTDOWN || subcode == BGP_CEASE_ADMIN_RESET);
}

static void bgp_notification_shutdown_msg(struct bgp_notification *n, struct rbuf r)
{
	struct rbuf text;
	uint8_t len;

	if (rbuf_u8(&r, &len) < 0 || rbuf_sub(&r, len, &text) < 0)
		return;
	utf8_sanitize(n->shutdown_msg, sizeof(n->shutdown_msg), rbuf_data(&text), len);
	n->has_shutdown_msg = true;
}

int bgp_notification_decode(struct rbuf body, struct bgp_notification *n)
{
	memset(n, 0, sizeof(*n));
	if (rbuf_u8(&body, &n->code) < 0 || rbuf_u8(&body, &n->subcode) < 0)
		return -1;
	n->data = rbuf_rest(&body);
	if (bgp_cease_has_shutdown_msg(n->code, n->subcode))
		bgp_notification_shutdown_msg(n, n->data);
	struct rbuf inner = n->data;
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET &&
	    rbuf_u8(&inner, &n->inner_code) == 0 && rbuf_u8(&inner, &n->inner_subcode) == 0 &&
	    bgp_cease_has_shutdown_msg(n->inner_code, n->inner_subcode))
		bgp_notification_shutdown_msg(n, inner);
	return 0;
}

bool bgp_notice_needs_hard_reset(const struct bgp_notice *n)
{
	return n->code == BGP_ERR_CEASE &&
	       (n->subcode == BGP_CEASE_MAX_PREFIX || n->subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
	        n->subcode == BGP_CEASE_PEER_DECONFIGURED || n->subcode == BGP_CEASE_ADMIN_RESET);
}

void bgp_notification_encode_hard_reset(struct wbuf *w, const struct bgp_notice *n)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_NOTIFICATION);
	wbuf_u8(w, BGP_ERR_CEASE);
	wbuf_u8(w, BGP_CEASE_HARD_RESET);
	wbuf_u8(w, n->code);
	wbuf_u8(w, n->subcode);
	struct rbuf data = bgp_notice_data(n);
	wbuf_rbuf(w, &data);
	bgp_msg_end(w, start);
}

void bgp_notification_encode(struct wbuf *w, const struct bgp_notice *n)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_NOTIFICATION);
	wbuf_u8(w, n->code);
	wbuf_u8(w, n->subcode);
	struct rbuf data = bgp_notice_data(n);
	wbuf_rbuf(w, &data);
	bgp_msg_end(w, start);
}

/* RFC 7313 §5: a subtype other than 0, 1, 2 is ignored whatever its
 * length; for the others the body is 4 octets (kbgp has no ORF), else 7/1
 * with the whole message as data. */
enum bgp_rr_result bgp_route_refresh_decode(const struct bgp_msg *msg, struct bgp_route_refresh *rr,
                                            struct bgp_notice *err)
{
	struct rbuf r = msg->body;

	if (rbuf_u16(&r, &rr->afi) < 0 || rbuf_u8(&r, &rr->subtype) < 0 ||
	    rbuf_u8(&r, &rr->safi) < 0) {
		bgp_notice_set_data(err, BGP_ERR_RREFRESH, BGP_ERR_RR_LEN, msg->raw);
		return BGP_RR_ERROR;
	}
	if (rr->subtype > BGP_RR_EORR)
		return BGP_RR_IGNORE;
	if (!rbuf_empty(&r)) {
		bgp_notice_set_data(err, BGP_ERR_RREFRESH, BGP_ERR_RR_LEN, msg->raw);
		return BGP_RR_ERROR;
	}
	return BGP_RR_OK;
}

void bgp_route_refresh_encode(struct wbuf *w, const struct bgp_route_refresh *rr)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_ROUTE_REFRESH);
	wbuf_u16(w, rr->afi);
	wbuf_u8(w, rr->subtype);
	wbuf_u8(w, rr->safi);
	bgp_msg_end(w, start);
}
