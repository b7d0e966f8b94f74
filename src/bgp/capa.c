/*
 * capa: BGP capabilities (RFC 5492), one table row per capability with its
 * decoder and encoder.  A capability kbgp does not know is kept, never
 * fatal; a known one whose value is malformed fails the OPEN with
 * OPEN Message Error / Unspecific, because negotiating on half-read
 * capabilities would be worse than not negotiating at all.
 */
#include <stddef.h>
#include <string.h>

#include "bgp/open.h"
#include "lib/utf8.h"

struct capa_desc {
	uint8_t code;
	const char *name;
	/* Value decoder; returns -1 when the value is malformed. */
	int (*decode)(struct rbuf *v, struct bgp_caps *c);
	/* Writes the TLVs for this capability, if c has it; NULL for
	 * capabilities without a value, written when their bit is seen. */
	void (*encode)(struct wbuf *w, const struct bgp_caps *c);
};

bool bgp_caps_has(const struct bgp_caps *c, uint8_t code)
{
	return c->seen[code / 32] & (1u << (code % 32));
}

void bgp_caps_mark(struct bgp_caps *c, uint8_t code)
{
	c->seen[code / 32] |= 1u << (code % 32);
}

static size_t capa_begin(struct wbuf *w, uint8_t code)
{
	wbuf_u8(w, code);
	return wbuf_reserve(w, 1);
}

static void capa_end(struct wbuf *w, size_t len_at)
{
	wbuf_patch_u8(w, len_at, (uint8_t)(w->len - len_at - 1));
}

/* Reads an AFI/SAFI pair; false (with the bytes consumed) for a family kbgp
 * does not speak. */
static bool capa_af(struct rbuf *v, bool reserved_octet, enum bgp_af *af)
{
	uint16_t afi = 0;
	uint8_t safi = 0;
	rbuf_u16(v, &afi);
	if (reserved_octet)
		rbuf_skip(v, 1);
	rbuf_u8(v, &safi);
	return bgp_af_lookup(afi, safi, af);
}

static void capa_put_af(struct wbuf *w, enum bgp_af af, bool reserved_octet)
{
	wbuf_u16(w, bgp_af_table[af].afi);
	if (reserved_octet)
		wbuf_u8(w, 0);
	wbuf_u8(w, bgp_af_table[af].safi);
}

static int mp_decode(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t res, safi;
	enum bgp_af af;

	if (rbuf_left(v) != 4)
		return -1;
	rbuf_u16(v, &afi);
	rbuf_u8(v, &res);
	rbuf_u8(v, &safi);
	if (bgp_af_lookup(afi, safi, &af))
		c->mp |= BGP_AF_BIT(af);
	else if (c->n_mp_other < BGP_CAPA_OTHER_AF_MAX)
		c->mp_other[c->n_mp_other++] = (uint32_t)afi << 8 | safi;
	return 0;
}

static void mp_encode(struct wbuf *w, const struct bgp_caps *c)
{
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(c->mp & BGP_AF_BIT(af)))
			continue;
		size_t at = capa_begin(w, BGP_CAPA_MP);
		capa_put_af(w, (enum bgp_af)af, true);
		capa_end(w, at);
	}
	for (int i = 0; i < c->n_mp_other; i++) {
		size_t at = capa_begin(w, BGP_CAPA_MP);
		wbuf_u16(w, (uint16_t)(c->mp_other[i] >> 8));
		wbuf_u8(w, 0);
		wbuf_u8(w, (uint8_t)c->mp_other[i]);
		capa_end(w, at);
	}
}

static int empty_decode(struct rbuf *v, struct bgp_caps *c)
{
	(void)c;
	return rbuf_empty(v) ? 0 : -1;
}

/* RFC 8950: tuples of NLRI AFI (2), NLRI SAFI (2), next-hop AFI (2). */
static int ext_nexthop_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (rbuf_left(v) == 0 || rbuf_left(v) % 6 != 0)
		return -1;
	while (!rbuf_empty(v)) {
		uint16_t afi, safi, nh_afi;
		enum bgp_af af;
		rbuf_u16(v, &afi);
		rbuf_u16(v, &safi);
		rbuf_u16(v, &nh_afi);
		if (safi <= 0xff && bgp_af_lookup(afi, (uint8_t)safi, &af) &&
		    nh_afi == BGP_AFI_IPV6)
			c->ext_nexthop |= BGP_AF_BIT(af);
	}
	return 0;
}

static void ext_nexthop_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (c->ext_nexthop == 0)
		return;
	size_t at = capa_begin(w, BGP_CAPA_EXT_NEXTHOP);
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(c->ext_nexthop & BGP_AF_BIT(af)))
			continue;
		wbuf_u16(w, bgp_af_table[af].afi);
		wbuf_u16(w, bgp_af_table[af].safi);
		wbuf_u16(w, BGP_AFI_IPV6);
	}
	capa_end(w, at);
}

static int role_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (rbuf_left(v) != 1)
		return -1;
	rbuf_u8(v, &c->role);
	c->has_role = true;
	return 0;
}

static void role_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (!c->has_role)
		return;
	size_t at = capa_begin(w, BGP_CAPA_ROLE);
	wbuf_u8(w, c->role);
	capa_end(w, at);
}

static int gr_decode(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t head;

	if (rbuf_u16(v, &head) < 0 || rbuf_left(v) % 4 != 0)
		return -1;
	c->gr.present = true;
	c->gr.flags = (uint8_t)(head >> 12);
	c->gr.restart_time = head & 0x0fff;
	c->gr.afs = c->gr.forwarding = 0;
	while (!rbuf_empty(v)) {
		enum bgp_af af;
		bool known = capa_af(v, false, &af);
		uint8_t flags = 0;
		rbuf_u8(v, &flags);
		if (!known)
			continue;
		c->gr.afs |= BGP_AF_BIT(af);
		if (flags & BGP_GR_AF_FORWARDING)
			c->gr.forwarding |= BGP_AF_BIT(af);
	}
	return 0;
}

static void gr_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (!c->gr.present)
		return;
	size_t at = capa_begin(w, BGP_CAPA_GRACEFUL_RESTART);
	wbuf_u16(w, (uint16_t)((c->gr.flags & 0xf) << 12 | (c->gr.restart_time & 0x0fff)));
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(c->gr.afs & BGP_AF_BIT(af)))
			continue;
		capa_put_af(w, (enum bgp_af)af, false);
		wbuf_u8(w, c->gr.forwarding & BGP_AF_BIT(af) ? BGP_GR_AF_FORWARDING : 0);
	}
	capa_end(w, at);
}

static int as4_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (rbuf_left(v) != 4)
		return -1;
	rbuf_u32(v, &c->as4_asn);
	c->as4 = true;
	return 0;
}

static void as4_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (!c->as4)
		return;
	size_t at = capa_begin(w, BGP_CAPA_AS4);
	wbuf_u32(w, c->as4_asn);
	capa_end(w, at);
}

/* RFC 7911: tuples of AFI (2), SAFI (1), Send/Receive (1).  A tuple with a
 * direction other than 1..3 is ignored, as is an unknown family. */
static int addpath_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (rbuf_left(v) == 0 || rbuf_left(v) % 4 != 0)
		return -1;
	while (!rbuf_empty(v)) {
		enum bgp_af af;
		bool known = capa_af(v, false, &af);
		uint8_t dir = 0;
		rbuf_u8(v, &dir);
		if (known && dir >= 1 && dir <= 3)
			c->addpath[af] = dir;
	}
	return 0;
}

static void addpath_encode(struct wbuf *w, const struct bgp_caps *c)
{
	size_t at = 0;
	bool open = false;
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (c->addpath[af] == 0)
			continue;
		if (!open)
			at = capa_begin(w, BGP_CAPA_ADD_PATH);
		open = true;
		capa_put_af(w, (enum bgp_af)af, false);
		wbuf_u8(w, c->addpath[af]);
	}
	if (open)
		capa_end(w, at);
}

/* RFC 9494: tuples of AFI (2), SAFI (1), flags (1), stale time (3). */
static int llgr_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (rbuf_left(v) % 7 != 0)
		return -1;
	c->llgr.present = true;
	while (!rbuf_empty(v)) {
		enum bgp_af af;
		bool known = capa_af(v, false, &af);
		uint8_t flags = 0;
		uint32_t stale = 0;
		rbuf_u8(v, &flags);
		rbuf_u24(v, &stale);
		if (!known)
			continue;
		c->llgr.afs |= BGP_AF_BIT(af);
		if (flags & BGP_GR_AF_FORWARDING)
			c->llgr.forwarding |= BGP_AF_BIT(af);
		c->llgr.stale_time[af] = stale;
	}
	return 0;
}

static void llgr_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (!c->llgr.present)
		return;
	size_t at = capa_begin(w, BGP_CAPA_LLGR);
	for (int af = 0; af < BGP_AF_COUNT; af++) {
		if (!(c->llgr.afs & BGP_AF_BIT(af)))
			continue;
		capa_put_af(w, (enum bgp_af)af, false);
		wbuf_u8(w, c->llgr.forwarding & BGP_AF_BIT(af) ? BGP_GR_AF_FORWARDING : 0);
		wbuf_u24(w, c->llgr.stale_time[af]);
	}
	capa_end(w, at);
}

static int fqdn_string(struct rbuf *v, char *dst)
{
	uint8_t len;
	struct rbuf s;
	if (rbuf_u8(v, &len) < 0 || rbuf_sub(v, len, &s) < 0)
		return -1;
	utf8_sanitize(dst, BGP_FQDN_MAX + 1, rbuf_data(&s), len);
	return 0;
}

/* draft-walton-bgp-hostname-capability: host and domain, each length-prefixed. */
static int fqdn_decode(struct rbuf *v, struct bgp_caps *c)
{
	if (fqdn_string(v, c->fqdn_host) < 0 || fqdn_string(v, c->fqdn_domain) < 0 ||
	    !rbuf_empty(v))
		return -1;
	c->has_fqdn = true;
	return 0;
}

static void fqdn_encode(struct wbuf *w, const struct bgp_caps *c)
{
	if (!c->has_fqdn)
		return;
	size_t at = capa_begin(w, BGP_CAPA_FQDN);
	size_t host = strlen(c->fqdn_host), domain = strlen(c->fqdn_domain);
	wbuf_u8(w, (uint8_t)host);
	wbuf_bytes(w, c->fqdn_host, host);
	wbuf_u8(w, (uint8_t)domain);
	wbuf_bytes(w, c->fqdn_domain, domain);
	capa_end(w, at);
}

static const struct capa_desc capa_table[] = {
	{ BGP_CAPA_MP, "multiprotocol", mp_decode, mp_encode },
	{ BGP_CAPA_ROUTE_REFRESH, "route-refresh", empty_decode, NULL },
	{ BGP_CAPA_EXT_NEXTHOP, "extended-nexthop", ext_nexthop_decode, ext_nexthop_encode },
	{ BGP_CAPA_EXT_MESSAGE, "extended-message", empty_decode, NULL },
	{ BGP_CAPA_ROLE, "role", role_decode, role_encode },
	{ BGP_CAPA_GRACEFUL_RESTART, "graceful-restart", gr_decode, gr_encode },
	{ BGP_CAPA_AS4, "4-octet-as", as4_decode, as4_encode },
	{ BGP_CAPA_ADD_PATH, "add-path", addpath_decode, addpath_encode },
	{ BGP_CAPA_ENHANCED_RR, "enhanced-route-refresh", empty_decode, NULL },
	{ BGP_CAPA_LLGR, "long-lived-graceful-restart", llgr_decode, llgr_encode },
	{ BGP_CAPA_FQDN, "fqdn", fqdn_decode, fqdn_encode },
};

#define CAPA_COUNT (sizeof(capa_table) / sizeof(capa_table[0]))

static const struct capa_desc *capa_find(uint8_t code)
{
	for (size_t i = 0; i < CAPA_COUNT; i++)
		if (capa_table[i].code == code)
			return &capa_table[i];
	return NULL;
}

const char *bgp_capa_name(uint8_t code)
{
	const struct capa_desc *d = capa_find(code);
	return d != NULL ? d->name : NULL;
}

static void capa_keep_unknown(struct bgp_caps *c, uint8_t code, struct rbuf *v)
{
	if (c->n_unknown == BGP_CAPA_UNKNOWN_MAX)
		return;
	struct bgp_capa_unknown *u = &c->unknown[c->n_unknown++];
	u->code = code;
	u->len = (uint8_t)rbuf_left(v);
	rbuf_copy(v, u->data, u->len);
}

int bgp_caps_decode(struct rbuf params, struct bgp_caps *c, struct bgp_notice *err)
{
	while (!rbuf_empty(&params)) {
		uint8_t code, len;
		struct rbuf v;
		if (rbuf_u8(&params, &code) < 0 || rbuf_u8(&params, &len) < 0 ||
		    rbuf_sub(&params, len, &v) < 0)
			goto bad;
		bgp_caps_mark(c, code);
		const struct capa_desc *d = capa_find(code);
		if (d == NULL)
			capa_keep_unknown(c, code, &v);
		else if (d->decode(&v, c) < 0)
			goto bad;
	}
	return 0;
bad:
	bgp_notice_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC);
	return -1;
}

void bgp_caps_encode(struct wbuf *w, const struct bgp_caps *c)
{
	for (size_t i = 0; i < CAPA_COUNT; i++) {
		const struct capa_desc *d = &capa_table[i];
		if (d->encode != NULL)
			d->encode(w, c);
		else if (bgp_caps_has(c, d->code))
			capa_end(w, capa_begin(w, d->code));
	}
	for (int i = 0; i < c->n_unknown; i++) {
		wbuf_u8(w, c->unknown[i].code);
		wbuf_u8(w, c->unknown[i].len);
		wbuf_bytes(w, c->unknown[i].data, c->unknown[i].len);
	}
}
