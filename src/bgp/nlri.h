/*
 * nlri: IPv4 and IPv6 unicast prefixes on the wire (RFC 4271 §4.3,
 * RFC 4760 §5), with and without ADD-PATH path identifiers (RFC 7911).
 *
 * An NLRI field is validated once, whole, without allocating; consumers then
 * walk it again with nlri_next().  Bits past the prefix length are cleared
 * so equal prefixes compare equal byte for byte.
 */
#ifndef KBGP_BGP_NLRI_H
#define KBGP_BGP_NLRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/proto.h"
#include "lib/buf.h"

struct bgp_prefix {
	uint8_t af; /* enum bgp_af */
	uint8_t len;
	uint32_t path_id; /* 0 without ADD-PATH */
	uint8_t addr[16];
};

struct nlri_iter {
	struct rbuf r;
	uint8_t af;
	bool addpath;
};

void nlri_iter_init(struct nlri_iter *it, struct rbuf field, enum bgp_af af, bool addpath);
/* 1: *p holds the next prefix; 0: the field is done; -1: malformed. */
int nlri_next(struct nlri_iter *it, struct bgp_prefix *p);
/* Validate a whole field; *count receives the number of prefixes. */
int nlri_check(struct rbuf field, enum bgp_af af, bool addpath, size_t *count);

void nlri_encode(struct wbuf *w, const struct bgp_prefix *p, bool addpath);
/* Bytes nlri_encode() writes for p. */
size_t nlri_encoded_len(const struct bgp_prefix *p, bool addpath);

/* "10.0.0.0/24", "fd00::/64"; returns the length written. */
int bgp_prefix_format(char *dst, size_t size, const struct bgp_prefix *p);
/* Parse "10.0.0.0/24" or "fd00::/64"; host bits must be zero. */
int bgp_prefix_parse(const char *s, struct bgp_prefix *p);
/* The same, keeping any host bits, so a caller can say which were set. */
int bgp_prefix_parse_loose(const char *s, struct bgp_prefix *p);
/* Clear the bits past the prefix length. */
void bgp_prefix_mask(struct bgp_prefix *p);
int bgp_prefix_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b);
/* Hash of family, length and address (not the path identifier), for the
 * tables keyed by prefix; the bits past the length must be clear, and
 * addr hold 4 bytes up to a /32, 16 beyond.  Keyed
 * by bgp_prefix_hash_seed (random in the daemon, 0 in tests), so a peer
 * cannot choose prefixes that pile up in one chain of a table. */
extern uint64_t bgp_prefix_hash_seed;
uint64_t bgp_prefix_hash(const struct bgp_prefix *p);
uint64_t bgp_prefix_hash_parts(uint8_t af, uint8_t len, const uint8_t *addr);

#endif
