/*
 * base64: decoding the standard alphabet (RFC 4648 §4), as Kubernetes
 * writes Secret data: padded to a multiple of four, no line breaks.
 */
#ifndef KBGP_LIB_BASE64_H
#define KBGP_LIB_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that decoding len characters can produce at most. */
size_t base64_decoded_max(size_t len);
/* Decode text[0..len) into out (cap bytes); -1 on a character outside the
 * alphabet (white space included), bad padding, or too small a buffer. */
int base64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
