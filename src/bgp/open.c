/*
 * open: OPEN messages and their optional parameters (RFC 4271 §4.2,
 * RFC 9072).
 */
#include "bgp/open.h"

#include <string.h>

/* Walk optional parameters: each is a type octet and a length of
 * len_size octets.  Only Capabilities (type 2) is defined. */
static int open_params_decode(struct rbuf params, int len_size, struct bgp_caps *caps,
                              struct bgp_notice *err)
{
	while (!rbuf_empty(&params)) {
		uint8_t type, len8;
		uint16_t len = 0;
		struct rbuf value;

		if (rbuf_u8(&params, &type) < 0)
			goto bad;
		if (len_size == 1) {
			if (rbuf_u8(&params, &len8) < 0)
				goto bad;
			len = len8;
		} else if (rbuf_u16(&params, &len) < 0) {
			goto bad;
		}
		if (rbuf_sub(&params, len, &value) < 0)
			goto bad;
		if (type != BGP_OPT_PARAM_CAPA) {
			bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM);
			return -1;
		}
		if (bgp_caps_decode(value, caps, err) < 0)
			return -1;
	}
	return 0;
bad:
	bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC);
	return -1;
}

/*
 * RFC 9072 §2: a Non-Ext OP Len of 255 followed by a Non-Ext OP Type of 255
 * announces the extended form, with a two-octet length that must cover the
 * rest of the message exactly (the FRR CVE-2022-40302/40318/43681 family
 * came from trusting these lengths).
 */
static int open_optional_decode(struct rbuf *r, struct bgp_caps *caps, struct bgp_notice *err)
{
	uint8_t optlen, first_type;
	uint16_t ext_len;
	struct rbuf params;

	if (rbuf_u8(r, &optlen) < 0)
		goto bad;
	if (optlen == 255 && rbuf_peek_u8(r, 0, &first_type) == 0 &&
	    first_type == BGP_OPT_PARAM_EXT) {
		rbuf_skip(r, 1);
		if (rbuf_u16(r, &ext_len) < 0 || rbuf_left(r) != ext_len)
			goto bad;
		params = rbuf_rest(r);
		return open_params_decode(params, 2, caps, err);
	}
	if (rbuf_left(r) != optlen)
		goto bad;
	params = rbuf_rest(r);
	return open_params_decode(params, 1, caps, err);
bad:
	bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC);
	return -1;
}

int bgp_open_decode(struct rbuf body, struct bgp_open *o, struct bgp_notice *err)
{
	memset(o, 0, sizeof(*o));
	if (rbuf_u8(&body, &o->version) < 0 || rbuf_u16(&body, &o->my_as) < 0 ||
	    rbuf_u16(&body, &o->hold_time) < 0 || rbuf_u32(&body, &o->bgp_id) < 0) {
		bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC);
		return -1;
	}
	if (o->version != BGP_VERSION) {
		bgp_notice_set_u16(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, BGP_VERSION);
		return -1;
	}
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD);
		return -1;
	}
	if (o->bgp_id == 0) {
		bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID);
		return -1;
	}
	return open_optional_decode(&body, &o->caps, err);
}

void bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	uint8_t caps_buf[BGP_MAX_LEN];
	struct wbuf caps;

	wbuf_init(&caps, caps_buf, sizeof(caps_buf));
	bgp_caps_encode(&caps, &o->caps);
	if (!wbuf_ok(&caps)) {
		w->overflow = true;
		return;
	}
	struct rbuf cv = wbuf_view(&caps);

	size_t start = bgp_msg_begin(w, BGP_MSG_OPEN);
	wbuf_u8(w, o->version);
	wbuf_u16(w, o->my_as);
	wbuf_u16(w, o->hold_time);
	wbuf_u32(w, o->bgp_id);
	if (caps.len == 0) {
		wbuf_u8(w, 0);
	} else if (caps.len + 2 <= 255) {
		wbuf_u8(w, (uint8_t)(caps.len + 2));
		wbuf_u8(w, BGP_OPT_PARAM_CAPA);
		wbuf_u8(w, (uint8_t)caps.len);
		wbuf_rbuf(w, &cv);
	} else {
		wbuf_u8(w, 255);
		wbuf_u8(w, BGP_OPT_PARAM_EXT);
		wbuf_u16(w, (uint16_t)(caps.len + 3));
		wbuf_u8(w, BGP_OPT_PARAM_CAPA);
		wbuf_u16(w, (uint16_t)caps.len);
		wbuf_rbuf(w, &cv);
	}
	bgp_msg_end(w, start);
}

uint32_t bgp_open_asn(const struct bgp_open *o)
{
	return o->caps.as4 ? o->caps.as4_asn : o->my_as;
}
