/*
 * utf8: strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF).
 */
#include "lib/utf8.h"

#include <stdbool.h>

/* Length of the valid sequence starting at s[0], or 0 if it is invalid. */
static size_t utf8_seq_len(const uint8_t *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
	bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
	if (overlong || surrogate || cp > 0x10ffff)
		return 0;
	return n;
}

void utf8_sanitize(char *dst, size_t dst_size, const uint8_t *src, size_t len)
{
	size_t out = 0;
	size_t i = 0;

	if (dst_size == 0)
		return;
	while (i < len) {
		size_t n = utf8_seq_len(&src[i], len - i);
		bool control = n == 1 && (src[i] < 0x20 || src[i] == 0x7f);
		size_t take = (n == 0 || control) ? 1 : n;
		if (out + take >= dst_size)
			break;
		if (n == 0 || control) {
			dst[out++] = '?';
		} else {
			for (size_t k = 0; k < n; k++)
				dst[out++] = (char)src[i + k];
		}
		i += take;
	}
	dst[out] = '\0';
}

size_t utf8_prefix_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* Back up over continuation bytes to the start of the cut character. */
	size_t cut = max;
	while (cut > 0 && ((uint8_t)s[cut] & 0xc0) == 0x80)
		cut--;
	return cut;
}
