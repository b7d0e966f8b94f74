/*
 * attr_values: one decoder and one encoder per path attribute, and the table
 * that describes them.  Decoders see only their own value; the generic rules
 * (flags, duplicates, unknown codes, overruns) live in attr.c.  Error classes
 * are those of RFC 7606 §7 unless a comment says otherwise.
 */
#include <string.h>

#include "bgp/aspath.h"
#include "bgp/attr_desc.h"
#include "bgp/nlri.h"

#define WELL_KNOWN BGP_ATTR_F_TRANSITIVE
#define OPT_TRANS  (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)
#define OPT_NON    BGP_ATTR_F_OPTIONAL

static enum bgp_action u32_value(struct attr_parse *p, struct rbuf v, uint32_t *out)
{
	if (rbuf_left(&v) != 4)
		return attr_malformed(p, "length is not 4");
	rbuf_u32(&v, out);
	return BGP_ACT_NONE;
}

static void u32_encode(struct wbuf *w, uint8_t flags, uint8_t code, uint32_t v)
{
	size_t at = attr_begin(w, flags, code);
	wbuf_u32(w, v);
	attr_end(w, at);
}

/* A list of fixed-size items must be a non-zero multiple of the item size. */
static enum bgp_action list_value(struct attr_parse *p, struct rbuf v, size_t item,
                                  struct rbuf *out)
{
	if (rbuf_left(&v) == 0 || rbuf_left(&v) % item != 0)
		return attr_malformed(p, "length is not a non-zero multiple of the item size");
	*out = v;
	return BGP_ACT_NONE;
}

static void list_encode(struct wbuf *w, uint8_t flags, uint8_t code, const struct rbuf *list)
{
	size_t at = attr_begin(w, flags, code);
	wbuf_rbuf(w, list);
	attr_end(w, at);
}

static enum bgp_action origin_decode(struct attr_parse *p, struct rbuf v)
{
	if (rbuf_left(&v) != 1)
		return attr_malformed(p, "length is not 1");
	rbuf_u8(&v, &p->a->origin);
	if (p->a->origin > BGP_ORIGIN_INCOMPLETE)
		return attr_malformed(p, "undefined value");
	return BGP_ACT_NONE;
}

static void origin_encode(struct wbuf *w, const struct bgp_attrs *a,
                          const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	size_t at = attr_begin(w, WELL_KNOWN, BGP_ATTR_ORIGIN);
	wbuf_u8(w, a->origin);
	attr_end(w, at);
}

/* RFC 7606 §7.2: confederation segments from an external peer are as
 * malformed as a broken segment, since kbgp is never in a confederation. */
static enum bgp_action as_path_decode(struct attr_parse *p, struct rbuf v)
{
	size_t asn_size = p->ctx->as4 ? 4 : 2;
	if (aspath_check(v, asn_size, !p->ctx->ebgp) < 0)
		return attr_malformed(p, "malformed segment");
	if (p->ctx->as4) {
		p->a->as_path = v;
		return BGP_ACT_NONE;
	}
	struct wbuf *out = &p->scratch->path;
	size_t from = out->len;
	aspath_widen(v, out);
	p->a->as_path = wbuf_view_from(out, from);
	return BGP_ACT_NONE;
}

static void as_path_encode(struct wbuf *w, const struct bgp_attrs *a,
                           const struct bgp_session_ctx *ctx)
{
	size_t at = attr_begin(w, WELL_KNOWN, BGP_ATTR_AS_PATH);
	if (ctx->as4)
		wbuf_rbuf(w, &a->as_path);
	else
		aspath_encode_narrow(w, a->as_path);
	attr_end(w, at);
	if (ctx->as4 || !aspath_has_as4_only(a->as_path))
		return;
	at = attr_begin(w, OPT_TRANS, BGP_ATTR_AS4_PATH);
	aspath_encode_as4(w, a->as_path);
	attr_end(w, at);
}

/* RFC 4271 §6.3: a next hop that is not a unicast address is semantically
 * wrong; the route cannot be used, so it is withdrawn. */
static bool ipv4_is_unicast(uint32_t a)
{
	return a != 0 && (a >> 28) < 0xe;
}

static enum bgp_action next_hop_decode(struct attr_parse *p, struct rbuf v)
{
	enum bgp_action act = u32_value(p, v, &p->a->next_hop);
	if (act == BGP_ACT_NONE && !ipv4_is_unicast(p->a->next_hop))
		return attr_malformed(p, "not a unicast address");
	return act;
}

static void next_hop_encode(struct wbuf *w, const struct bgp_attrs *a,
                            const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	u32_encode(w, WELL_KNOWN, BGP_ATTR_NEXT_HOP, a->next_hop);
}

static enum bgp_action med_decode(struct attr_parse *p, struct rbuf v)
{
	return u32_value(p, v, &p->a->med);
}

static void med_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	u32_encode(w, OPT_NON, BGP_ATTR_MED, a->med);
}

static enum bgp_action local_pref_decode(struct attr_parse *p, struct rbuf v)
{
	if (p->ctx->ebgp) {
		p->reason = "received from an external peer";
		return BGP_ACT_ATTR_DISCARD;
	}
	return u32_value(p, v, &p->a->local_pref);
}

static void local_pref_encode(struct wbuf *w, const struct bgp_attrs *a,
                              const struct bgp_session_ctx *ctx)
{
	if (!ctx->ebgp)
		u32_encode(w, WELL_KNOWN, BGP_ATTR_LOCAL_PREF, a->local_pref);
}

static enum bgp_action atomic_aggregate_decode(struct attr_parse *p, struct rbuf v)
{
	return rbuf_empty(&v) ? BGP_ACT_NONE : attr_malformed(p, "length is not 0");
}

static void atomic_aggregate_encode(struct wbuf *w, const struct bgp_attrs *a,
                                    const struct bgp_session_ctx *ctx)
{
	(void)a;
	(void)ctx;
	attr_end(w, attr_begin(w, WELL_KNOWN, BGP_ATTR_ATOMIC_AGGREGATE));
}

static enum bgp_action aggregator_decode(struct attr_parse *p, struct rbuf v)
{
	uint16_t as2;

	if (rbuf_left(&v) != (p->ctx->as4 ? 8u : 6u))
		return attr_malformed(p, "length does not match the AS size");
	if (p->ctx->as4) {
		rbuf_u32(&v, &p->a->aggregator_as);
	} else {
		rbuf_u16(&v, &as2);
		p->a->aggregator_as = as2;
	}
	rbuf_u32(&v, &p->a->aggregator_id);
	return BGP_ACT_NONE;
}

static void aggregator_encode(struct wbuf *w, const struct bgp_attrs *a,
                              const struct bgp_session_ctx *ctx)
{
	bool wide = a->aggregator_as > 0xffff;
	size_t at = attr_begin(w, OPT_TRANS, BGP_ATTR_AGGREGATOR);
	if (ctx->as4)
		wbuf_u32(w, a->aggregator_as);
	else
		wbuf_u16(w, wide ? BGP_AS_TRANS : (uint16_t)a->aggregator_as);
	wbuf_u32(w, a->aggregator_id);
	attr_end(w, at);
	if (ctx->as4 || !wide)
		return;
	at = attr_begin(w, OPT_TRANS, BGP_ATTR_AS4_AGGREGATOR);
	wbuf_u32(w, a->aggregator_as);
	wbuf_u32(w, a->aggregator_id);
	attr_end(w, at);
}

static enum bgp_action communities_decode(struct attr_parse *p, struct rbuf v)
{
	return list_value(p, v, 4, &p->a->communities);
}

static void communities_encode(struct wbuf *w, const struct bgp_attrs *a,
                               const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	list_encode(w, OPT_TRANS, BGP_ATTR_COMMUNITIES, &a->communities);
}

/* RFC 7606 §7.9, §7.10: route-reflection attributes from an external peer
 * are discarded. */
static enum bgp_action originator_id_decode(struct attr_parse *p, struct rbuf v)
{
	if (p->ctx->ebgp) {
		p->reason = "received from an external peer";
		return BGP_ACT_ATTR_DISCARD;
	}
	return u32_value(p, v, &p->a->originator_id);
}

static void originator_id_encode(struct wbuf *w, const struct bgp_attrs *a,
                                 const struct bgp_session_ctx *ctx)
{
	if (!ctx->ebgp)
		u32_encode(w, OPT_NON, BGP_ATTR_ORIGINATOR_ID, a->originator_id);
}

static enum bgp_action cluster_list_decode(struct attr_parse *p, struct rbuf v)
{
	if (p->ctx->ebgp) {
		p->reason = "received from an external peer";
		return BGP_ACT_ATTR_DISCARD;
	}
	return list_value(p, v, 4, &p->a->cluster_list);
}

static void cluster_list_encode(struct wbuf *w, const struct bgp_attrs *a,
                                const struct bgp_session_ctx *ctx)
{
	if (!ctx->ebgp)
		list_encode(w, OPT_NON, BGP_ATTR_CLUSTER_LIST, &a->cluster_list);
}

/* An AFI/SAFI outside the negotiated set: the attribute is ignored. */
static enum bgp_action mp_family(struct attr_parse *p, uint16_t afi, uint8_t safi, uint8_t *af)
{
	enum bgp_af found;
	if (!bgp_af_lookup(afi, safi, &found) || !(p->ctx->afs & BGP_AF_BIT(found))) {
		p->reason = "AFI/SAFI not negotiated";
		return BGP_ACT_ATTR_DISCARD;
	}
	*af = (uint8_t)found;
	return BGP_ACT_NONE;
}

static enum bgp_action mp_nlri(struct attr_parse *p, uint8_t af, struct rbuf nlri)
{
	size_t count;
	bool addpath = p->ctx->addpath_rx & BGP_AF_BIT(af);
	if (nlri_check(nlri, (enum bgp_af)af, addpath, &count) < 0)
		return attr_reset(p, BGP_ERR_UPD_OPT_ATTR, "NLRI cannot be parsed");
	return BGP_ACT_NONE;
}

static bool mp_next_hop_len_ok(const struct attr_parse *p, uint8_t af, uint8_t len)
{
	if (af == BGP_AF_IPV4_UNICAST && len == 4)
		return true;
	bool v6 = af == BGP_AF_IPV6_UNICAST || (p->ctx->ext_nexthop & BGP_AF_BIT(af));
	return v6 && (len == 16 || len == 32);
}

/*
 * RFC 4760 §3.  The NLRI must be located and parsed, or the session resets
 * (RFC 7606 §5.3).  A next-hop length the family does not allow means the
 * NLRI cannot be located reliably either, so it resets too (§7.11).  The
 * reserved octet is ignored.
 */
static enum bgp_action mp_reach_decode(struct attr_parse *p, struct rbuf v)
{
	struct bgp_mp_reach *mp = &p->a->mp_reach;
	uint16_t afi;
	uint8_t safi, reserved;
	struct rbuf nh;

	if (rbuf_u16(&v, &afi) < 0 || rbuf_u8(&v, &safi) < 0 || rbuf_u8(&v, &mp->nh_len) < 0 ||
	    rbuf_sub(&v, mp->nh_len, &nh) < 0 || rbuf_u8(&v, &reserved) < 0)
		return attr_reset(p, BGP_ERR_UPD_OPT_ATTR, "NLRI cannot be located");
	enum bgp_action act = mp_family(p, afi, safi, &mp->af);
	if (act != BGP_ACT_NONE)
		return act;
	if (!mp_next_hop_len_ok(p, mp->af, mp->nh_len))
		return attr_reset(p, BGP_ERR_UPD_OPT_ATTR,
		                  "next-hop length does not fit the family");
	memset(mp->nh, 0, sizeof(mp->nh));
	rbuf_copy(&nh, mp->nh, mp->nh_len);
	mp->nlri = rbuf_rest(&v);
	return mp_nlri(p, mp->af, mp->nlri);
}

static void mp_reach_encode(struct wbuf *w, const struct bgp_attrs *a,
                            const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	const struct bgp_mp_reach *mp = &a->mp_reach;
	size_t at = attr_begin(w, OPT_NON, BGP_ATTR_MP_REACH);
	wbuf_u16(w, bgp_af_table[mp->af].afi);
	wbuf_u8(w, bgp_af_table[mp->af].safi);
	wbuf_u8(w, mp->nh_len);
	wbuf_bytes(w, mp->nh, mp->nh_len);
	wbuf_u8(w, 0);
	wbuf_rbuf(w, &mp->nlri);
	attr_end(w, at);
}

static enum bgp_action mp_unreach_decode(struct attr_parse *p, struct rbuf v)
{
	struct bgp_mp_unreach *mp = &p->a->mp_unreach;
	uint16_t afi;
	uint8_t safi;

	if (rbuf_u16(&v, &afi) < 0 || rbuf_u8(&v, &safi) < 0)
		return attr_reset(p, BGP_ERR_UPD_OPT_ATTR, "AFI/SAFI cannot be read");
	enum bgp_action act = mp_family(p, afi, safi, &mp->af);
	if (act != BGP_ACT_NONE)
		return act;
	mp->nlri = rbuf_rest(&v);
	return mp_nlri(p, mp->af, mp->nlri);
}

static void mp_unreach_encode(struct wbuf *w, const struct bgp_attrs *a,
                              const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	const struct bgp_mp_unreach *mp = &a->mp_unreach;
	size_t at = attr_begin(w, OPT_NON, BGP_ATTR_MP_UNREACH);
	wbuf_u16(w, bgp_af_table[mp->af].afi);
	wbuf_u8(w, bgp_af_table[mp->af].safi);
	wbuf_rbuf(w, &mp->nlri);
	attr_end(w, at);
}

static enum bgp_action ext_communities_decode(struct attr_parse *p, struct rbuf v)
{
	return list_value(p, v, 8, &p->a->ext_communities);
}

static void ext_communities_encode(struct wbuf *w, const struct bgp_attrs *a,
                                   const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	list_encode(w, OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES, &a->ext_communities);
}

/* RFC 6793 §6: AS4_PATH and AS4_AGGREGATOR are only meaningful from an old
 * (two-octet) speaker, and any error in them costs only the attribute.
 * Confederation segments in AS4_PATH are dropped and the rest is used. */
static enum bgp_action as4_path_decode(struct attr_parse *p, struct rbuf v)
{
	if (p->ctx->as4) {
		p->reason = "received from a four-octet AS speaker";
		return BGP_ACT_ATTR_DISCARD;
	}
	if (rbuf_left(&v) < 6 || aspath_check(v, 4, true) < 0)
		return attr_malformed(p, "malformed segment");
	if (aspath_has_confed(v)) {
		bgp_errors_note(p->errs, BGP_ACT_ATTR_DISCARD, p->code,
		                "confederation segments removed");
		struct wbuf *out = &p->scratch->path;
		size_t from = out->len;
		aspath_encode_as4(out, v);
		v = wbuf_view_from(out, from);
	}
	p->has_as4_path = true;
	p->as4_path = v;
	return BGP_ACT_NONE;
}

static enum bgp_action as4_aggregator_decode(struct attr_parse *p, struct rbuf v)
{
	if (p->ctx->as4) {
		p->reason = "received from a four-octet AS speaker";
		return BGP_ACT_ATTR_DISCARD;
	}
	if (rbuf_left(&v) != 8)
		return attr_malformed(p, "length is not 8");
	rbuf_u32(&v, &p->as4_aggregator_as);
	rbuf_u32(&v, &p->as4_aggregator_id);
	p->has_as4_aggregator = true;
	return BGP_ACT_NONE;
}

static enum bgp_action large_communities_decode(struct attr_parse *p, struct rbuf v)
{
	return list_value(p, v, 12, &p->a->large_communities);
}

static void large_communities_encode(struct wbuf *w, const struct bgp_attrs *a,
                                     const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	list_encode(w, OPT_TRANS, BGP_ATTR_LARGE_COMMUNITY, &a->large_communities);
}

static enum bgp_action otc_decode(struct attr_parse *p, struct rbuf v)
{
	return u32_value(p, v, &p->a->otc);
}

static void otc_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_session_ctx *ctx)
{
	(void)ctx;
	u32_encode(w, OPT_TRANS, BGP_ATTR_OTC, a->otc);
}

/* AS4_PATH and AS4_AGGREGATOR have no encoder of their own: they are
 * written by AS_PATH and AGGREGATOR for two-octet sessions. */
const struct attr_desc attr_table[256] = {
	[BGP_ATTR_ORIGIN] = { "ORIGIN", WELL_KNOWN, BGP_ACT_WITHDRAW, origin_decode, origin_encode,
	                      attr_format_origin },
	[BGP_ATTR_AS_PATH] = { "AS_PATH", WELL_KNOWN, BGP_ACT_WITHDRAW, as_path_decode,
	                       as_path_encode, attr_format_as_path },
	[BGP_ATTR_NEXT_HOP] = { "NEXT_HOP", WELL_KNOWN, BGP_ACT_WITHDRAW, next_hop_decode,
	                        next_hop_encode, attr_format_next_hop },
	[BGP_ATTR_MED] = { "MULTI_EXIT_DISC", OPT_NON, BGP_ACT_WITHDRAW, med_decode, med_encode,
	                   attr_format_med },
	[BGP_ATTR_LOCAL_PREF] = { "LOCAL_PREF", WELL_KNOWN, BGP_ACT_WITHDRAW, local_pref_decode,
	                          local_pref_encode, attr_format_local_pref },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WELL_KNOWN, BGP_ACT_ATTR_DISCARD,
	                                atomic_aggregate_decode, atomic_aggregate_encode,
	                                attr_format_atomic_aggregate },
	[BGP_ATTR_AGGREGATOR] = { "AGGREGATOR", OPT_TRANS, BGP_ACT_ATTR_DISCARD, aggregator_decode,
	                          aggregator_encode, attr_format_aggregator },
	[BGP_ATTR_COMMUNITIES] = { "COMMUNITIES", OPT_TRANS, BGP_ACT_WITHDRAW, communities_decode,
	                           communities_encode, attr_format_communities },
	[BGP_ATTR_ORIGINATOR_ID] = { "ORIGINATOR_ID", OPT_NON, BGP_ACT_WITHDRAW,
	                             originator_id_decode, originator_id_encode,
	                             attr_format_originator_id },
	[BGP_ATTR_CLUSTER_LIST] = { "CLUSTER_LIST", OPT_NON, BGP_ACT_WITHDRAW, cluster_list_decode,
	                            cluster_list_encode, attr_format_cluster_list },
	[BGP_ATTR_MP_REACH] = { "MP_REACH_NLRI", OPT_NON, BGP_ACT_RESET, mp_reach_decode,
	                        mp_reach_encode, attr_format_mp_reach },
	[BGP_ATTR_MP_UNREACH] = { "MP_UNREACH_NLRI", OPT_NON, BGP_ACT_RESET, mp_unreach_decode,
	                          mp_unreach_encode, attr_format_mp_unreach },
	[BGP_ATTR_EXT_COMMUNITIES] = { "EXTENDED_COMMUNITIES", OPT_TRANS, BGP_ACT_WITHDRAW,
	                               ext_communities_decode, ext_communities_encode,
	                               attr_format_ext_communities },
	[BGP_ATTR_AS4_PATH] = { "AS4_PATH", OPT_TRANS, BGP_ACT_ATTR_DISCARD, as4_path_decode, NULL,
	                        NULL },
	[BGP_ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR", OPT_TRANS, BGP_ACT_ATTR_DISCARD,
	                              as4_aggregator_decode, NULL, NULL },
	[BGP_ATTR_LARGE_COMMUNITY] = { "LARGE_COMMUNITY", OPT_TRANS, BGP_ACT_WITHDRAW,
	                               large_communities_decode, large_communities_encode,
	                               attr_format_large_communities },
	[BGP_ATTR_OTC] = { "OTC", OPT_TRANS, BGP_ACT_WITHDRAW, otc_decode, otc_encode,
	                   attr_format_otc },
};
