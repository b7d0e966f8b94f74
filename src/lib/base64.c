/*
 * base64: standard-alphabet decoding with required padding (see base64.h).
 */
#include "lib/base64.h"

#include <stdbool.h>
#include <string.h>

static int sextet(char c)
{
	static const char alphabet[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

size_t base64_decoded_max(size_t len)
{
	return len / 4 * 3;
}

/* One group of four characters, the last of the text when last; padding
 * ('=') may only end the last group, one or two of them. */
static int decode_group(const char *g, bool last, uint8_t bytes[3], size_t *n)
{
	int v[4];
	size_t pad = g[3] != '=' ? 0 : g[2] != '=' ? 1 : 2;

	if (pad > 0 && !last)
		return -1;
	for (size_t i = 0; i < 4 - pad; i++)
		if ((v[i] = sextet(g[i])) < 0)
			return -1;
	for (size_t i = 4 - pad; i < 4; i++)
		v[i] = 0;
	uint32_t word =
	        (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
	bytes[0] = (uint8_t)(word >> 16);
	bytes[1] = (uint8_t)(word >> 8);
	bytes[2] = (uint8_t)word;
	*n = 3 - pad;
	return 0;
}

int base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t bytes[3];
	size_t n, at = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		if (decode_group(text + i, i + 4 == len, bytes, &n) < 0 || at + n > cap)
			return -1;
		memcpy(out + at, bytes, n);
		at += n;
	}
	*out_len = at;
	return 0;
}
