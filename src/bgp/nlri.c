/*
 * nlri: prefix encoding and decoding.
 */
#include "bgp/nlri.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"

void nlri_iter_init(struct nlri_iter *it, struct rbuf field, enum bgp_af af, bool addpath)
{
	it->r = field;
	it->af = (uint8_t)af;
	it->addpath = addpath;
}

static void prefix_clear_host_bits(struct bgp_prefix *p)
{
	size_t bytes = (p->len + 7u) / 8u;
	if (p->len % 8 != 0)
		p->addr[bytes - 1] &= (uint8_t)(0xff << (8 - p->len % 8));
}

/* The next prefix's fields, its address bytes left in *addr; -1 if the
 * field ends inside it or its length is too long for the family. */
static int nlri_take(struct nlri_iter *it, uint32_t *path_id, uint8_t *len, struct rbuf *addr)
{
	uint8_t max_bits = (uint8_t)(bgp_af_table[it->af].addr_len * 8);

	if (it->addpath && rbuf_u32(&it->r, path_id) < 0)
		return -1;
	if (rbuf_u8(&it->r, len) < 0 || *len > max_bits)
		return -1;
	return rbuf_sub(&it->r, (*len + 7u) / 8u, addr);
}

int nlri_next(struct nlri_iter *it, struct bgp_prefix *p)
{
	struct rbuf addr;

	if (rbuf_empty(&it->r))
		return 0;
	memset(p, 0, sizeof(*p));
	p->af = it->af;
	if (nlri_take(it, &p->path_id, &p->len, &addr) < 0 ||
	    rbuf_copy(&addr, p->addr, rbuf_left(&addr)) < 0)
		return -1;
	prefix_clear_host_bits(p);
	return 1;
}

/* Walks the field as nlri_next does, without copying the prefixes out. */
int nlri_check(struct rbuf field, enum bgp_af af, bool addpath, size_t *count)
{
	struct nlri_iter it;
	struct rbuf addr;
	uint32_t path_id;
	uint8_t len;

	*count = 0;
	nlri_iter_init(&it, field, af, addpath);
	for (; !rbuf_empty(&it.r); (*count)++)
		if (nlri_take(&it, &path_id, &len, &addr) < 0)
			return -1;
	return 0;
}

void nlri_encode(struct wbuf *w, const struct bgp_prefix *p, bool addpath)
{
	if (addpath)
		wbuf_u32(w, p->path_id);
	wbuf_u8(w, p->len);
	wbuf_bytes(w, p->addr, (p->len + 7u) / 8u);
}

size_t nlri_encoded_len(const struct bgp_prefix *p, bool addpath)
{
	return (addpath ? 4 : 0) + 1 + (p->len + 7u) / 8u;
}

int bgp_prefix_format(char *dst, size_t size, const struct bgp_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	int family = p->af == BGP_AF_IPV4_UNICAST ? AF_INET : AF_INET6;

	inet_ntop(family, p->addr, addr, sizeof(addr));
	return snprintf(dst, size, "%s/%u", addr, p->len);
}

void bgp_prefix_mask(struct bgp_prefix *p)
{
	size_t bytes = (p->len + 7u) / 8u;
	prefix_clear_host_bits(p);
	memset(p->addr + bytes, 0, sizeof(p->addr) - bytes);
}

int bgp_prefix_parse_loose(const char *s, struct bgp_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t digits;

	memset(p, 0, sizeof(*p));
	if (slash == NULL || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->af = BGP_AF_IPV4_UNICAST;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->af = BGP_AF_IPV6_UNICAST;
	else
		return -1;
	digits = strspn(slash + 1, "0123456789");
	if (digits == 0 || digits > 3 || slash[1 + digits] != '\0')
		return -1;
	unsigned long len = strtoul(slash + 1, NULL, 10);
	if (len > bgp_af_table[p->af].addr_len * 8u)
		return -1;
	p->len = (uint8_t)len;
	return 0;
}

int bgp_prefix_parse(const char *s, struct bgp_prefix *p)
{
	if (bgp_prefix_parse_loose(s, p) < 0)
		return -1;
	struct bgp_prefix masked = *p;
	bgp_prefix_mask(&masked);
	return memcmp(masked.addr, p->addr, sizeof(p->addr)) == 0 ? 0 : -1;
}

int bgp_prefix_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c != 0)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->path_id != b->path_id)
		return a->path_id < b->path_id ? -1 : 1;
	return 0;
}

uint64_t bgp_prefix_hash_seed;

uint64_t bgp_prefix_hash_parts(uint8_t af, uint8_t len, const uint8_t *addr)
{
	/* Whole words, not (len + 7) / 8 bytes: copies of a fixed size
	 * compile to a load, and the bits past len are clear. */
	uint64_t words[2] = { 0, 0 };
	if (len <= 32)
		memcpy(words, addr, 4);
	else
		memcpy(words, addr, 16);
	uint64_t h = hash_mix64(bgp_prefix_hash_seed ^ words[0] ^ ((uint64_t)af << 8 | len) << 48);
	return words[1] != 0 ? hash_mix64(h ^ words[1]) : h;
}

uint64_t bgp_prefix_hash(const struct bgp_prefix *p)
{
	return bgp_prefix_hash_parts(p->af, p->len, p->addr);
}
