/*
 * manifest: Kubernetes-style objects from YAML or JSON bytes, the line and
 * column of every value in them, and the typed getters decoders read them
 * with.
 *
 * A YAML stream of "---"-separated documents, or JSON text (one object, a
 * `kind: List`, or objects one after another), becomes a manifest_set: one
 * jansson object per Kubernetes object.  YAML and JSON meet in the same
 * json_t trees, so a typed decoder is written once and serves files,
 * `kubectl get -o yaml|json` output and objects from the API server alike.
 * Decoders never walk json_t by hand: they enter mappings and call getters
 * with field paths, and every problem becomes one line
 *
 *     FILE:LINE:COL: KIND/NAME: FIELD.PATH: message
 *
 * in the set's error list, so one run reports every problem in a file.
 *
 * YAML scalars are typed the way `kubectl apply` types them (sigs.k8s.io/yaml,
 * i.e. go-yaml v2, YAML 1.1 flavoured), or refused where following it would
 * be surprising; a value never silently differs from what kubectl sends:
 *
 *   - Quoted ('x', "x") and block (|, >) scalars are strings: "No", "65000".
 *   - Plain null, Null, NULL, ~ and the empty scalar are null.  A null field
 *     counts as absent, as in Kubernetes.
 *   - Plain booleans are YAML 1.1's: true/True/TRUE, false/False/FALSE,
 *     yes/Yes/YES, no/No/NO, on/On/ON, off/Off/OFF, y/Y, n/N.  So unquoted
 *     `allowFirstLastIPs: No` is the boolean false, and a string getter says
 *     so and suggests quoting.
 *   - Plain integers are decimal ([-+]?(0|[1-9][0-9]*)) or hex (0x1F);
 *     beyond the int64 range they are an error, never a wrap or a float.
 *   - Plain decimal floats (1.5, .5, 1e3, -2.5E-3) are JSON reals; a real is
 *     not an integer to the integer getters.  .inf and .nan are errors (JSON
 *     cannot carry them).
 *   - Numbers kubectl reads in a way people rarely mean are errors: leading
 *     zeros (010 is octal 8 there), 0o17, 0b101 and digits with underscores
 *     (1_000).  Write them in decimal, or quote them to keep the text.
 *   - Everything else plain is a string.  Unlike kubectl, timestamps stay as
 *     written (kubectl turns a plain 2001-12-14 into "2001-12-14T00:00:00Z").
 *   - Tags: !!str and ! make a string; !!int, !!float, !!bool and !!null
 *     apply the rules above to the text (quoted or not) and fail if it does
 *     not fit; !!map and !!seq are accepted on the matching collection; any
 *     other tag is an error.
 *   - Mapping keys are always the key's text: `on:` is the key "on" (kubectl
 *     would make it "true").  Keys must be scalars; duplicate keys are errors
 *     naming both places.  Merge keys (<<: *base, or a list of aliases) work
 *     as in YAML 1.1: keys written in the mapping win, then earlier sources.
 *   - Anchors and aliases work; an alias is expanded into a copy, and the
 *     limits below count the copies, which stops "billion laughs".
 *   - A document whose top level is not a mapping is an error; empty and
 *     null documents are skipped.  A `kind: List` with `items` (in YAML or
 *     JSON) is replaced by its items.
 *
 * Text that starts with '{' is JSON to manifest_load(), as it is to kubectl.
 *
 * Positions: a table in the set, keyed by json_t pointer, holds where each
 * value starts and, for mapping members, where its key starts; nothing is
 * added to the objects.  jansson shares one json_t for every null, true and
 * false, so those are found through their parent: manifest_member_pos() and
 * manifest_item_pos() work for every value, manifest_pos() for every value
 * but those three.  JSON text has positions only for the start of each
 * object (jansson keeps none per value); errors inside a JSON object then
 * point at the object's first line.  Objects given with manifest_add_json()
 * have no positions at all.
 */
#ifndef KBGP_K8S_MANIFEST_H
#define KBGP_K8S_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "bgp/nlri.h"
#include "lib/addr.h"

/* Caps on what one load may build.  A zero field means the default. */
struct manifest_limits {
	size_t max_bytes;     /* input size: 16 MiB */
	size_t max_nodes;     /* values in one input, aliases expanded: 1,000,000 */
	unsigned max_depth;   /* nested mappings and lists: 64 */
	unsigned max_aliases; /* aliases in one input, anchors in one document: 1024 */
	unsigned max_errors;  /* errors kept in a set; later ones are only counted: 100 */
};

extern const struct manifest_limits manifest_default_limits;

struct manifest_error {
	const char *file;
	unsigned line, col; /* 1-based; 0 when unknown */
	char *text;         /* the whole line, without a newline */
};

struct manifest_obj {
	const char *file;
	unsigned doc;       /* 0-based document (YAML) or value (JSON) in the file */
	int item;           /* index in a `kind: List`, or -1 */
	unsigned line, col; /* where the object starts; 0 when unknown */
	const char *api_version;
	const char *kind;
	const char *name; /* metadata.name; NULL when absent */
	const char *ns;   /* metadata.namespace; NULL when absent */
	json_t *root;
};

struct manifest_posent;
struct manifest_name;

/* Objects and errors from any number of loads.  The set owns every json_t
 * it built, and keeps them until manifest_set_free(), so pointers into
 * objects stay valid; the objs array itself may move on the next load. */
struct manifest_set {
	struct manifest_obj *objs;
	size_t n_objs;
	struct manifest_error *errors;
	size_t n_errors;
	size_t errors_dropped; /* beyond limits.max_errors */
	struct manifest_limits limits;

	/* private */
	size_t objs_cap, errors_cap;
	size_t reported; /* errors reported, kept or not */
	json_t *keep;    /* every tree built, documents that failed included */
	struct manifest_posent *pos;
	size_t pos_cap, pos_len;
	struct manifest_name *names;
};

/* limits may be NULL for the defaults. */
void manifest_set_init(struct manifest_set *set, const struct manifest_limits *limits);
void manifest_set_free(struct manifest_set *set);

/* Each load adds the objects it finds to the set and reports problems to
 * its error list; 0 if there were none, else -1.  A document with an error
 * adds no object; the other documents still do, except after a syntax
 * error or a limit, which end the load.  file names the input in errors. */
int manifest_load_yaml(struct manifest_set *set, const char *file, const char *text, size_t len);
int manifest_load_json(struct manifest_set *set, const char *file, const char *text, size_t len);
/* JSON when the first character that is not white space is '{'. */
int manifest_load(struct manifest_set *set, const char *file, const char *text, size_t len);
/* Add an object decoded elsewhere (the API server's); takes the reference. */
int manifest_add_json(struct manifest_set *set, const char *source, json_t *root);

void manifest_errors_print(const struct manifest_set *set, FILE *out);

/* Where a value starts: false when unknown.  manifest_pos() cannot place
 * null, true and false (see above); the others can place any value. */
bool manifest_pos(const struct manifest_set *set, const json_t *node, unsigned *line,
                  unsigned *col);
bool manifest_member_pos(const struct manifest_set *set, const json_t *obj, const char *key,
                         unsigned *line, unsigned *col);
bool manifest_key_pos(const struct manifest_set *set, const json_t *obj, const char *key,
                      unsigned *line, unsigned *col);
bool manifest_item_pos(const struct manifest_set *set, const json_t *list, size_t index,
                       unsigned *line, unsigned *col);

/*
 * Typed decoding.  A context walks one object: manifest_enter() descends
 * into a mapping, manifest_leave() comes back, and getters read fields by
 * paths relative to where the context stands ("localASN",
 * "timers.holdTimeSeconds", "peers[2].name"; "" is the mapping itself).
 *
 * Getters return 1 with *out set, 0 when the field is absent or null (*out
 * untouched, so preset defaults survive), and -1 when they recorded an
 * error: missing but MANIFEST_REQUIRED, wrong type, out of range.  They
 * never stop at the first problem; check ctx.errors at the end.
 */
#define MANIFEST_REQUIRED 0x1u /* absent is an error */
#define MANIFEST_NONEMPTY 0x2u /* an empty string, list or mapping is an error */

#define MANIFEST_PATH_MAX  256
#define MANIFEST_CTX_DEPTH 32

struct manifest_ctx {
	struct manifest_set *set;
	const struct manifest_obj *obj;
	size_t errors; /* errors reported through this context */
	unsigned depth;
	struct manifest_level {
		const json_t *node;
		size_t path_len;
		unsigned line, col; /* its position, or its nearest known ancestor's */
	} level[MANIFEST_CTX_DEPTH];
	char path[MANIFEST_PATH_MAX];
};

void manifest_ctx_init(struct manifest_ctx *ctx, struct manifest_set *set,
                       const struct manifest_obj *obj);
/* true when the field exists and is a mapping: the context now stands there
 * until manifest_leave().  Otherwise nothing changed (absent, or an error was
 * recorded). */
bool manifest_enter(struct manifest_ctx *ctx, unsigned flags, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void manifest_leave(struct manifest_ctx *ctx);

int manifest_get_int(struct manifest_ctx *ctx, const char *path, unsigned flags, int64_t min,
                     int64_t max, int64_t *out);
int manifest_get_u32(struct manifest_ctx *ctx, const char *path, unsigned flags, uint32_t min,
                     uint32_t max, uint32_t *out);
int manifest_get_bool(struct manifest_ctx *ctx, const char *path, unsigned flags, bool *out);
/* The string lives as long as the set. */
int manifest_get_string(struct manifest_ctx *ctx, const char *path, unsigned flags,
                        const char **out);
/* names is NULL-terminated; *out is the index of the match. */
int manifest_get_enum(struct manifest_ctx *ctx, const char *path, unsigned flags,
                      const char *const *names, unsigned *out);
/* "172.31.1.200" or "fd00::1"; the port is 0. */
int manifest_get_ip(struct manifest_ctx *ctx, const char *path, unsigned flags,
                    union sockaddr_any *out);
/* "10.1.0.0/16" or "fd00::/64"; host bits must be zero. */
int manifest_get_prefix(struct manifest_ctx *ctx, const char *path, unsigned flags,
                        struct bgp_prefix *out);
/* A list of at most cap strings; *n is 0 unless 1 is returned. */
int manifest_get_strings(struct manifest_ctx *ctx, const char *path, unsigned flags,
                         const char **out, size_t cap, size_t *n);
/* A list of anything; enter its items with manifest_enter(ctx, 0, "x[%zu]", i). */
int manifest_get_list(struct manifest_ctx *ctx, const char *path, unsigned flags, size_t *n);
/* A mapping whose values are all strings (labels, matchLabels). */
int manifest_get_string_map(struct manifest_ctx *ctx, const char *path, unsigned flags,
                            const json_t **out);
/* Any value, unchecked. */
int manifest_get_node(struct manifest_ctx *ctx, const char *path, unsigned flags,
                      const json_t **out);

/* Strict decoding: report every key of the current mapping that is not in
 * the NULL-terminated known list, at the key's position; returns how many. */
size_t manifest_check_keys(struct manifest_ctx *ctx, const char *const *known);
/* Record a decoder's own error for the field at path (or near it, when it
 * is absent): "must be 0 or 3..65535". */
void manifest_errorf(struct manifest_ctx *ctx, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
