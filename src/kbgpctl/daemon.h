/*
 * daemon: kbgpctl's commands that ask a running kbgpd over its control
 * socket (bgp, show, clear, reload, call), and the global options that pick
 * the socket(s) and the output form.
 */
#ifndef KBGP_KBGPCTL_DAEMON_H
#define KBGP_KBGPCTL_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_SOCKETS_MAX 64

struct ctl_target {
	const char *node; /* the name shown for it, or NULL */
	const char *path;
};

struct ctl_opts {
	struct ctl_target targets[CTL_SOCKETS_MAX];
	size_t n_targets;
	const char *manifests; /* --manifests DIR: kbgpctl get, and the agents to ask */
	const char *state;     /* --state DIR, or NULL for DIR/.kbgp-state */
	bool json;             /* structured output: JSON, or YAML with yaml */
	bool yaml;
};

/* -s [NODE=]PATH (repeatable), -o json|yaml|text, --manifests DIR and
 * --state DIR at argv[*i]; 1 when one was taken, 0 when argv[*i] is not
 * one, -1 (printed) when it is malformed. */
int ctl_global_option(struct ctl_opts *o, int argc, char **argv, int *i);
/* No -s: with --manifests, every agent of that directory, as if named with
 * -s NODE=SOCKET in node name order; else the one socket in /run/kbgp, or
 * an error naming the choices. */
int ctl_default_target(struct ctl_opts *o);

int cmd_bgp(const struct ctl_opts *o, int argc, char **argv);
int cmd_show(const struct ctl_opts *o, int argc, char **argv);
int cmd_clear(const struct ctl_opts *o, int argc, char **argv);
int cmd_reload(const struct ctl_opts *o, int argc, char **argv);
int cmd_call(const struct ctl_opts *o, int argc, char **argv);

#endif
