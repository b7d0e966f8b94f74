/*
 * update_build: UPDATE packing.
 */
#include "bgp/update_build.h"

#include "bgp/update.h"

/* Bytes of NLRI that fit: prefixes are added until the next would not. */
static size_t pack_nlri(struct wbuf *w, size_t room, bool addpath, const struct bgp_prefix *v,
                        size_t n, size_t *used)
{
	size_t i = 0, len = 0;
	for (; i < n; i++) {
		size_t one = nlri_encoded_len(&v[i], addpath);
		if (len + one > room)
			break;
		nlri_encode(w, &v[i], addpath);
		len += one;
	}
	*used = len;
	return i;
}

/* Size of everything but the NLRI, found by encoding with none. */
static size_t fixed_size(const struct bgp_session_ctx *ctx, const struct bgp_attrs *a,
                         struct wbuf *scratch)
{
	wbuf_truncate(scratch, 0);
	bgp_update_encode(scratch, ctx, rbuf_make(NULL, 0), a, rbuf_make(NULL, 0));
	return scratch->len;
}

size_t bgp_update_build(struct wbuf *w, size_t max_len, const struct bgp_session_ctx *ctx,
                        const struct bgp_attrs *a, enum bgp_af af, const struct bgp_prefix *v,
                        size_t n)
{
	static uint8_t nlri_buf[BGP_EXT_MAX_LEN], probe_buf[BGP_EXT_MAX_LEN];
	bool addpath = ctx->addpath_tx & BGP_AF_BIT(af);
	struct wbuf nlri, probe;
	struct bgp_attrs attrs = { 0 };
	size_t used, count;

	wbuf_init(&nlri, nlri_buf, sizeof(nlri_buf));
	wbuf_init(&probe, probe_buf, sizeof(probe_buf));
	if (a != NULL)
		attrs = *a;
	if (af != BGP_AF_IPV4_UNICAST) {
		/* An MP attribute over 255 bytes takes a two-octet length. */
		uint8_t code = a != NULL ? BGP_ATTR_MP_REACH : BGP_ATTR_MP_UNREACH;
		bgp_attr_set(&attrs, code);
		attrs.mp_reach.af = attrs.mp_unreach.af = (uint8_t)af;
		size_t room = max_len - fixed_size(ctx, &attrs, &probe) - 1;
		count = pack_nlri(&nlri, room, addpath, v, n, &used);
		if (a != NULL)
			attrs.mp_reach.nlri = wbuf_view(&nlri);
		else
			attrs.mp_unreach.nlri = wbuf_view(&nlri);
		bgp_update_encode(w, ctx, rbuf_make(NULL, 0), &attrs, rbuf_make(NULL, 0));
		return count;
	}
	if (a == NULL) {
		count = pack_nlri(&nlri, max_len - BGP_UPDATE_MIN_LEN, addpath, v, n, &used);
		bgp_update_encode(w, ctx, wbuf_view(&nlri), &attrs, rbuf_make(NULL, 0));
		return count;
	}
	/* IPv4 NLRI end the message: they go straight after the attributes,
	 * and the header's length is set again. */
	size_t start = w->len;
	bgp_update_encode(w, ctx, rbuf_make(NULL, 0), &attrs, rbuf_make(NULL, 0));
	count = pack_nlri(w, max_len - (w->len - start), addpath, v, n, &used);
	wbuf_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)(w->len - start));
	return count;
}

void bgp_update_build_eor(struct wbuf *w, enum bgp_af af)
{
	struct bgp_session_ctx ctx = { .as4 = true };
	struct bgp_attrs attrs = { 0 };

	if (af != BGP_AF_IPV4_UNICAST) {
		bgp_attr_set(&attrs, BGP_ATTR_MP_UNREACH);
		attrs.mp_unreach.af = (uint8_t)af;
	}
	bgp_update_encode(w, &ctx, rbuf_make(NULL, 0), &attrs, rbuf_make(NULL, 0));
}
