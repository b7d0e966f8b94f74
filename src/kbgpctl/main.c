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
#include "kbgpctl/daemon.h"
#include "kbgpctl/local.h"
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

static int decode_main(const struct ctl_opts *o, int argc, char **argv)
{
	struct bgp_session_ctx ctx = {
		.as4 = true,
		.ebgp = true,
		.afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST),
	};
	bool raw = false;
	const char *path = NULL;

	(void)o;
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

/* Commands that need no daemon. */
static const struct {
	const char *name;
	int (*run)(const struct ctl_opts *o, int argc, char **argv);
	const char *help;
} local_commands[] = {
	{ "get", cmd_get,
	  "kubectl's views of --manifests DIR: get nodeconfigs|ippools|services|nodes" },
	{ "decode", decode_main, "Decode captured BGP messages and show RFC 7606 verdicts" },
};

static const struct {
	const char *name;
	int (*run)(const struct ctl_opts *o, int argc, char **argv);
	const char *help;
} daemon_commands[] = {
	{ "bgp", cmd_bgp, "Cilium's views: bgp peers, bgp routes, bgp route-policies" },
	{ "show", cmd_show, "FRR's views: show ip bgp [summary|PREFIX], show ip route bgp ..." },
	{ "clear", cmd_clear, "clear bgp NEIGHBOR [soft in|soft out]" },
	{ "reload", cmd_reload, "Re-read kbgpd's configuration (as SIGHUP)" },
	{ "call", cmd_call, "Send any control request: call COMMAND [KEY=VALUE...]" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: kbgpctl [-s [NODE=]SOCKET]... [--manifests DIR [--state DIR]]\n"
	             "               [-o json|yaml|text] <command> [arguments]\n\n"
	             "commands:\n");
	for (size_t i = 0; i < sizeof(daemon_commands) / sizeof(daemon_commands[0]); i++)
		fprintf(out, "  %-10s %s\n", daemon_commands[i].name, daemon_commands[i].help);
	for (size_t i = 0; i < sizeof(local_commands) / sizeof(local_commands[0]); i++)
		fprintf(out, "  %-10s %s\n", local_commands[i].name, local_commands[i].help);
	fprintf(out, "\nWithout -s, kbgpctl asks the agents of --manifests DIR (the sockets they\n"
	             "wrote in its state directory), or else the one kbgpd whose socket is in\n"
	             "/run/kbgp.\n");
}

static int run_daemon_command(struct ctl_opts *o, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(daemon_commands) / sizeof(daemon_commands[0]); i++) {
		if (strcmp(argv[0], daemon_commands[i].name) != 0)
			continue;
		if (o->n_targets == 0 && ctl_default_target(o) < 0)
			return 2;
		return daemon_commands[i].run(o, argc, argv);
	}
	fprintf(stderr, "kbgpctl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static struct ctl_opts opts;
	int i = 1;

	for (; i < argc; i++) {
		int rc = ctl_global_option(&opts, argc, argv, &i);
		if (rc < 0)
			return 2;
		if (rc == 0)
			break;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "--version") == 0) {
		printf("kbgpctl %s\n", KBGP_VERSION);
		return 0;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t k = 0; k < sizeof(local_commands) / sizeof(local_commands[0]); k++)
		if (strcmp(argv[i], local_commands[k].name) == 0)
			return local_commands[k].run(&opts, argc - i, argv + i);
	return run_daemon_command(&opts, argc - i, argv + i);
}
