/*
 * fuzz_frame: the input is the byte stream a peer sends.  It is framed
 * message by message (RFC 4271 §4.1) twice, under the 4096-byte limit and
 * the RFC 8654 65535-byte one, and each message goes to its decoder.  As in
 * a session, an OPEN that decodes sets the context later UPDATEs are
 * decoded with.
 */
#include "bgp/open.h"
#include "bgp/update.h"
#include "fuzz.h"

static struct bgp_scratch scratch; /* large; reset by each decode */

/* Only the peer's OPEN is at hand, so it is taken as the negotiation:
 * whatever it announces is agreed (eBGP throughout). */
static void on_open(const struct bgp_msg *m, struct bgp_session_ctx *ctx)
{
	struct bgp_open o;
	struct bgp_notice err;

	if (bgp_open_decode(m->body, &o, &err) < 0)
		return;
	ctx->as4 = o.caps.as4;
	/* RFC 4760 §7: without MP capabilities, IPv4 unicast only. */
	ctx->afs = o.caps.mp != 0 ? o.caps.mp : BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	ctx->ext_nexthop = o.caps.ext_nexthop;
	ctx->addpath_rx = 0;
	for (int af = 0; af < BGP_AF_COUNT; af++)
		if (o.caps.addpath[af] & BGP_ADDPATH_SEND)
			ctx->addpath_rx |= BGP_AF_BIT(af);
}

static void on_update(const struct bgp_msg *m, const struct bgp_session_ctx *ctx)
{
	struct bgp_update u;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;

	if (bgp_update_decode(ctx, m->body, &scratch, &u) < 0)
		return;
	bgp_route_iter_init(&ri, &u, ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1)
		FUZZ_CHECK(p.len <= bgp_af_table[p.af].addr_len * 8);
}

static void on_msg(const struct bgp_msg *m, struct bgp_session_ctx *ctx)
{
	struct bgp_notification n;
	struct bgp_route_refresh rr;
	struct bgp_notice err;

	switch (m->type) {
	case BGP_MSG_OPEN:
		on_open(m, ctx);
		break;
	case BGP_MSG_UPDATE:
		on_update(m, ctx);
		break;
	case BGP_MSG_NOTIFICATION:
		FUZZ_CHECK(bgp_notification_decode(m->body, &n) == 0);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		(void)bgp_route_refresh_decode(m, &rr, &err);
		break;
	default:
		FUZZ_CHECK(m->type == BGP_MSG_KEEPALIVE && m->len == BGP_HEADER_LEN);
	}
}

static void run_stream(struct rbuf in, size_t max_len)
{
	struct bgp_session_ctx ctx = {
		.as4 = true,
		.ebgp = true,
		.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST),
	};
	enum bgp_frame_result r;
	struct bgp_notice err;
	struct bgp_msg m;

	while ((r = bgp_frame(in, max_len, &m, &err)) == BGP_FRAME_OK) {
		FUZZ_CHECK(m.len >= BGP_HEADER_LEN && m.len <= max_len);
		FUZZ_CHECK(m.len <= rbuf_left(&in) && m.body.len == m.len - BGP_HEADER_LEN);
		on_msg(&m, &ctx);
		rbuf_skip(&in, m.len);
	}
	FUZZ_CHECK(r != BGP_FRAME_ERROR || err.code == BGP_ERR_HEADER);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_stream(rbuf_make(data, size), BGP_MAX_LEN);
	run_stream(rbuf_make(data, size), BGP_EXT_MAX_LEN);
	return 0;
}
