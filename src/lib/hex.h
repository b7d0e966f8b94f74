/*
 * hex: hexadecimal text to bytes, for test vectors and `kbgpctl decode`.
 */
#ifndef KBGP_LIB_HEX_H
#define KBGP_LIB_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decode hex digits from text, skipping whitespace, ':' separators and
 * comment lines that start with '#'.  Returns the number of bytes written,
 * or -1 on a stray character, an odd digit count or more than cap bytes. */
long hex_decode(const char *text, size_t len, uint8_t *out, size_t cap);

#endif
