/*
 * daemon: kbgpctl commands backed by the control socket.  Each command
 * turns its words into a request, asks every target, and hands the results
 * to a renderer (ctl/render_*), or prints them as JSON with -o json.
 */
#include "kbgpctl/daemon.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/client.h"

#define RUN_DIR "/run/kbgp"

int ctl_global_option(struct ctl_opts *o, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	if (strcmp(arg, "-s") != 0 && strcmp(arg, "--socket") != 0 && strcmp(arg, "-o") != 0 &&
	    strcmp(arg, "--output") != 0)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "kbgpctl: %s needs a value\n", arg);
		return -1;
	}
	const char *value = argv[++*i];
	if (arg[1] == 'o' || strcmp(arg, "--output") == 0) {
		if (strcmp(value, "json") != 0 && strcmp(value, "text") != 0) {
			fprintf(stderr, "kbgpctl: -o json or -o text, not %s\n", value);
			return -1;
		}
		o->json = strcmp(value, "json") == 0;
		return 1;
	}
	if (o->n_targets == CTL_SOCKETS_MAX) {
		fprintf(stderr, "kbgpctl: at most %d sockets\n", CTL_SOCKETS_MAX);
		return -1;
	}
	struct ctl_target *t = &o->targets[o->n_targets++];
	char *eq = strchr(value, '=');
	t->node = NULL;
	t->path = value;
	if (eq != NULL) {
		*eq = '\0';
		t->node = value;
		t->path = eq + 1;
	}
	return 1;
}

int ctl_default_target(struct ctl_opts *o)
{
	static char found[512];
	size_t n = 0;
	DIR *d = opendir(RUN_DIR);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".sock") == 0 && n++ == 0)
			snprintf(found, sizeof(found), RUN_DIR "/%s", e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (n == 1) {
		o->targets[o->n_targets++] = (struct ctl_target){ NULL, found };
		return 0;
	}
	fprintf(stderr,
	        n == 0 ? "kbgpctl: no kbgpd socket in " RUN_DIR ": is kbgpd running? (-s PATH)\n"
	               : "kbgpctl: several kbgpd sockets in " RUN_DIR ": pick one with -s PATH\n");
	return -1;
}

/* Ask every target; results in an object keyed by node name (the socket
 * path when unnamed), or NULL when any failed (printed). */
static json_t *ask_all(const struct ctl_opts *o, const char *command, json_t *args)
{
	json_t *all = json_object();
	int failed = 0;
	for (size_t i = 0; i < o->n_targets; i++) {
		char err[512];
		const struct ctl_target *t = &o->targets[i];
		json_t *r = ctl_call(t->path, command, args, err, sizeof(err));
		if (r == NULL) {
			fprintf(stderr, "kbgpctl: %s%s%s\n", t->node != NULL ? t->node : "",
			        t->node != NULL ? ": " : "", err);
			failed = 1;
			continue;
		}
		json_object_set_new(all, t->node != NULL ? t->node : t->path, r);
	}
	json_decref(args);
	if (failed) {
		json_decref(all);
		return NULL;
	}
	return all;
}

static int print_json(const struct ctl_opts *o, json_t *all)
{
	json_t *one = o->n_targets == 1 ? json_object_iter_value(json_object_iter(all)) : all;
	json_dumpf(one, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(all);
	return 0;
}

/* Until a view has its renderer, text is the JSON. */
static int show_result(const struct ctl_opts *o, json_t *all)
{
	if (all == NULL)
		return 1;
	return print_json(o, all);
}

int cmd_bgp(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "peers") == 0)
		return show_result(o, ask_all(o, "peers", NULL));
	if (argc >= 2 && strcmp(argv[1], "routes") == 0)
		return show_result(o, ask_all(o, "routes", NULL));
	fprintf(stderr, "usage: kbgpctl bgp peers|routes|route-policies ...\n");
	return 2;
}

int cmd_show(const struct ctl_opts *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	return show_result(o, ask_all(o, "peers", NULL));
}

int cmd_clear(const struct ctl_opts *o, int argc, char **argv)
{
	/* clear bgp NEIGHBOR [soft [in|out]] */
	if (argc < 3 || strcmp(argv[1], "bgp") != 0) {
		fprintf(stderr, "usage: kbgpctl clear bgp NEIGHBOR [soft in|soft out]\n");
		return 2;
	}
	const char *mode = "hard";
	if (argc >= 5 && strcmp(argv[3], "soft") == 0)
		mode = strcmp(argv[4], "in") == 0 ? "soft-in" : "soft-out";
	json_t *all =
	        ask_all(o, "clear", json_pack("{s:s, s:s}", "neighbor", argv[2], "mode", mode));
	json_decref(all);
	return all == NULL;
}

int cmd_reload(const struct ctl_opts *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *all = ask_all(o, "reload", NULL);
	json_decref(all);
	return all == NULL;
}

/* kbgpctl call COMMAND [KEY=VALUE...]: any request, the raw result. */
int cmd_call(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kbgpctl call COMMAND [KEY=VALUE...]\n");
		return 2;
	}
	json_t *args = json_object();
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL) {
			fprintf(stderr, "kbgpctl call: %s is not KEY=VALUE\n", argv[i]);
			json_decref(args);
			return 2;
		}
		*eq = '\0';
		json_object_set_new(args, argv[i], json_string(eq + 1));
	}
	json_t *all = ask_all(o, argv[1], args);
	return all == NULL ? 1 : print_json(o, all);
}
