/*
 * kbgpctl: the operator's tool.  A table of subcommands, wireguard-tools
 * style; each subcommand parses its own arguments.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/decode.h"
#include "lib/hex.h"

#define DECODE_INPUT_MAX (16u << 20)

static void decode_usage(FILE *out)
{
	fprintf(out, "usage: kbgpctl decode [--as2] [--ibgp] [--addpath] [--raw] [FILE]\n"
	             "Decodes BGP messages (hex text, or raw bytes with --raw) from FILE or\n"
	             "standard input as a session with the given options would see them.\n");
}

static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	*len = 0;
	while (buf != NULL) {
		*len += fread(buf + *len, 1, cap - *len, in);
		if (*len < cap || cap >= DECODE_INPUT_MAX)
			break;
		cap *= 2;
		char *grown = realloc(buf, cap);
		if (grown == NULL)
			free(buf);
		buf = grown;
	}
	return buf;
}

static int decode_main(int argc, char **argv)
{
	struct bgp_session_ctx ctx = {
		.as4 = true,
		.ebgp = true,
		.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST),
	};
	bool raw = false;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--as2") == 0) {
			ctx.as4 = false;
		} else if (strcmp(argv[i], "--ibgp") == 0) {
			ctx.ebgp = false;
		} else if (strcmp(argv[i], "--addpath") == 0) {
			ctx.addpath_rx = ctx.afs;
		} else if (strcmp(argv[i], "--raw") == 0) {
			raw = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			decode_usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && path == NULL) {
			path = argv[i];
		} else {
			decode_usage(stderr);
			return 2;
		}
	}
	FILE *in = path != NULL ? fopen(path, "rb") : stdin;
	if (in == NULL) {
		fprintf(stderr, "kbgpctl decode: %s: %s\n", path, strerror(errno));
		return 2;
	}
	size_t len;
	char *text = read_all(in, &len);
	if (in != stdin)
		fclose(in);
	if (text == NULL) {
		fprintf(stderr, "kbgpctl decode: out of memory\n");
		return 2;
	}
	long n = raw ? (long)len : hex_decode(text, len, (uint8_t *)text, len);
	if (n < 0) {
		fprintf(stderr, "kbgpctl decode: %s: not hex text\n", path ? path : "stdin");
		free(text);
		return 2;
	}
	int rc = ctl_decode_stream(stdout, rbuf_make(text, (size_t)n), &ctx);
	free(text);
	return rc;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "decode", decode_main, "Decode captured BGP messages and show RFC 7606 verdicts" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: kbgpctl <command> [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kbgpctl %s\n", KBGP_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "kbgpctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
