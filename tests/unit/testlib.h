/*
 * testlib: helpers shared by the unit tests: files and hex vectors, message
 * builders and the usual session contexts.  Include after cmocka.h.
 */
#ifndef KBGP_TESTLIB_H
#define KBGP_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/buf.h"

/* The bytes of the file at path, NUL-terminated and malloc'd (*len, when
 * not NULL, excludes the NUL); NULL when it cannot be opened. */
char *tl_read_file(const char *path, size_t *len);
/* The bytes of tests/manifests/NAME, as tl_read_file(); fails the test if
 * missing. */
char *tl_manifest(const char *name, size_t *len);

/* Hex text (spaces and '#' comment lines allowed) to bytes; fails the test
 * on bad hex. */
size_t tl_hex(const char *hex, uint8_t *out, size_t cap);
/* Bytes of tests/vectors/NAME; fails the test if missing or not hex. */
size_t tl_vector(const char *name, uint8_t *out, size_t cap);
/* Whether tests/vectors/NAME exists. */
bool tl_vector_exists(const char *name);

/* Build a whole UPDATE message from hex parts (each may be ""); the two
 * length fields are computed.  Returns the message length. */
size_t tl_update(uint8_t *out, size_t cap, const char *withdrawn, const char *attrs,
                 const char *nlri);
/* Frame one message and return its body; fails the test if framing fails. */
struct bgp_msg tl_frame(const uint8_t *msg, size_t len);

/* eBGP, 4-octet AS, IPv4 and IPv6 unicast, no ADD-PATH. */
struct bgp_session_ctx tl_ctx_ebgp(void);
/* iBGP, otherwise as above. */
struct bgp_session_ctx tl_ctx_ibgp(void);

/* Compare bytes and print both in hex on mismatch. */
void tl_assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len);

#endif
