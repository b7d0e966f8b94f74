/*
 * update: UPDATE framing, the NLRI fields, mandatory attributes and the
 * route walk.  Attribute rules are in attr.c.
 */
#include "bgp/update.h"

#include <string.h>

static bool update_ipv4_addpath(const struct bgp_session_ctx *ctx)
{
	return ctx->addpath_rx & BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
}

static int update_reset(struct bgp_update *u, uint8_t subcode, const char *reason)
{
	bgp_errors_note(&u->errors, BGP_ACT_RESET, 0, reason);
	bgp_notice_set(&u->errors.notice, BGP_ERR_UPDATE, subcode);
	return -1;
}

/* Withdrawn Routes and NLRI must parse whole: a route that cannot be read
 * cannot be withdrawn either (RFC 7606 §5.3). */
static int update_check_fields(const struct bgp_session_ctx *ctx, struct bgp_update *u)
{
	size_t n;
	bool addpath = update_ipv4_addpath(ctx);

	if (nlri_check(u->withdrawn, BGP_AF_IPV4_UNICAST, addpath, &n) < 0)
		return update_reset(u, BGP_ERR_UPD_NETWORK, "withdrawn routes cannot be parsed");
	if (nlri_check(u->nlri, BGP_AF_IPV4_UNICAST, addpath, &n) < 0)
		return update_reset(u, BGP_ERR_UPD_NETWORK, "NLRI cannot be parsed");
	return 0;
}

static void update_require(struct bgp_update *u, uint8_t code)
{
	if (!bgp_attr_has(&u->attrs, code))
		bgp_errors_note(&u->errors, BGP_ACT_WITHDRAW, code, "missing well-known attribute");
}

/* RFC 7606 §3d: a missing well-known mandatory attribute costs the routes,
 * not the session.  NEXT_HOP is needed only for routes in the NLRI field. */
static void update_check_mandatory(struct bgp_update *u)
{
	bool reach = bgp_attr_has(&u->attrs, BGP_ATTR_MP_REACH);
	if (rbuf_empty(&u->nlri) && !reach)
		return;
	update_require(u, BGP_ATTR_ORIGIN);
	update_require(u, BGP_ATTR_AS_PATH);
	if (!rbuf_empty(&u->nlri))
		update_require(u, BGP_ATTR_NEXT_HOP);
}

/* IPv4 routes in the classic fields of a session that did not negotiate
 * IPv4 unicast are ignored, like MP attributes of foreign families. */
static void update_check_ipv4_family(const struct bgp_session_ctx *ctx, struct bgp_update *u)
{
	if (ctx->afs & BGP_AF_BIT(BGP_AF_IPV4_UNICAST))
		return;
	if (rbuf_empty(&u->withdrawn) && rbuf_empty(&u->nlri))
		return;
	bgp_errors_note(&u->errors, BGP_ACT_ATTR_DISCARD, 0, "IPv4 unicast not negotiated");
	u->withdrawn = rbuf_make(NULL, 0);
	u->nlri = rbuf_make(NULL, 0);
}

int bgp_update_decode(const struct bgp_session_ctx *ctx, struct rbuf body,
                      struct bgp_scratch *scratch, struct bgp_update *u)
{
	uint16_t wlen, alen;
	struct rbuf attrs;

	memset(u, 0, sizeof(*u));
	bgp_scratch_reset(scratch);
	if (rbuf_u16(&body, &wlen) < 0 || rbuf_sub(&body, wlen, &u->withdrawn) < 0 ||
	    rbuf_u16(&body, &alen) < 0 || rbuf_sub(&body, alen, &attrs) < 0)
		return update_reset(u, BGP_ERR_UPD_ATTR_LIST, "field lengths exceed the message");
	u->nlri = rbuf_rest(&body);
	if (update_check_fields(ctx, u) < 0)
		return -1;
	u->attr_count = bgp_attrs_decode(ctx, attrs, scratch, &u->attrs, &u->errors);
	if (u->errors.action == BGP_ACT_RESET)
		return -1;
	update_check_mandatory(u);
	update_check_ipv4_family(ctx, u);
	return 0;
}

bool bgp_update_is_eor(const struct bgp_update *u, enum bgp_af *af)
{
	const struct bgp_attrs *a = &u->attrs;

	if (!rbuf_empty(&u->withdrawn) || !rbuf_empty(&u->nlri) || u->errors.total != 0)
		return false;
	if (u->attr_count == 0) {
		*af = BGP_AF_IPV4_UNICAST;
		return true;
	}
	if (u->attr_count != 1 || !bgp_attr_has(a, BGP_ATTR_MP_UNREACH) ||
	    !rbuf_empty(&a->mp_unreach.nlri))
		return false;
	*af = (enum bgp_af)a->mp_unreach.af;
	return true;
}

enum route_part {
	PART_WITHDRAWN,
	PART_MP_UNREACH,
	PART_NLRI,
	PART_MP_REACH,
	PART_DONE,
};

static void route_iter_part(struct bgp_route_iter *ri)
{
	const struct bgp_attrs *a = &ri->u->attrs;
	bool v4_addpath = update_ipv4_addpath(ri->ctx);
	struct rbuf none = rbuf_make(NULL, 0);

	switch (ri->part) {
	case PART_WITHDRAWN:
		nlri_iter_init(&ri->it, ri->u->withdrawn, BGP_AF_IPV4_UNICAST, v4_addpath);
		break;
	case PART_MP_UNREACH: {
		bool has = bgp_attr_has(a, BGP_ATTR_MP_UNREACH);
		uint8_t af = a->mp_unreach.af;
		nlri_iter_init(&ri->it, has ? a->mp_unreach.nlri : none, (enum bgp_af)af,
		               ri->ctx->addpath_rx & BGP_AF_BIT(af));
		break;
	}
	case PART_NLRI:
		nlri_iter_init(&ri->it, ri->u->nlri, BGP_AF_IPV4_UNICAST, v4_addpath);
		break;
	case PART_MP_REACH: {
		bool has = bgp_attr_has(a, BGP_ATTR_MP_REACH);
		uint8_t af = a->mp_reach.af;
		nlri_iter_init(&ri->it, has ? a->mp_reach.nlri : none, (enum bgp_af)af,
		               ri->ctx->addpath_rx & BGP_AF_BIT(af));
		break;
	}
	default:
		break;
	}
}

void bgp_route_iter_init(struct bgp_route_iter *ri, const struct bgp_update *u,
                         const struct bgp_session_ctx *ctx)
{
	ri->u = u;
	ri->ctx = ctx;
	ri->part = PART_WITHDRAWN;
	route_iter_part(ri);
}

int bgp_route_iter_next(struct bgp_route_iter *ri, struct bgp_prefix *p, bool *reach)
{
	while (ri->part != PART_DONE) {
		if (nlri_next(&ri->it, p) == 1) {
			bool announce = ri->part == PART_NLRI || ri->part == PART_MP_REACH;
			*reach = announce && ri->u->errors.action < BGP_ACT_WITHDRAW;
			return 1;
		}
		ri->part++;
		route_iter_part(ri);
	}
	return 0;
}

void bgp_update_encode(struct wbuf *w, const struct bgp_session_ctx *ctx, struct rbuf withdrawn,
                       const struct bgp_attrs *a, struct rbuf nlri)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);
	wbuf_u16(w, (uint16_t)rbuf_left(&withdrawn));
	wbuf_rbuf(w, &withdrawn);
	size_t alen_at = wbuf_reserve(w, 2);
	bgp_attrs_encode(w, a, ctx);
	wbuf_patch_u16(w, alen_at, (uint16_t)(w->len - alen_at - 2));
	wbuf_rbuf(w, &nlri);
	bgp_msg_end(w, start);
}
