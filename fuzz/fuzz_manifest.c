/*
 * fuzz_manifest: the same bytes as a YAML stream and as JSON text, then the
 * typed getters and k8s_decode() over every object found.  Every object
 * read from YAML, written out as JSON by jansson, must load back from JSON
 * as an equal object: the two front ends build one kind of tree.
 */
#include <string.h>

#include "fuzz.h"
#include "k8s/manifest.h"
#include "k8s/objects.h"

/* Small caps keep each input fast; the caps themselves are what is tested. */
static const struct manifest_limits limits = {
	.max_nodes = 20000,
	.max_depth = 64,
	.max_aliases = 64,
	.max_errors = 20,
};

static const char *const root_keys[] = { "apiVersion", "kind", "metadata", "spec", "status", NULL };
static const char *const spec_keys[] = { "localASN",   "routerID", "networks",
	                                 "peerGroups", "timers",   NULL };
static const char *const afis[] = { "ipv4", "ipv6", NULL };

static void decode_group(struct manifest_ctx *c)
{
	union sockaddr_any ip;
	const char *name;
	unsigned afi;
	uint32_t hold;

	manifest_get_string(c, "name", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &name);
	manifest_get_enum(c, "afi", 0, afis, &afi);
	manifest_get_ip(c, "neighbors[0]", 0, &ip);
	if (manifest_get_u32(c, "timers.holdTimeSeconds", 0, 0, 65535, &hold) == 1 && hold != 0 &&
	    hold < 3)
		manifest_errorf(c, "timers.holdTimeSeconds", "must be 0 or 3..65535");
	manifest_check_keys(c, spec_keys);
}

/* What a typed decoder does, on whatever the input holds. */
static void decode(struct manifest_set *set, const struct manifest_obj *obj)
{
	const char *nets[4];
	const json_t *labels;
	struct bgp_prefix p;
	struct manifest_ctx c;
	uint32_t asn;
	bool on;
	size_t n;

	manifest_ctx_init(&c, set, obj);
	manifest_check_keys(&c, root_keys);
	manifest_get_string_map(&c, "metadata.labels", 0, &labels);
	if (manifest_enter(&c, 0, "spec")) {
		manifest_check_keys(&c, spec_keys);
		manifest_get_u32(&c, "localASN", MANIFEST_REQUIRED, 1, UINT32_MAX, &asn);
		manifest_get_bool(&c, "gracefulRestart.enabled", 0, &on);
		manifest_get_strings(&c, "networks", 0, nets, 4, &n);
		manifest_get_prefix(&c, "networks[0]", 0, &p);
		if (manifest_get_list(&c, "peerGroups", 0, &n) == 1) {
			for (size_t i = 0; i < n && i < 8; i++) {
				if (!manifest_enter(&c, 0, "peerGroups[%zu]", i))
					continue;
				decode_group(&c);
				manifest_leave(&c);
			}
		}
		manifest_leave(&c);
	}
	FUZZ_CHECK(c.depth == 0 && c.path[0] == '\0');
}

/* The real decoders: an object is refused exactly when errors were
 * reported (counted before the set folds repeats into one line), and
 * whatever was decoded frees cleanly. */
static void check_decode(struct manifest_set *set, const struct manifest_obj *obj)
{
	size_t before = set->reported;
	struct k8s_object o;
	int r = k8s_decode(set, obj, &o);

	FUZZ_CHECK(r >= -1 && r <= 1);
	FUZZ_CHECK((r < 0) == (set->reported > before));
	if (r == 1)
		k8s_object_free(&o);
}

/* The YAML object, as JSON, loads back equal. */
static void check_json_twin(const struct manifest_obj *obj)
{
	struct manifest_set twin;
	char *text;

	/* A List inside a List is flattened once more when read back. */
	if (strcmp(obj->kind, "List") == 0)
		return;
	text = json_dumps(obj->root, JSON_COMPACT);
	FUZZ_CHECK(text != NULL);
	manifest_set_init(&twin, &limits);
	FUZZ_CHECK(manifest_load_json(&twin, "twin.json", text, strlen(text)) == 0);
	FUZZ_CHECK(twin.n_objs == 1);
	FUZZ_CHECK(json_equal(twin.objs[0].root, obj->root));
	manifest_set_free(&twin);
	free(text);
}

static void check_set(struct manifest_set *set, const char *file)
{
	for (size_t i = 0; i < set->n_objs; i++) {
		const struct manifest_obj *o = &set->objs[i];
		FUZZ_CHECK(o->api_version != NULL && o->api_version[0] != '\0');
		FUZZ_CHECK(o->kind != NULL && o->kind[0] != '\0');
		FUZZ_CHECK(json_is_object(o->root));
	}
	for (size_t i = 0; i < set->n_objs; i++) {
		decode(set, &set->objs[i]);
		check_decode(set, &set->objs[i]);
	}
	FUZZ_CHECK(set->n_errors <= limits.max_errors);
	for (size_t i = 0; i < set->n_errors; i++)
		FUZZ_CHECK(strncmp(set->errors[i].text, file, strlen(file)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct manifest_set set;

	manifest_set_init(&set, &limits);
	manifest_load_yaml(&set, "in.yaml", text, size);
	for (size_t i = 0; i < set.n_objs; i++)
		check_json_twin(&set.objs[i]);
	check_set(&set, "in.yaml");
	manifest_set_free(&set);

	manifest_set_init(&set, &limits);
	manifest_load_json(&set, "in.json", text, size);
	check_set(&set, "in.json");
	manifest_set_free(&set);
	return 0;
}
