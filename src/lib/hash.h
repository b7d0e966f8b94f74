/*
 * hash: the mixing the tables' hashes are made of.  Keys come from peers,
 * so callers start from a per-process random seed: a peer that cannot
 * know it cannot choose keys that crowd one slot.
 */
#ifndef KBGP_LIB_HASH_H
#define KBGP_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The 64-bit finaliser of MurmurHash3: every input bit reaches every
 * output bit, so sequential keys spread over the whole table. */
static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* h with n more bytes mixed in, eight at a time: one multiply a word,
 * where byte-wise FNV took one a byte.  Finish with hash_mix64. */
static inline uint64_t hash_bytes(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	uint64_t w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	if (i < n) {
		w = (uint64_t)(n - i) << 56;
		memcpy(&w, b + i, n - i);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	return h;
}

#endif
