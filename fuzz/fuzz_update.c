/*
 * fuzz_update: UPDATE bodies (RFC 4271 §4.3, RFC 4760, RFC 6793, RFC 7606)
 * under each session shape the decoder tells apart.  Byte 0 picks the
 * session: bit 0 four-octet AS, bit 1 eBGP, bit 2 ADD-PATH receive for both
 * families, bit 3 IPv6 next hops for IPv4 (RFC 8950), bit 4 IPv4 unicast not
 * negotiated.  The rest is the body.  Every route is walked and the
 * attributes formatted, as kbgpctl does even for an UPDATE that resets the
 * session; one that decodes is re-encoded and must decode again without a
 * reset: what kbgp sends, kbgp must accept.  Its attributes are also
 * interned, as the RIB does: the compact set must give back the very
 * attributes it was made from (its view interns to the same set, and
 * encodes to the same bytes), and the decision's facts must be those of
 * the view.
 */
#include <string.h>

#include "bgp/update.h"
#include "fuzz.h"
#include "rib/attrset.h"

#define BODY_MAX (BGP_EXT_MAX_LEN - BGP_HEADER_LEN)

/* About 256 KiB each, so static; bgp_update_decode() resets them.  Two,
 * because the attributes of the first decode point into the first. */
static struct bgp_scratch scratch[2];

static struct bgp_session_ctx ctx_from(uint8_t b)
{
	uint8_t both = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST);

	return (struct bgp_session_ctx){
		.as4 = b & 1,
		.ebgp = b & 2,
		.addpath_rx = b & 4 ? both : 0,
		.ext_nexthop = b & 8 ? BGP_AF_BIT(BGP_AF_IPV4_UNICAST) : 0,
		.afs = b & 16 ? BGP_AF_BIT(BGP_AF_IPV6_UNICAST) : both,
	};
}

static void walk_routes(const struct bgp_session_ctx *ctx, const struct bgp_update *u)
{
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	char text[64];
	bool reach;

	bgp_route_iter_init(&ri, u, ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		FUZZ_CHECK(p.af < BGP_AF_COUNT && p.len <= bgp_af_table[p.af].addr_len * 8);
		FUZZ_CHECK(bgp_prefix_format(text, sizeof(text), &p) > 0);
	}
}

static void format_attrs(const struct bgp_attrs *a)
{
	char text[8192]; /* kbgpctl's size, so long lists get cut as there */
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	bgp_attrs_format_gobgp(&s, a);
	FUZZ_CHECK(s.len < sizeof(text) && text[s.len] == '\0');
}

static void check_reencode(const struct bgp_session_ctx *ctx, const struct bgp_update *u)
{
	static uint8_t out[BGP_EXT_MAX_LEN + 1];
	struct bgp_update again;
	struct bgp_notice err;
	struct bgp_msg m;
	struct wbuf w;

	/* The encoder copies nh_len bytes out of the 32-byte nh. */
	if (bgp_attr_has(&u->attrs, BGP_ATTR_MP_REACH))
		FUZZ_CHECK(u->attrs.mp_reach.nh_len <= sizeof(u->attrs.mp_reach.nh));
	wbuf_init(&w, out, sizeof(out));
	bgp_update_encode(&w, ctx, u->withdrawn, &u->attrs, u->nlri);
	/* AS_PATH and AS4_PATH for a two-octet session can outgrow the
	 * message; the encoder then refuses rather than truncate. */
	if (!wbuf_ok(&w))
		return;
	FUZZ_CHECK(bgp_frame(wbuf_view(&w), BGP_EXT_MAX_LEN, &m, &err) == BGP_FRAME_OK);
	FUZZ_CHECK(m.type == BGP_MSG_UPDATE && m.len == w.len);
	FUZZ_CHECK(bgp_update_decode(ctx, m.body, &scratch[1], &again) == 0);
	walk_routes(ctx, &again);
}

/* The attribute part of an UPDATE that carries a, no routes. */
static size_t encode_attrs(const struct bgp_session_ctx *ctx, const struct bgp_attrs *a,
                           uint8_t *out, size_t cap)
{
	struct bgp_attrs routeless = *a;
	struct wbuf w;
	routeless.mp_reach.nlri = rbuf_make(NULL, 0);
	bgp_attr_clear(&routeless, BGP_ATTR_MP_UNREACH);
	wbuf_init(&w, out, cap);
	bgp_update_encode(&w, ctx, rbuf_make(NULL, 0), &routeless, rbuf_make(NULL, 0));
	return wbuf_ok(&w) ? w.len : 0;
}

static void check_interned(const struct bgp_session_ctx *ctx, const struct bgp_update *u)
{
	static struct attrset_table table;
	static bool ready;
	static uint8_t want[BGP_EXT_MAX_LEN + 1], got[BGP_EXT_MAX_LEN + 1];
	struct bgp_attrs view;
	struct decide_attrs facts;

	if (!ready) {
		attrset_table_init(&table);
		ready = true;
	}
	struct attrset *s = attrset_intern(&table, &u->attrs);
	FUZZ_CHECK(s != NULL && s->id != 0 && attrset_by_id(&table, s->id) == s);
	attrset_attrs(s, &view);
	struct attrset *again = attrset_intern(&table, &view);
	FUZZ_CHECK(again == s);
	size_t n = encode_attrs(ctx, &u->attrs, want, sizeof(want));
	FUZZ_CHECK(encode_attrs(ctx, &view, got, sizeof(got)) == n && memcmp(want, got, n) == 0);
	decide_attrs_of(&view, &facts);
	FUZZ_CHECK(facts.local_pref == s->decide.local_pref && facts.med == s->decide.med &&
	           facts.as_path_length == s->decide.as_path_length &&
	           facts.cluster_length == s->decide.cluster_length &&
	           facts.origin == s->decide.origin &&
	           facts.has_originator == s->decide.has_originator);
	struct rbuf path = attrset_as_path(s);
	struct rbuf decoded =
	        bgp_attr_has(&u->attrs, BGP_ATTR_AS_PATH) ? u->attrs.as_path : rbuf_make(NULL, 0);
	FUZZ_CHECK(path.len == decoded.len &&
	           (path.len == 0 || memcmp(rbuf_data(&path), rbuf_data(&decoded), path.len) == 0));
	attrset_unref(&table, again);
	attrset_unref(&table, s);
	FUZZ_CHECK(table.sets.count == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_update u;
	enum bgp_af eor;

	if (size < 1 || size - 1 > BODY_MAX)
		return 0;
	struct bgp_session_ctx ctx = ctx_from(data[0]);
	int rc = bgp_update_decode(&ctx, rbuf_make(data + 1, size - 1), &scratch[0], &u);
	FUZZ_CHECK((rc == 0) == (u.errors.action < BGP_ACT_RESET));
	FUZZ_CHECK(rc == 0 || u.errors.notice.code == BGP_ERR_UPDATE);
	walk_routes(&ctx, &u);
	format_attrs(&u.attrs);
	if (rc < 0)
		return 0;
	(void)bgp_update_is_eor(&u, &eor);
	check_reencode(&ctx, &u);
	check_interned(&ctx, &u);
	return 0;
}
