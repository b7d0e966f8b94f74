/*
 * hex: lenient hex text reader.
 */
#include "lib/hex.h"

#include <ctype.h>
#include <stdbool.h>

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long hex_decode(const char *text, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;
	bool comment = false;
	bool line_start = true;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			comment = false;
			line_start = true;
			continue;
		}
		if (comment)
			continue;
		if (line_start && c == '#') {
			comment = true;
			continue;
		}
		if (isspace((unsigned char)c) || c == ':')
			continue;
		line_start = false;
		int d = hex_digit(c);
		if (d < 0)
			return -1;
		if (high < 0) {
			high = d;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(high << 4 | d);
		high = -1;
	}
	return high < 0 ? (long)n : -1;
}
