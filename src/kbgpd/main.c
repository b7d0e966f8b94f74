/*
 * kbgpd: the kbgp daemon.  One binary, three roles (agent, operator,
 * router); this file only dispatches to them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "bgp/nlri.h"
#include "agent/agent.h"
#include "operator/operator.h"
#include "router/router.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: kbgpd --version\n"
	             "       kbgpd agent|operator|router [options]\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("kbgpd %s\n", KBGP_VERSION);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
		usage(stdout);
		return 0;
	}
	/* Without randomness the tables still work, only less hardened. */
	if (getrandom(&bgp_prefix_hash_seed, sizeof(bgp_prefix_hash_seed), 0) < 0)
		bgp_prefix_hash_seed = 0;
	if (argc >= 2 && strcmp(argv[1], "router") == 0)
		return router_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "agent") == 0)
		return agent_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "operator") == 0)
		return operator_main(argc - 1, argv + 1);
	if (argc >= 2) {
		fprintf(stderr, "kbgpd: unknown role '%s': agent, operator or router\n", argv[1]);
		return 2;
	}
	usage(stderr);
	return 2;
}
