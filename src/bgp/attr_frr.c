/*
 * attr_frr: path attributes in FRR 8.4 vtysh wording.  Each string below
 * was matched against FRR's bgpd: route_vty_out and route_vty_out_detail
 * (bgp_route.c), aspath_make_str_count (bgp_aspath.c), set_community_string
 * (bgp_community.c), ecommunity_ecom2str (bgp_ecommunity.c) and
 * lcommunity_lcom2str (bgp_lcommunity.c).
 */
#include <arpa/inet.h>
#include <string.h>

#include "bgp/aspath.h"
#include "bgp/attr_frr.h"

static void format_ipv4(struct sbuf *s, uint32_t host_order)
{
	sbuf_printf(s, "%u.%u.%u.%u", host_order >> 24, (host_order >> 16) & 0xff,
	            (host_order >> 8) & 0xff, host_order & 0xff);
}

static void format_ipv6(struct sbuf *s, const uint8_t *addr)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, addr, text, sizeof(text));
	sbuf_puts(s, text);
}

/*
 * FRR sorts AS_SET members and community lists when it receives them and
 * drops duplicates (assegment_normalise, community_uniq_sort and their
 * kin), so it prints them in ascending order.  kbgp keeps the wire order
 * in const views and allocates nothing, so the walk finds each next item
 * by scanning for the smallest one above the last: quadratic, but real
 * lists are short, and callers stop once their sbuf is full.  Items are
 * big-endian, so comparing bytes compares numbers.
 */
#define SORTED_ITEM_MAX 12 /* a large community */

struct sorted_walk {
	struct rbuf list;
	size_t size;
	bool started;
	uint8_t item[SORTED_ITEM_MAX];
};

static void sorted_init(struct sorted_walk *w, struct rbuf list, size_t size)
{
	w->list = list;
	w->size = size;
	w->started = false;
}

static bool sorted_next(struct sorted_walk *w)
{
	struct rbuf r = w->list;
	uint8_t cand[SORTED_ITEM_MAX], best[SORTED_ITEM_MAX];
	bool found = false;

	while (rbuf_copy(&r, cand, w->size) == 0) {
		if (w->started && memcmp(cand, w->item, w->size) <= 0)
			continue;
		if (!found || memcmp(cand, best, w->size) < 0) {
			memcpy(best, cand, w->size);
			found = true;
		}
	}
	if (found) {
		memcpy(w->item, best, w->size);
		w->started = true;
	}
	return found;
}

/* The walk's current item as a reader. */
static struct rbuf sorted_item(const struct sorted_walk *w)
{
	return rbuf_make(w->item, w->size);
}

static void format_as_sequence(struct sbuf *s, struct rbuf asns)
{
	uint32_t as;
	for (int i = 0; rbuf_u32(&asns, &as) == 0; i++)
		sbuf_printf(s, "%s%u", i == 0 ? "" : " ", as);
}

static void format_as_set(struct sbuf *s, struct rbuf asns)
{
	struct sorted_walk w;
	uint32_t as;

	sorted_init(&w, asns, 4);
	for (int i = 0; !s->truncated && sorted_next(&w); i++) {
		struct rbuf v = sorted_item(&w);
		rbuf_u32(&v, &as);
		sbuf_printf(s, "%s%u", i == 0 ? "" : ",", as);
	}
}

/* "65001 65000 {64512,64513}", confederation segments in "( )" and "[ ]";
 * empty for an empty path. */
static void format_aspath(struct sbuf *s, struct rbuf path)
{
	static const char open[] = {
		[BGP_AS_SET] = '{', [BGP_AS_CONFED_SEQUENCE] = '(', [BGP_AS_CONFED_SET] = '['
	};
	static const char close[] = {
		[BGP_AS_SET] = '}', [BGP_AS_CONFED_SEQUENCE] = ')', [BGP_AS_CONFED_SET] = ']'
	};
	struct aspath_seg seg;

	for (int i = 0; aspath_next(&path, 4, &seg) == 1; i++) {
		bool set = seg.type == BGP_AS_SET || seg.type == BGP_AS_CONFED_SET;
		sbuf_puts(s, i == 0 ? "" : " ");
		if (open[seg.type] != 0)
			sbuf_printf(s, "%c", open[seg.type]);
		if (set)
			format_as_set(s, seg.asns);
		else
			format_as_sequence(s, seg.asns);
		if (close[seg.type] != 0)
			sbuf_printf(s, "%c", close[seg.type]);
	}
}

/* The decoder only keeps the three RFC 4271 values, but an attribute set
 * built by hand (a local route) must not index past the tables. */
static unsigned origin_index(const struct bgp_attrs *a)
{
	return a->origin <= BGP_ORIGIN_INCOMPLETE ? a->origin : BGP_ORIGIN_INCOMPLETE;
}

void frr_format_path(struct sbuf *s, const struct bgp_attrs *a)
{
	static const char *const code[] = { "i", "e", "?" };

	/* aspath_print_vty: the space follows the path only when it is not
	 * empty, so a local route shows just "i". */
	format_aspath(s, a->as_path);
	if (!rbuf_empty(&a->as_path))
		sbuf_puts(s, " ");
	sbuf_puts(s, code[origin_index(a)]);
}

static bool mp_next_hop_is_ipv6(const struct bgp_attrs *a)
{
	return bgp_attr_has(a, BGP_ATTR_MP_REACH) &&
	       (a->mp_reach.nh_len == 16 || a->mp_reach.nh_len == 32);
}

static bool mp_has_link_local(const struct bgp_attrs *a)
{
	return bgp_attr_has(a, BGP_ATTR_MP_REACH) && a->mp_reach.nh_len == 32;
}

/* BGP_ATTR_NEXTHOP_AFI_IP6 in bgpd/bgp_attr.h: an IPv4 route shows an IPv6
 * next hop when MP_REACH carries one and no NEXT_HOP came with it
 * (RFC 8950); an IPv6 route always does, "::" when it has none. */
static bool next_hop_is_ipv6(const struct bgp_attrs *a, enum bgp_af af)
{
	if (af == BGP_AF_IPV6_UNICAST)
		return true;
	return !bgp_attr_has(a, BGP_ATTR_NEXT_HOP) && mp_next_hop_is_ipv6(a);
}

/* FRR copies a four-octet MP_REACH next hop into the NEXT_HOP slot when
 * there is no NEXT_HOP (bgp_mp_reach_parse), and shows 0.0.0.0 for a route
 * with neither. */
static void format_ipv4_next_hop(struct sbuf *s, const struct bgp_attrs *a)
{
	bool has_next_hop = bgp_attr_has(a, BGP_ATTR_NEXT_HOP);
	uint32_t addr = has_next_hop ? a->next_hop : 0;

	if (!has_next_hop && bgp_attr_has(a, BGP_ATTR_MP_REACH) && a->mp_reach.nh_len == 4) {
		struct rbuf nh = rbuf_make(a->mp_reach.nh, 4);
		rbuf_u32(&nh, &addr);
	}
	format_ipv4(s, addr);
}

static void format_ipv6_global(struct sbuf *s, const struct bgp_attrs *a)
{
	static const uint8_t none[16];
	format_ipv6(s, mp_next_hop_is_ipv6(a) ? a->mp_reach.nh : none);
}

void frr_format_nexthop(struct sbuf *s, const struct bgp_attrs *a, enum bgp_af af)
{
	if (!next_hop_is_ipv6(a, af))
		format_ipv4_next_hop(s, a);
	else if (mp_has_link_local(a))
		format_ipv6(s, a->mp_reach.nh + 16);
	else
		format_ipv6_global(s, a);
}

void frr_format_detail_aspath(struct sbuf *s, const struct bgp_attrs *a)
{
	if (rbuf_empty(&a->as_path)) {
		sbuf_puts(s, "  Local");
		return;
	}
	sbuf_puts(s, "  ");
	format_aspath(s, a->as_path);
}

void frr_format_detail_aggregator(struct sbuf *s, const struct bgp_attrs *a)
{
	if (!bgp_attr_has(a, BGP_ATTR_AGGREGATOR))
		return;
	sbuf_printf(s, ", (aggregated by %u ", a->aggregator_as);
	format_ipv4(s, a->aggregator_id);
	sbuf_puts(s, ")");
}

void frr_format_detail_nexthop(struct sbuf *s, const struct bgp_attrs *a, enum bgp_af af)
{
	sbuf_puts(s, "    ");
	if (next_hop_is_ipv6(a, af))
		format_ipv6_global(s, a);
	else
		format_ipv4_next_hop(s, a);
}

void frr_format_detail_link_local(struct sbuf *s, const struct bgp_attrs *a)
{
	if (!mp_has_link_local(a))
		return;
	/* FRR says "(prefer-global)" instead under a route-map `set ipv6
	 * next-hop prefer-global`, which kbgp does not have. */
	sbuf_puts(s, "    (");
	format_ipv6(s, a->mp_reach.nh + 16);
	sbuf_puts(s, ") (used)\n");
}

void frr_format_detail_origin(struct sbuf *s, const struct bgp_attrs *a)
{
	static const char *const name[] = { "IGP", "EGP", "incomplete" };

	sbuf_printf(s, "      Origin %s", name[origin_index(a)]);
	if (bgp_attr_has(a, BGP_ATTR_MED))
		sbuf_printf(s, ", metric %u", a->med);
	if (bgp_attr_has(a, BGP_ATTR_LOCAL_PREF))
		sbuf_printf(s, ", localpref %u", a->local_pref);
}

void frr_format_detail_atomic_aggregate(struct sbuf *s, const struct bgp_attrs *a)
{
	if (bgp_attr_has(a, BGP_ATTR_ATOMIC_AGGREGATE))
		sbuf_puts(s, ", atomic-aggregate");
}

void frr_format_detail_otc(struct sbuf *s, const struct bgp_attrs *a)
{
	if (bgp_attr_has(a, BGP_ATTR_OTC))
		sbuf_printf(s, ", otc %u", a->otc);
}

/* FRR's names for well-known communities (set_community_string), including
 * the RFC 7611 and draft route-filter values it knows. */
static const char *community_name(uint32_t c)
{
	static const struct {
		uint32_t value;
		const char *name;
	} names[] = {
		{ 0x00000000u, "internet" },
		{ BGP_COMM_GRACEFUL_SHUTDOWN, "graceful-shutdown" },
		{ 0xFFFF0001u, "accept-own" },
		{ 0xFFFF0002u, "route-filter-translated-v4" },
		{ 0xFFFF0003u, "route-filter-v4" },
		{ 0xFFFF0004u, "route-filter-translated-v6" },
		{ 0xFFFF0005u, "route-filter-v6" },
		{ BGP_COMM_LLGR_STALE, "llgr-stale" },
		{ BGP_COMM_NO_LLGR, "no-llgr" },
		{ 0xFFFF0008u, "accept-own-nexthop" },
		{ BGP_COMM_BLACKHOLE, "blackhole" },
		{ BGP_COMM_NO_EXPORT, "no-export" },
		{ BGP_COMM_NO_ADVERTISE, "no-advertise" },
		{ BGP_COMM_NO_EXPORT_SUBCONF, "local-AS" },
		{ BGP_COMM_NO_PEER, "no-peer" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].value == c)
			return names[i].name;
	return NULL;
}

void frr_format_detail_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct sorted_walk w;
	uint32_t c;

	if (!bgp_attr_has(a, BGP_ATTR_COMMUNITIES))
		return;
	sbuf_puts(s, "      Community: ");
	sorted_init(&w, a->communities, 4);
	for (int i = 0; !s->truncated && sorted_next(&w); i++) {
		struct rbuf v = sorted_item(&w);
		rbuf_u32(&v, &c);
		const char *name = community_name(c);
		sbuf_puts(s, i == 0 ? "" : " ");
		if (name != NULL)
			sbuf_puts(s, name);
		else
			sbuf_printf(s, "%u:%u", c >> 16, c & 0xffff);
	}
	sbuf_puts(s, "\n");
}

/*
 * Route targets and sites of origin of the two-octet-AS, IPv4-address and
 * four-octet-AS types print as FRR does; every other kind prints as FRR's
 * fallback "UNK:type, subtype".  FRR also names some kinds kbgp does not
 * (LB:, ET:, Color:, NH:, EVPN and flowspec ones), and for an unknown
 * opaque or EVPN subtype it repeats the previous item's subtype; kbgp
 * prints the real one.
 */
static void format_ext_community(struct sbuf *s, struct rbuf v)
{
	uint8_t type, subtype;
	uint16_t g16, l16;
	uint32_t g32, l32;

	rbuf_u8(&v, &type);
	rbuf_u8(&v, &subtype);
	const char *kind = subtype == 0x02 ? "RT:" : subtype == 0x03 ? "SoO:" : NULL;
	if (type > 0x02 || kind == NULL) {
		sbuf_printf(s, "UNK:%u, %u", type, subtype);
		return;
	}
	sbuf_puts(s, kind);
	switch (type) {
	case 0x00:
		rbuf_u16(&v, &g16);
		rbuf_u32(&v, &l32);
		sbuf_printf(s, "%u:%u", g16, l32);
		return;
	case 0x01:
		rbuf_u32(&v, &g32);
		rbuf_u16(&v, &l16);
		format_ipv4(s, g32);
		sbuf_printf(s, ":%u", l16);
		return;
	default:
		rbuf_u32(&v, &g32);
		rbuf_u16(&v, &l16);
		sbuf_printf(s, "%u:%u", g32, l16);
	}
}

void frr_format_detail_ext_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct sorted_walk w;

	if (!bgp_attr_has(a, BGP_ATTR_EXT_COMMUNITIES))
		return;
	sbuf_puts(s, "      Extended Community: ");
	sorted_init(&w, a->ext_communities, 8);
	for (int i = 0; !s->truncated && sorted_next(&w); i++) {
		sbuf_puts(s, i == 0 ? "" : " ");
		format_ext_community(s, sorted_item(&w));
	}
	sbuf_puts(s, "\n");
}

void frr_format_detail_large_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct sorted_walk w;
	uint32_t g, l1, l2;

	if (!bgp_attr_has(a, BGP_ATTR_LARGE_COMMUNITY))
		return;
	sbuf_puts(s, "      Large Community: ");
	sorted_init(&w, a->large_communities, 12);
	for (int i = 0; !s->truncated && sorted_next(&w); i++) {
		struct rbuf v = sorted_item(&w);
		rbuf_u32(&v, &g);
		rbuf_u32(&v, &l1);
		rbuf_u32(&v, &l2);
		sbuf_printf(s, "%s%u:%u:%u", i == 0 ? "" : " ", g, l1, l2);
	}
	sbuf_puts(s, "\n");
}

/* FRR writes each cluster id followed by a space, so the line ends in one,
 * and without an ORIGINATOR_ID the line starts at ", Cluster list:"; both
 * kept so the text matches byte for byte. */
void frr_format_detail_reflection(struct sbuf *s, const struct bgp_attrs *a)
{
	bool originator = bgp_attr_has(a, BGP_ATTR_ORIGINATOR_ID);
	bool clusters = bgp_attr_has(a, BGP_ATTR_CLUSTER_LIST);
	struct rbuf r = a->cluster_list;
	uint32_t id;

	if (!originator && !clusters)
		return;
	if (originator) {
		sbuf_puts(s, "      Originator: ");
		format_ipv4(s, a->originator_id);
	}
	if (clusters) {
		sbuf_puts(s, ", Cluster list: ");
		while (rbuf_u32(&r, &id) == 0) {
			format_ipv4(s, id);
			sbuf_puts(s, " ");
		}
	}
	sbuf_puts(s, "\n");
}
