/*
 * negotiate: OPEN against OPEN.
 */
#include "bgp/negotiate.h"

#include <string.h>

/* RFC 6793 §4.2.1: the AS in My AS must agree with the 4-octet capability
 * (AS_TRANS stands for any ASN that needs four octets). */
static bool peer_as_consistent(const struct bgp_open *peer)
{
	const struct bgp_caps *c = &peer->caps;
	if (!c->as4)
		return true;
	if (c->as4_asn > 0xffff)
		return peer->my_as == BGP_AS_TRANS;
	return peer->my_as == c->as4_asn;
}

static bool peer_as_expected(const struct bgp_local *local, uint32_t asn)
{
	switch (local->peer_as_kind) {
	case BGP_PEER_AS_NUMBER:
		return asn == local->peer_asn;
	case BGP_PEER_AS_EXTERNAL:
		return asn != local->asn;
	case BGP_PEER_AS_INTERNAL:
		return asn == local->asn;
	default:
		return asn != 0;
	}
}

/* RFC 9234 §4.2: the allowed pairs of (our role, their role). */
static bool roles_match(uint8_t ours, uint8_t theirs)
{
	switch (ours) {
	case BGP_ROLE_PROVIDER:
		return theirs == BGP_ROLE_CUSTOMER;
	case BGP_ROLE_CUSTOMER:
		return theirs == BGP_ROLE_PROVIDER;
	case BGP_ROLE_RS:
		return theirs == BGP_ROLE_RS_CLIENT;
	case BGP_ROLE_RS_CLIENT:
		return theirs == BGP_ROLE_RS;
	case BGP_ROLE_PEER:
		return theirs == BGP_ROLE_PEER;
	default:
		return false;
	}
}

static int check_role(const struct bgp_local *local, const struct bgp_caps *peer,
                      struct bgp_notice *err)
{
	const struct bgp_caps *ours = &local->open.caps;
	if (!ours->has_role)
		return 0;
	if (peer->has_role ? roles_match(ours->role, peer->role) : !local->role_strict)
		return 0;
	bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_ROLE);
	return -1;
}

/* RFC 4760 §8: a speaker without the MP capability speaks IPv4 unicast. */
static uint8_t announced_families(const struct bgp_caps *c)
{
	return bgp_caps_has(c, BGP_CAPA_MP) ? c->mp : BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
}

static void negotiate_addpath(const struct bgp_caps *ours, const struct bgp_caps *theirs,
                              struct bgp_session_ctx *ctx)
{
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(ctx->afs & BGP_AF_BIT(af)))
			continue;
		if ((ours->addpath[af] & BGP_ADDPATH_RECV) &&
		    (theirs->addpath[af] & BGP_ADDPATH_SEND))
			ctx->addpath_rx |= (uint8_t)BGP_AF_BIT(af);
		if ((ours->addpath[af] & BGP_ADDPATH_SEND) &&
		    (theirs->addpath[af] & BGP_ADDPATH_RECV))
			ctx->addpath_tx |= (uint8_t)BGP_AF_BIT(af);
	}
}

static void negotiate_gr(const struct bgp_caps *ours, const struct bgp_caps *theirs,
                         struct bgp_negotiated *out)
{
	if (!theirs->gr.present)
		return;
	out->peer_gr = true;
	out->peer_restart_time = theirs->gr.restart_time;
	out->peer_restarted = theirs->gr.flags & BGP_GR_F_RESTART;
	out->peer_gr_notification = ours->gr.present && (ours->gr.flags & BGP_GR_F_NOTIFICATION) &&
	                            (theirs->gr.flags & BGP_GR_F_NOTIFICATION);
	out->peer_gr_forwarding = theirs->gr.forwarding & out->ctx.afs;
	/* A helper that keeps our routes (we listed families) after any
	 * NOTIFICATION because we set N (FRR 8.4 does, whatever it announced
	 * itself) must see Hard Reset to drop them; one that does not know
	 * RFC 8538 still ends the session on it, and drops them anyway. */
	out->hard_reset_ceases =
	        ours->gr.present && (ours->gr.flags & BGP_GR_F_NOTIFICATION) && ours->gr.afs != 0;
}

static bool both(const struct bgp_caps *a, const struct bgp_caps *b, uint8_t code)
{
	return bgp_caps_has(a, code) && bgp_caps_has(b, code);
}

/* Unsupported Capability (RFC 5492 §3) carries the capability that could not
 * be agreed on: here, the MP capability of our first family. */
static void unsupported_families(const struct bgp_local *local, struct bgp_notice *err)
{
	static uint8_t data[6] = { BGP_CAPA_MP, 4 };
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(announced_families(&local->open.caps) & BGP_AF_BIT(af)))
			continue;
		data[2] = (uint8_t)(bgp_af_table[af].afi >> 8);
		data[3] = (uint8_t)bgp_af_table[af].afi;
		data[4] = 0;
		data[5] = bgp_af_table[af].safi;
		break;
	}
	bgp_notice_set_data(err, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPA, rbuf_make(data, sizeof(data)));
}

int bgp_negotiate(const struct bgp_local *local, const struct bgp_open *peer,
                  struct bgp_negotiated *out, struct bgp_notice *err)
{
	const struct bgp_caps *ours = &local->open.caps, *theirs = &peer->caps;
	uint32_t asn = bgp_open_asn(peer);

	memset(out, 0, sizeof(*out));
	if (!peer_as_consistent(peer) || !peer_as_expected(local, asn)) {
		bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS);
		return -1;
	}
	out->peer_asn = asn;
	out->ebgp = asn != local->asn;
	/* RFC 6286 §2.2: identifiers must differ only within one AS. */
	if (!out->ebgp && peer->bgp_id == local->router_id) {
		bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID);
		return -1;
	}
	if (check_role(local, theirs, err) < 0)
		return -1;
	out->peer_id = peer->bgp_id;
	out->ctx.ebgp = out->ebgp;
	out->ctx.as4 = ours->as4 && theirs->as4;
	out->ctx.afs = announced_families(ours) & announced_families(theirs);
	if (out->ctx.afs == 0) {
		unsupported_families(local, err);
		return -1;
	}
	out->ctx.ext_nexthop = ours->ext_nexthop & theirs->ext_nexthop & out->ctx.afs;
	negotiate_addpath(ours, theirs, &out->ctx);
	negotiate_gr(ours, theirs, out);
	out->route_refresh = both(ours, theirs, BGP_CAPA_ROUTE_REFRESH);
	out->enhanced_rr = both(ours, theirs, BGP_CAPA_ENHANCED_RR);
	out->ext_message = both(ours, theirs, BGP_CAPA_EXT_MESSAGE);
	/* RFC 4271 §4.2: the smaller hold time; 0 turns keepalives off. */
	uint16_t ours_hold = local->open.hold_time;
	out->hold_time = peer->hold_time < ours_hold ? peer->hold_time : ours_hold;
	out->keepalive = out->hold_time / 3;
	if (local->keepalive != 0 && local->keepalive < out->keepalive)
		out->keepalive = local->keepalive;
	return 0;
}
