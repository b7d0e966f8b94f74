/*
 * local: kbgpctl's view of a manifests directory, with no cluster and no
 * daemon to ask: its objects as the operator and the agents see them (the
 * user's files, with what they wrote into the state directory merged on,
 * through the catalog), `kbgpctl get` over them, and the control sockets
 * the agents of that directory announce in their NodeConfig status.
 */
#ifndef KBGP_KBGPCTL_LOCAL_H
#define KBGP_KBGPCTL_LOCAL_H

#include <stddef.h>
#include <stdio.h>

#include "k8s/catalog.h"
#include "kbgpctl/daemon.h"

/* The state directory: state, or DIR/.kbgp-state as kbgpd defaults it. */
void local_state_dir(const char *manifests, const char *state, char *out, size_t cap);

/* Every *.yaml, *.yml and *.json file of dir as manifests, and of
 * state/operator and state/agents as overlays (either may be missing),
 * built into one store.  Problems are printed to err as warnings; NULL
 * (printed) when dir cannot be read. */
struct k8s_catalog *local_load(const char *dir, const char *state, FILE *err);

struct local_agent {
	char node[254];   /* a DNS subdomain */
	char socket[108]; /* a unix socket path (sun_path) */
};

/* The agents whose state/agents/<node>.json names their control socket:
 * how many there are; when that is at most cap, out holds them all, in
 * node name order. */
size_t local_agents(const char *state, struct local_agent *out, size_t cap);

/* kbgpctl get RESOURCE [NAME] [-n NAMESPACE | -A], as kubectl get. */
int cmd_get(const struct ctl_opts *o, int argc, char **argv);

#endif
