/*
 * bench_decode: UPDATE decoding speed.  Builds a stream of full 4096-byte
 * IPv4 UPDATEs (a typical eBGP attribute set and as many /24 .. /32 prefixes
 * as fit), then frames, decodes and walks every route of the stream, the
 * work a session does per received message, and prints prefixes per second
 * on one core.  It also checks, with mallinfo2(), that the decode path
 * allocates nothing.
 *
 *   bench_decode [MESSAGES] [ROUNDS]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bgp/msg.h"
#include "bgp/update.h"
#include "lib/hex.h"

static size_t build_update(uint8_t *out, size_t cap, uint32_t *next_prefix)
{
	/* ORIGIN IGP, AS_PATH 65001 2914 13335, NEXT_HOP, MED 20, two
	 * communities. */
	static const char attrs_hex[] = "40010100 40020e020300 00fde9 00000b62 00003417"
	                                "400304ac1f010a 80040400000014 c00808fde80063fde80064";
	uint8_t attrs[64];
	long attrs_len = hex_decode(attrs_hex, sizeof(attrs_hex) - 1, attrs, sizeof(attrs));
	struct wbuf w;

	wbuf_init(&w, out, cap);
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_u16(&w, 0);
	wbuf_u16(&w, (uint16_t)attrs_len);
	wbuf_bytes(&w, attrs, (size_t)attrs_len);
	for (;;) {
		uint32_t p = (*next_prefix)++;
		uint8_t len = (uint8_t)(24 + p % 9);
		size_t need = 1 + (len + 7u) / 8u;
		if (w.len - start + need > BGP_MAX_LEN)
			break;
		uint8_t addr[4] = { (uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p, 0 };
		wbuf_u8(&w, len);
		wbuf_bytes(&w, addr, need - 1);
	}
	bgp_msg_end(&w, start);
	return w.len - start;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Frame, decode and walk the whole stream; returns prefixes seen. */
static size_t decode_stream(const uint8_t *stream, size_t len, struct bgp_scratch *scratch)
{
	struct bgp_session_ctx ctx = { .as4 = true,
		                       .ebgp = true,
		                       .afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) };
	struct rbuf in = rbuf_make(stream, len);
	struct bgp_msg m;
	struct bgp_notice err;
	struct bgp_update u;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	size_t prefixes = 0;

	while (bgp_frame(in, BGP_MAX_LEN, &m, &err) == BGP_FRAME_OK) {
		if (bgp_update_decode(&ctx, m.body, scratch, &u) < 0 || u.errors.total != 0)
			abort();
		bgp_route_iter_init(&ri, &u, &ctx);
		while (bgp_route_iter_next(&ri, &p, &reach) == 1)
			prefixes += reach;
		rbuf_skip(&in, m.len);
	}
	return prefixes;
}

int main(int argc, char **argv)
{
	size_t messages = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	uint8_t *stream = malloc(messages * BGP_MAX_LEN);
	struct bgp_scratch *scratch = malloc(sizeof(*scratch));
	uint32_t next_prefix = 0;
	size_t len = 0;

	if (stream == NULL || scratch == NULL)
		return 1;
	for (size_t i = 0; i < messages; i++)
		len += build_update(stream + len, BGP_MAX_LEN, &next_prefix);

	size_t prefixes = decode_stream(stream, len, scratch); /* warm up */
	struct mallinfo2 before = mallinfo2();
	double best = 1e9;
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		prefixes = decode_stream(stream, len, scratch);
		double dt = now() - t0;
		best = dt < best ? dt : best;
	}
	struct mallinfo2 after = mallinfo2();

	printf("stream: %zu UPDATEs of <= 4096 bytes, %zu prefixes (/24../32), %.1f MB\n", messages,
	       prefixes, (double)len / 1e6);
	printf("decode+walk: %.1f M prefixes/s, %.0f MB/s, %.0f ns/UPDATE (best of %d)\n",
	       (double)prefixes / best / 1e6, (double)len / best / 1e6,
	       best / (double)messages * 1e9, rounds);
	printf("heap growth during %d decode rounds: %zu bytes\n", rounds,
	       after.uordblks - before.uordblks);
	free(scratch);
	free(stream);
	return 0;
}
