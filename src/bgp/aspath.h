/*
 * aspath: AS_PATH values (RFC 4271 §4.3, RFC 5065 confederation segments,
 * RFC 6793 four-octet ASNs).
 *
 * Inside kbgp an AS_PATH is always the wire form of its segments with
 * four-octet ASNs, whatever the session spoke: one byte string that hashes,
 * compares and copies as a unit.  Conversion to and from two-octet sessions,
 * and the AS4_PATH merge, happen here and nowhere else.
 */
#ifndef KBGP_BGP_ASPATH_H
#define KBGP_BGP_ASPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/sbuf.h"

struct aspath_seg {
	uint8_t type; /* enum bgp_aspath_seg */
	uint8_t count;
	struct rbuf asns; /* count ASNs of asn_size octets */
};

/* Next segment of a path with asn_size-octet ASNs: 1, 0 at the end, -1 if
 * malformed (unknown type, zero count, ASNs past the end). */
int aspath_next(struct rbuf *path, size_t asn_size, struct aspath_seg *seg);
/* Validate a whole path; confederation segments are refused unless allowed
 * (AS4_PATH never carries them, RFC 6793 §3). */
int aspath_check(struct rbuf path, size_t asn_size, bool allow_confed);
/* Widen a checked two-octet path into 4-octet form. */
void aspath_widen(struct rbuf path2, struct wbuf *out);
/* RFC 6793 §4.2.3: rebuild the path from a 4-octet-form AS_PATH that came
 * from an old speaker and the AS4_PATH it carried. */
void aspath_merge_as4(struct rbuf path, struct rbuf as4_path, struct wbuf *out);
/* Whether asn appears anywhere in the path (AS-loop detection), and how
 * many times (allowas-in). */
bool aspath_contains(struct rbuf path, uint32_t asn);
size_t aspath_count(struct rbuf path, uint32_t asn);
/* Write the path with asn in front (RFC 4271 §5.1.2): into the first
 * AS_SEQUENCE when it has room, else as a new segment. */
void aspath_prepend(struct wbuf *out, struct rbuf path, uint32_t asn);
/* Whether a 4-octet-form path has confederation segments. */
bool aspath_has_confed(struct rbuf path);
/* Path length for best-path selection: an AS_SET counts one, confederation
 * segments count nothing (RFC 4271 §9.1.2.2, RFC 5065 §5.3). */
size_t aspath_length(struct rbuf path);
/* Whether any ASN in the path needs four octets. */
bool aspath_has_as4_only(struct rbuf path);
/* Encode a 4-octet-form path for a two-octet session: ASNs above 65535
 * become AS_TRANS. */
void aspath_encode_narrow(struct wbuf *w, struct rbuf path);
/* AS4_PATH value for a two-octet session: the path without confederation
 * segments. */
void aspath_encode_as4(struct wbuf *w, struct rbuf path);
/* "65001 65000 {64512,64513}" with confederation segments in "( )" and
 * "[ ]", the way GoBGP and FRR print them. */
void aspath_format(struct sbuf *s, struct rbuf path);

#endif
