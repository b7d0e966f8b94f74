/*
 * testlib: shared unit-test helpers (see testlib.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/hex.h"
#include "testlib.h"

#define TL_MANIFESTS_DIR KBGP_VECTORS_DIR "/../manifests"

char *tl_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	char *text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return text;
}

char *tl_manifest(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", TL_MANIFESTS_DIR, name);
	char *text = tl_read_file(path, len);
	if (text == NULL)
		fail_msg("missing manifest %s", path);
	return text;
}

size_t tl_hex(const char *hex, uint8_t *out, size_t cap)
{
	long n = hex_decode(hex, strlen(hex), out, cap);
	if (n < 0)
		fail_msg("bad hex: %s", hex);
	return (size_t)n;
}

static FILE *tl_open_vector(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", KBGP_VECTORS_DIR, name);
	return fopen(path, "rb");
}

bool tl_vector_exists(const char *name)
{
	FILE *f = tl_open_vector(name);
	if (f != NULL)
		fclose(f);
	return f != NULL;
}

size_t tl_vector(const char *name, uint8_t *out, size_t cap)
{
	static char text[1 << 20];
	FILE *f = tl_open_vector(name);
	if (f == NULL)
		fail_msg("missing vector %s", name);
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	return tl_hex(text, out, cap);
}

size_t tl_update(uint8_t *out, size_t cap, const char *withdrawn, const char *attrs,
                 const char *nlri)
{
	static uint8_t part[3][65536];
	size_t wlen = tl_hex(withdrawn, part[0], sizeof(part[0]));
	size_t alen = tl_hex(attrs, part[1], sizeof(part[1]));
	size_t nlen = tl_hex(nlri, part[2], sizeof(part[2]));
	struct wbuf w;

	wbuf_init(&w, out, cap);
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_u16(&w, (uint16_t)wlen);
	wbuf_bytes(&w, part[0], wlen);
	wbuf_u16(&w, (uint16_t)alen);
	wbuf_bytes(&w, part[1], alen);
	wbuf_bytes(&w, part[2], nlen);
	bgp_msg_end(&w, start);
	assert_true(wbuf_ok(&w));
	return w.len;
}

struct bgp_msg tl_frame(const uint8_t *msg, size_t len)
{
	struct bgp_msg m;
	struct bgp_notice err;
	assert_int_equal(bgp_frame(rbuf_make(msg, len), BGP_EXT_MAX_LEN, &m, &err), BGP_FRAME_OK);
	return m;
}

struct bgp_session_ctx tl_ctx_ebgp(void)
{
	return (struct bgp_session_ctx){
		.as4 = true,
		.ebgp = true,
		.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST),
	};
}

struct bgp_session_ctx tl_ctx_ibgp(void)
{
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	ctx.ebgp = false;
	return ctx;
}

static void tl_print_hex(const char *what, const uint8_t *p, size_t len)
{
	fprintf(stderr, "%s (%zu):", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n  " : " ", p[i]);
	fprintf(stderr, "\n");
}

void tl_assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	if (got_len == want_len && memcmp(got, want, got_len) == 0)
		return;
	tl_print_hex("got", got, got_len);
	tl_print_hex("want", want, want_len);
	fail_msg("byte mismatch");
}
