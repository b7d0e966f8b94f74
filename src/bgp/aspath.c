/*
 * aspath: AS_PATH segments, two- and four-octet forms and the AS4_PATH
 * merge.
 */
#include "bgp/aspath.h"

#include "bgp/proto.h"

static uint32_t asn_read(struct rbuf *r, size_t asn_size)
{
	uint16_t as2 = 0;
	uint32_t as4 = 0;
	if (asn_size == 2) {
		rbuf_u16(r, &as2);
		return as2;
	}
	rbuf_u32(r, &as4);
	return as4;
}

int aspath_next(struct rbuf *path, size_t asn_size, struct aspath_seg *seg)
{
	if (rbuf_empty(path))
		return 0;
	if (rbuf_u8(path, &seg->type) < 0 || rbuf_u8(path, &seg->count) < 0)
		return -1;
	if (seg->type < BGP_AS_SET || seg->type > BGP_AS_CONFED_SET || seg->count == 0)
		return -1;
	return rbuf_sub(path, (size_t)seg->count * asn_size, &seg->asns) < 0 ? -1 : 1;
}

static bool seg_is_confed(const struct aspath_seg *seg)
{
	return seg->type == BGP_AS_CONFED_SEQUENCE || seg->type == BGP_AS_CONFED_SET;
}

int aspath_check(struct rbuf path, size_t asn_size, bool allow_confed)
{
	struct aspath_seg seg;
	int rc;

	while ((rc = aspath_next(&path, asn_size, &seg)) == 1)
		if (seg_is_confed(&seg) && !allow_confed)
			return -1;
	return rc;
}

void aspath_widen(struct rbuf path2, struct wbuf *out)
{
	struct aspath_seg seg;

	while (aspath_next(&path2, 2, &seg) == 1) {
		wbuf_u8(out, seg.type);
		wbuf_u8(out, seg.count);
		while (!rbuf_empty(&seg.asns))
			wbuf_u32(out, asn_read(&seg.asns, 2));
	}
}

size_t aspath_count(struct rbuf path, uint32_t asn)
{
	struct aspath_seg seg;
	size_t n = 0;

	while (aspath_next(&path, 4, &seg) == 1)
		while (!rbuf_empty(&seg.asns))
			n += asn_read(&seg.asns, 4) == asn;
	return n;
}

bool aspath_contains(struct rbuf path, uint32_t asn)
{
	return aspath_count(path, asn) > 0;
}

void aspath_prepend(struct wbuf *out, struct rbuf path, uint32_t asn)
{
	struct rbuf rest = path;
	struct aspath_seg first;

	if (aspath_next(&rest, 4, &first) == 1 && first.type == BGP_AS_SEQUENCE &&
	    first.count < 255) {
		wbuf_u8(out, BGP_AS_SEQUENCE);
		wbuf_u8(out, (uint8_t)(first.count + 1));
		wbuf_u32(out, asn);
		wbuf_rbuf(out, &first.asns);
		wbuf_rbuf(out, &rest);
		return;
	}
	wbuf_u8(out, BGP_AS_SEQUENCE);
	wbuf_u8(out, 1);
	wbuf_u32(out, asn);
	wbuf_rbuf(out, &path);
}

bool aspath_has_confed(struct rbuf path)
{
	struct aspath_seg seg;

	while (aspath_next(&path, 4, &seg) == 1)
		if (seg_is_confed(&seg))
			return true;
	return false;
}

static size_t seg_length(const struct aspath_seg *seg)
{
	switch (seg->type) {
	case BGP_AS_SEQUENCE:
		return seg->count;
	case BGP_AS_SET:
		return 1;
	default:
		return 0;
	}
}

size_t aspath_length(struct rbuf path)
{
	struct aspath_seg seg;
	size_t n = 0;

	while (aspath_next(&path, 4, &seg) == 1)
		n += seg_length(&seg);
	return n;
}

/*
 * RFC 6793 §4.2.3: if AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored;
 * otherwise the result is the leading (len(AS_PATH) - len(AS4_PATH)) ASes of
 * AS_PATH, confederation segments included, followed by AS4_PATH.
 */
void aspath_merge_as4(struct rbuf path, struct rbuf as4_path, struct wbuf *out)
{
	size_t have = aspath_length(path), want = aspath_length(as4_path);
	struct aspath_seg seg;

	if (have < want) {
		wbuf_rbuf(out, &path);
		return;
	}
	size_t lead = have - want;
	while (lead > 0 && aspath_next(&path, 4, &seg) == 1) {
		size_t take = seg.count;
		if (seg.type == BGP_AS_SEQUENCE && take > lead)
			take = lead;
		wbuf_u8(out, seg.type);
		wbuf_u8(out, (uint8_t)take);
		for (size_t i = 0; i < take; i++)
			wbuf_u32(out, asn_read(&seg.asns, 4));
		lead -= seg_length(&seg) < lead ? seg_length(&seg) : lead;
	}
	wbuf_rbuf(out, &as4_path);
}

bool aspath_has_as4_only(struct rbuf path)
{
	struct aspath_seg seg;

	while (aspath_next(&path, 4, &seg) == 1)
		while (!rbuf_empty(&seg.asns))
			if (asn_read(&seg.asns, 4) > 0xffff)
				return true;
	return false;
}

void aspath_encode_narrow(struct wbuf *w, struct rbuf path)
{
	struct aspath_seg seg;

	while (aspath_next(&path, 4, &seg) == 1) {
		wbuf_u8(w, seg.type);
		wbuf_u8(w, seg.count);
		while (!rbuf_empty(&seg.asns)) {
			uint32_t as = asn_read(&seg.asns, 4);
			wbuf_u16(w, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
		}
	}
}

void aspath_encode_as4(struct wbuf *w, struct rbuf path)
{
	struct aspath_seg seg;

	while (aspath_next(&path, 4, &seg) == 1) {
		if (seg_is_confed(&seg))
			continue;
		wbuf_u8(w, seg.type);
		wbuf_u8(w, seg.count);
		wbuf_rbuf(w, &seg.asns);
	}
}

void aspath_format(struct sbuf *s, struct rbuf path)
{
	static const char open[] = {
		[BGP_AS_SET] = '{', [BGP_AS_CONFED_SEQUENCE] = '(', [BGP_AS_CONFED_SET] = '['
	};
	static const char close[] = {
		[BGP_AS_SET] = '}', [BGP_AS_CONFED_SEQUENCE] = ')', [BGP_AS_CONFED_SET] = ']'
	};
	struct aspath_seg seg;
	bool first = true;

	while (aspath_next(&path, 4, &seg) == 1) {
		bool set = seg.type == BGP_AS_SET || seg.type == BGP_AS_CONFED_SET;
		sbuf_puts(s, first ? "" : " ");
		first = false;
		if (open[seg.type] != 0)
			sbuf_printf(s, "%c", open[seg.type]);
		for (int i = 0; i < seg.count; i++)
			sbuf_printf(s, "%s%u",
			            i == 0 ? ""
			            : set  ? ","
			                   : " ",
			            asn_read(&seg.asns, 4));
		if (close[seg.type] != 0)
			sbuf_printf(s, "%c", close[seg.type]);
	}
}
