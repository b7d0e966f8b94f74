/*
 * attr: the rules RFC 4271 and RFC 7606 apply to every path attribute, and
 * the drivers that walk attr_table to decode, encode and format.
 */
#include "bgp/attr.h"

#include "bgp/aspath.h"
#include "bgp/attr_desc.h"

void bgp_attr_set(struct bgp_attrs *a, uint8_t code)
{
	a->present[code / 32] |= 1u << (code % 32);
}

void bgp_attr_clear(struct bgp_attrs *a, uint8_t code)
{
	a->present[code / 32] &= ~(1u << (code % 32));
}

const char *bgp_attr_name(uint8_t code)
{
	return attr_table[code].name;
}

void bgp_errors_note(struct bgp_errors *e, enum bgp_action action, uint8_t code, const char *reason)
{
	if (action > e->action)
		e->action = (uint8_t)action;
	e->total++;
	if (e->kept < BGP_ERRORS_KEPT)
		e->list[e->kept++] = (struct bgp_attr_error){ (uint8_t)action, code, reason };
}

void bgp_scratch_reset(struct bgp_scratch *s)
{
	wbuf_init(&s->path, s->path_buf, sizeof(s->path_buf));
	wbuf_init(&s->opaque, s->opaque_buf, sizeof(s->opaque_buf));
}

enum bgp_action attr_malformed(struct attr_parse *p, const char *reason)
{
	p->reason = reason;
	return (enum bgp_action)attr_table[p->code].malformed;
}

enum bgp_action attr_reset(struct attr_parse *p, uint8_t subcode, const char *reason)
{
	p->reason = reason;
	bgp_notice_set_data(&p->errs->notice, BGP_ERR_UPDATE, subcode, p->whole);
	return BGP_ACT_RESET;
}

size_t attr_begin(struct wbuf *w, uint8_t flags, uint8_t code)
{
	size_t at = w->len;
	wbuf_u8(w, flags & (uint8_t)~BGP_ATTR_F_EXTLEN);
	wbuf_u8(w, code);
	wbuf_u8(w, 0);
	return at;
}

void attr_end(struct wbuf *w, size_t at)
{
	size_t len = w->len - at - 3;
	if (len <= 255) {
		wbuf_patch_u8(w, at + 2, (uint8_t)len);
		return;
	}
	wbuf_insert_gap(w, at + 3, 1);
	wbuf_patch_or_u8(w, at, BGP_ATTR_F_EXTLEN);
	wbuf_patch_u16(w, at + 2, (uint16_t)len);
}

/* RFC 4271 §5: an unrecognised optional transitive attribute is passed on
 * with the Partial bit set; a non-transitive one is quietly dropped. */
static void attr_keep_opaque(struct attr_parse *p, struct rbuf value)
{
	if (!(p->flags & BGP_ATTR_F_TRANSITIVE))
		return;
	struct wbuf *out = &p->scratch->opaque;
	size_t at = attr_begin(out, p->flags | BGP_ATTR_F_PARTIAL, p->code);
	wbuf_rbuf(out, &value);
	attr_end(out, at);
}

static bool attr_flags_ok(const struct attr_parse *p)
{
	uint8_t want = attr_table[p->code].flags;
	return (p->flags & (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)) == want;
}

static void attr_note(struct attr_parse *p, enum bgp_action act)
{
	bgp_errors_note(p->errs, act, p->code, p->reason);
}

static enum bgp_action attr_dispatch(struct attr_parse *p, struct rbuf value, uint32_t seen[8])
{
	const struct attr_desc *d = &attr_table[p->code];
	bool dup = seen[p->code / 32] & (1u << (p->code % 32));

	seen[p->code / 32] |= 1u << (p->code % 32);
	if (dup && (p->code == BGP_ATTR_MP_REACH || p->code == BGP_ATTR_MP_UNREACH))
		return attr_reset(p, BGP_ERR_UPD_ATTR_LIST, "appears twice");
	if (dup) {
		/* RFC 7606 §3g: all but the first occurrence are discarded. */
		p->reason = "appears twice, later copy discarded";
		return BGP_ACT_ATTR_DISCARD;
	}
	if (d->decode == NULL) {
		if (!(p->flags & BGP_ATTR_F_OPTIONAL))
			return attr_reset(p, BGP_ERR_UPD_UNKNOWN_WK,
			                  "unrecognized well-known attribute");
		attr_keep_opaque(p, value);
		return BGP_ACT_NONE;
	}
	if (!attr_flags_ok(p)) {
		if (d->malformed == BGP_ACT_RESET)
			return attr_reset(p, BGP_ERR_UPD_ATTR_FLAGS,
			                  "flags conflict with the type");
		return attr_malformed(p, "flags conflict with the type");
	}
	enum bgp_action act = d->decode(p, value);
	if (act == BGP_ACT_NONE)
		bgp_attr_set(p->a, p->code);
	return act;
}

/* Reads one attribute header and value.  An attribute that does not fit
 * the list ends the walk: RFC 7606 §4 makes it treat-as-withdraw, with the
 * NLRI field still found through the Total Path Attribute Length. */
static int attr_read(struct rbuf *field, struct attr_parse *p, struct rbuf *value)
{
	size_t start = field->off;
	uint8_t len8;
	uint16_t len;

	if (rbuf_u8(field, &p->flags) < 0 || rbuf_u8(field, &p->code) < 0)
		return -1;
	if (p->flags & BGP_ATTR_F_EXTLEN) {
		if (rbuf_u16(field, &len) < 0)
			return -1;
	} else {
		if (rbuf_u8(field, &len8) < 0)
			return -1;
		len = len8;
	}
	if (rbuf_sub(field, len, value) < 0)
		return -1;
	p->flags &= BGP_ATTR_F_MASK; /* the low four bits are ignored */
	p->whole = rbuf_span(field, start, field->off);
	return 0;
}

/*
 * RFC 6793 §4.2.3: from an old speaker, AS4_PATH and AS4_AGGREGATOR carry
 * the real four-octet ASNs.  An AGGREGATOR that is not AS_TRANS means the
 * path was last aggregated by an old speaker, and both AS4 attributes are
 * stale and ignored.
 */
static void attr_merge_as4(struct attr_parse *p)
{
	struct bgp_attrs *a = p->a;

	bgp_attr_clear(a, BGP_ATTR_AS4_PATH);
	bgp_attr_clear(a, BGP_ATTR_AS4_AGGREGATOR);
	if (p->ctx->as4 || !bgp_attr_has(a, BGP_ATTR_AS_PATH))
		return;
	if (bgp_attr_has(a, BGP_ATTR_AGGREGATOR) && a->aggregator_as != BGP_AS_TRANS)
		return;
	if (p->has_as4_aggregator && bgp_attr_has(a, BGP_ATTR_AGGREGATOR)) {
		a->aggregator_as = p->as4_aggregator_as;
		a->aggregator_id = p->as4_aggregator_id;
	}
	if (!p->has_as4_path)
		return;
	struct wbuf *out = &p->scratch->path;
	size_t from = out->len;
	aspath_merge_as4(a->as_path, p->as4_path, out);
	a->as_path = wbuf_view_from(out, from);
}

unsigned bgp_attrs_decode(const struct bgp_session_ctx *ctx, struct rbuf field,
                          struct bgp_scratch *scratch, struct bgp_attrs *a, struct bgp_errors *errs)
{
	unsigned count = 0;
	struct attr_parse p = { .ctx = ctx, .scratch = scratch, .a = a, .errs = errs };
	uint32_t seen[8] = { 0 };
	struct rbuf value;

	while (!rbuf_empty(&field) && errs->action < BGP_ACT_RESET) {
		p.reason = NULL;
		if (attr_read(&field, &p, &value) < 0) {
			bgp_errors_note(errs, BGP_ACT_WITHDRAW, 0,
			                "attribute runs past the end of the attribute list");
			break;
		}
		count++;
		enum bgp_action act = attr_dispatch(&p, value, seen);
		if (act != BGP_ACT_NONE)
			attr_note(&p, act);
	}
	attr_merge_as4(&p);
	a->opaque = wbuf_view(&scratch->opaque);
	if (!wbuf_ok(&scratch->path) || !wbuf_ok(&scratch->opaque))
		bgp_errors_note(errs, BGP_ACT_WITHDRAW, 0, "attributes too large to rebuild");
	return count;
}

/* RFC 7606 §5.1: MP_REACH_NLRI and MP_UNREACH_NLRI go first, so a receiver
 * can always find the NLRI; the rest follow in type-code order, then the
 * attributes passed on unrecognised. */
void bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, const struct bgp_session_ctx *ctx)
{
	static const uint8_t first[] = { BGP_ATTR_MP_REACH, BGP_ATTR_MP_UNREACH };

	for (size_t i = 0; i < sizeof(first); i++)
		if (bgp_attr_has(a, first[i]))
			attr_table[first[i]].encode(w, a, ctx);
	/* The present codes in order, from the bitmap: looking at all 255
	 * entries of the table cost more than encoding. */
	for (int word = 0; word < 8; word++)
		for (uint32_t bits = a->present[word]; bits != 0; bits &= bits - 1) {
			int code = word * 32 + __builtin_ctz(bits);
			const struct attr_desc *d = &attr_table[code];
			if (code != BGP_ATTR_MP_REACH && code != BGP_ATTR_MP_UNREACH &&
			    d->encode != NULL)
				d->encode(w, a, ctx);
		}
	wbuf_rbuf(w, &a->opaque);
}

void bgp_attrs_format_gobgp(struct sbuf *s, const struct bgp_attrs *a)
{
	bool first = true;

	sbuf_puts(s, "[");
	for (int code = 1; code < 256; code++) {
		const struct attr_desc *d = &attr_table[code];
		if (d->format == NULL || !bgp_attr_has(a, (uint8_t)code))
			continue;
		sbuf_puts(s, first ? "" : " ");
		first = false;
		d->format(s, a);
	}
	attr_format_opaque(s, a->opaque, first);
	sbuf_puts(s, "]");
}
