/*
 * catalog: files of manifests → one store, keeping the last valid version
 * of what a bad edit broke, and merging controllers' overlays (catalog.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/catalog.h"

/* One load of one file; entries decoded from it keep it alive. */
struct cat_set {
	struct manifest_set set;
	unsigned refs;
};

/* What an overlay made of an object; only objects with one have it. */
struct cat_overlaid {
	json_t *overlay; /* what obj was merged with */
	json_t *root;    /* shallow copy of the written root, with the overlay */
	struct manifest_obj mo;
	struct k8s_object obj;
};

/* An object, as written and, when an overlay applies, as merged.  A
 * detached entry (no set, no tree) carries an overlay's status in obj
 * itself instead, and keeps the status it was written with aside. */
struct cat_entry {
	struct cat_set *from;
	const struct manifest_obj *mo;
	struct k8s_object obj;
	struct cat_overlaid *ov;
	json_t *status_overlay; /* detached: the overlay whose status obj carries */
	json_t *written_status; /* detached: the status it was written with */
};

struct cat_file {
	char *path;
	bool overlay;
	struct cat_set *set;
	struct cat_entry **entries;
	size_t n_entries;
	json_t *problems; /* strings */
	json_t *overlays; /* overlay files: identity key → overlay object */
};

struct k8s_catalog {
	struct cat_file **files; /* in path order */
	size_t n_files;
	struct k8s_store store;
	json_t *build_problems;
	bool keep_trees;
};

static void set_unref(struct cat_set *s)
{
	if (s != NULL && --s->refs == 0) {
		manifest_set_free(&s->set);
		free(s);
	}
}

static void entry_drop_overlay(struct cat_entry *e)
{
	if (e->ov == NULL)
		return;
	k8s_object_free(&e->ov->obj);
	json_decref(e->ov->overlay);
	json_decref(e->ov->root);
	free(e->ov);
	e->ov = NULL;
}

static void entry_free(struct cat_entry *e)
{
	entry_drop_overlay(e);
	json_decref(e->status_overlay);
	json_decref(e->written_status);
	k8s_object_free(&e->obj);
	set_unref(e->from);
	free(e);
}

static const struct k8s_object *entry_object(const struct cat_entry *e)
{
	return e->ov != NULL ? &e->ov->obj : &e->obj;
}

/* ---- identities ---- */

/* "KIND\tNS\tNAME" as written: a broken object still has one, so its last
 * valid version can be found. */
static void written_identity(const struct manifest_obj *mo, char *out, size_t cap)
{
	snprintf(out, cap, "%s\t%s\t%s", mo->kind != NULL ? mo->kind : "",
	         mo->ns != NULL ? mo->ns : "", mo->name != NULL ? mo->name : "");
}

/* Kind number, namespace (defaulted) and name: how overlays find objects. */
static void object_key(enum k8s_kind kind, const char *ns, const char *name, char *out, size_t cap)
{
	if (ns == NULL && k8s_kind_namespaced(kind))
		ns = "default";
	snprintf(out, cap, "%d\t%s\t%s", (int)kind, ns != NULL ? ns : "", name);
}

/* ---- files ---- */

static struct cat_file *file_find(const struct k8s_catalog *c, const char *path, size_t *at)
{
	size_t lo = 0, hi = c->n_files;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(c->files[mid]->path, path);
		if (cmp == 0) {
			*at = mid;
			return c->files[mid];
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return NULL;
}

static struct cat_file *file_get(struct k8s_catalog *c, const char *path, bool overlay)
{
	size_t at;
	struct cat_file *f = file_find(c, path, &at);
	if (f != NULL)
		return f;
	struct cat_file **grown = realloc(c->files, (c->n_files + 1) * sizeof(*grown));
	f = calloc(1, sizeof(*f));
	if (grown == NULL || f == NULL) {
		c->files = grown != NULL ? grown : c->files;
		free(f);
		return NULL;
	}
	c->files = grown;
	memmove(&c->files[at + 1], &c->files[at], (c->n_files - at) * sizeof(*grown));
	c->files[at] = f;
	c->n_files++;
	f->path = strdup(path);
	f->overlay = overlay;
	f->problems = json_array();
	f->overlays = json_object();
	return f;
}

static void file_clear(struct cat_file *f)
{
	for (size_t i = 0; i < f->n_entries; i++)
		entry_free(f->entries[i]);
	free(f->entries);
	f->entries = NULL;
	f->n_entries = 0;
	set_unref(f->set);
	f->set = NULL;
	json_array_clear(f->problems);
	json_object_clear(f->overlays);
}

static void file_free(struct cat_file *f)
{
	file_clear(f);
	json_decref(f->problems);
	json_decref(f->overlays);
	free(f->path);
	free(f);
}

static int entries_push(struct cat_entry ***list, size_t *n, struct cat_entry *e)
{
	struct cat_entry **grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	*list = grown;
	grown[(*n)++] = e;
	return 0;
}

static void problem(json_t *list, json_t *also, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void problem(json_t *list, json_t *also, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(text));
	if (also != NULL)
		json_array_append_new(also, json_string(text));
}

/* An overlay file's object: a NodeConfig with a spec (the operator's)
 * stands alone; anything else (statuses, a Node's allocated podCIDRs) is
 * an overlay for the object of the same kind and name. */
static bool overlay_record(struct cat_file *f, const struct manifest_obj *mo)
{
	bool known_group;
	int kind = k8s_kind_of(mo->api_version, mo->kind, &known_group);
	if (kind < 0 || (kind == K8S_BGP_NODE_CONFIG && json_object_get(mo->root, "spec") != NULL))
		return false;
	if (mo->name == NULL)
		return true; /* names nothing: there is nothing to merge it onto */
	char key[512];
	object_key((enum k8s_kind)kind, mo->ns, mo->name, key, sizeof(key));
	json_object_set(f->overlays, key, mo->root);
	return true;
}

static struct cat_entry *decode_entry(struct cat_set *s, const struct manifest_obj *mo, int *rc)
{
	struct cat_entry *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		*rc = -1;
		return NULL;
	}
	*rc = k8s_decode(&s->set, mo, &e->obj);
	if (*rc != 1) {
		free(e);
		return NULL;
	}
	e->from = s;
	e->mo = mo;
	s->refs++;
	return e;
}

/* As written: a detached entry's object kept its own copies. */
static void entry_identity(const struct cat_entry *e, char *out, size_t cap)
{
	if (e->mo != NULL) {
		written_identity(e->mo, out, cap);
		return;
	}
	snprintf(out, cap, "%s\t%s\t%s", k8s_kind_name(e->obj.kind),
	         e->obj.meta.ns != NULL ? e->obj.meta.ns : "", e->obj.meta.name);
}

static const char *entry_kind(const struct cat_entry *e)
{
	return e->mo != NULL ? e->mo->kind : k8s_kind_name(e->obj.kind);
}

static bool yields(struct cat_entry *const *list, size_t n, const char *identity)
{
	char other[512];
	for (size_t i = 0; i < n; i++) {
		entry_identity(list[i], other, sizeof(other));
		if (strcmp(other, identity) == 0)
			return true;
	}
	return false;
}

/* The file has errors: what it held and no longer yields stays. */
static void keep_last_valid(struct cat_file *f, struct cat_entry **old, size_t n_old,
                            json_t *problems)
{
	char identity[512];
	for (size_t i = 0; i < n_old; i++) {
		if (old[i] == NULL)
			continue;
		entry_identity(old[i], identity, sizeof(identity));
		if (yields(f->entries, f->n_entries, identity))
			continue;
		if (entries_push(&f->entries, &f->n_entries, old[i]) < 0)
			continue;
		problem(f->problems, problems,
		        "%s: %s/%s: kept as it was before this edit, until the errors above are "
		        "fixed",
		        f->path, entry_kind(old[i]), old[i]->obj.meta.name);
		old[i] = NULL;
	}
}

/* A clean file's EndpointSlices and Services keep copies of what they
 * need, and when the whole file is such, its trees and positions go (they
 * are most of an agent's memory otherwise). */
static bool detach_what_can_go(struct cat_file *f)
{
	size_t detached = 0;
	for (size_t i = 0; i < f->n_entries; i++)
		if (k8s_object_detach(&f->entries[i]->obj) == 0)
			detached++;
	if (f->overlay || detached != f->n_entries || json_object_size(f->overlays) > 0)
		return false;
	for (size_t i = 0; i < f->n_entries; i++) {
		struct cat_entry *e = f->entries[i];
		set_unref(e->from);
		e->from = NULL;
		e->mo = NULL;
		e->written_status = json_incref((json_t *)e->obj.status);
	}
	return true;
}

size_t k8s_catalog_put(struct k8s_catalog *c, const char *path, bool overlay, const char *text,
                       size_t len, json_t *problems)
{
	struct cat_file *f = file_get(c, path, overlay);
	struct cat_set *s = calloc(1, sizeof(*s));
	if (f == NULL || s == NULL) {
		free(s);
		return 1;
	}
	manifest_set_init(&s->set, NULL);
	s->refs = 1;
	manifest_load(&s->set, path, text, len);

	struct cat_entry **old = f->entries;
	size_t n_old = f->n_entries;
	f->entries = NULL;
	f->n_entries = 0;
	json_array_clear(f->problems);
	json_object_clear(f->overlays);
	for (size_t i = 0; i < s->set.n_objs; i++) {
		const struct manifest_obj *mo = &s->set.objs[i];
		int rc;
		if (overlay && overlay_record(f, mo))
			continue;
		struct cat_entry *e = decode_entry(s, mo, &rc);
		if (e != NULL && entries_push(&f->entries, &f->n_entries, e) < 0)
			entry_free(e);
	}
	for (size_t i = 0; i < s->set.n_errors; i++)
		problem(f->problems, problems, "%s", s->set.errors[i].text);
	if (s->set.errors_dropped > 0)
		problem(f->problems, problems, "%s: %zu more errors not shown", path,
		        s->set.errors_dropped);
	bool standalone = false;
	if (s->set.n_errors > 0)
		keep_last_valid(f, old, n_old, problems);
	else if (!c->keep_trees)
		standalone = detach_what_can_go(f);
	for (size_t i = 0; i < n_old; i++)
		if (old[i] != NULL)
			entry_free(old[i]);
	free(old);
	set_unref(f->set);
	f->set = NULL;
	if (standalone)
		set_unref(s); /* its entries let go of it: nothing is left to need it */
	else
		f->set = s;
	return json_array_size(f->problems);
}

void k8s_catalog_remove(struct k8s_catalog *c, const char *path)
{
	size_t at;
	struct cat_file *f = file_find(c, path, &at);
	if (f == NULL)
		return;
	file_free(f);
	memmove(&c->files[at], &c->files[at + 1], (c->n_files - at - 1) * sizeof(c->files[0]));
	c->n_files--;
}

bool k8s_catalog_has(const struct k8s_catalog *c, const char *path)
{
	size_t at;
	return file_find(c, path, &at) != NULL;
}

/* ---- building the store ---- */

/* Controllers fill spec fields the user left unset (a Node's podCIDRs)
 * and own the status. */
static json_t *merged_root(const json_t *root, const json_t *overlay)
{
	json_t *copy = json_copy((json_t *)root);
	json_t *status = json_object_get(overlay, "status");
	json_t *spec_fill = json_object_get(overlay, "spec");
	if (status != NULL)
		json_object_set(copy, "status", status);
	if (json_is_object(spec_fill)) {
		json_t *spec = json_object_get(root, "spec");
		json_t *spec_copy = json_is_object(spec) ? json_copy(spec) : json_object();
		const char *key;
		json_t *value;
		json_object_foreach(spec_fill, key,
		                    value) if (json_object_get(spec_copy, key) == NULL)
		        json_object_set(spec_copy, key, value);
		json_object_set_new(copy, "spec", spec_copy);
	}
	return copy;
}

/* A detached entry has no tree to merge an overlay into; for the kinds
 * that detach an overlay only carries a status, which replaces its own. */
static void entry_apply_status(struct cat_entry *e, json_t *overlay, json_t *problems)
{
	if (overlay == e->status_overlay || (overlay != NULL && e->status_overlay != NULL &&
	                                     json_equal(overlay, e->status_overlay)))
		return;
	json_t *status = overlay != NULL ? json_object_get(overlay, "status") : e->written_status;
	if (k8s_object_set_status(&e->obj, status) < 0) {
		problem(problems, NULL,
		        "%s/%s: the status written for it is not valid; using it without",
		        k8s_kind_name(e->obj.kind), e->obj.meta.name);
		return;
	}
	json_decref(e->status_overlay);
	e->status_overlay = json_incref(overlay);
}

static void entry_apply_overlay(struct cat_entry *e, json_t *overlay, json_t *problems)
{
	if (e->mo == NULL) {
		entry_apply_status(e, overlay, problems);
		return;
	}
	if (overlay == NULL) {
		entry_drop_overlay(e);
		return;
	}
	if (e->ov != NULL && json_equal(e->ov->overlay, overlay))
		return;
	entry_drop_overlay(e);
	struct cat_overlaid *ov = calloc(1, sizeof(*ov));
	if (ov == NULL)
		return;
	ov->root = merged_root(e->mo->root, overlay);
	ov->mo = *e->mo;
	ov->mo.root = ov->root;
	if (k8s_decode(&e->from->set, &ov->mo, &ov->obj) != 1) {
		json_decref(ov->root);
		free(ov);
		problem(problems, NULL,
		        "%s/%s: the status written for it is not valid; using it "
		        "without",
		        e->mo->kind, e->obj.meta.name);
		return;
	}
	ov->overlay = json_incref(overlay);
	e->ov = ov;
}

static json_t *collect_overlays(const struct k8s_catalog *c)
{
	json_t *all = json_object();
	for (size_t i = 0; i < c->n_files; i++)
		json_object_update(all, c->files[i]->overlays);
	return all;
}

struct ranked {
	const struct k8s_object *obj;
	size_t seq;
};

static int text_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	int c = (int)a->obj->kind - (int)b->obj->kind;
	if (c == 0)
		c = text_cmp(a->obj->meta.ns, b->obj->meta.ns);
	if (c == 0)
		c = text_cmp(a->obj->meta.name, b->obj->meta.name);
	return c != 0 ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static bool same_identity(const struct k8s_object *a, const struct k8s_object *b)
{
	return a->kind == b->kind && text_cmp(a->meta.ns, b->meta.ns) == 0 &&
	       text_cmp(a->meta.name, b->meta.name) == 0;
}

static size_t count_entries(const struct k8s_catalog *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_files; i++)
		n += c->files[i]->n_entries;
	return n;
}

void k8s_catalog_build(struct k8s_catalog *c, json_t *problems)
{
	json_t *overlays = collect_overlays(c);
	struct ranked *all = calloc(count_entries(c) + 1, sizeof(*all));
	size_t n = 0;

	json_array_clear(c->build_problems);
	for (size_t i = 0; i < c->n_files; i++)
		for (size_t k = 0; k < c->files[i]->n_entries; k++) {
			struct cat_entry *e = c->files[i]->entries[k];
			char key[512];
			object_key(e->obj.kind, e->obj.meta.ns, e->obj.meta.name, key, sizeof(key));
			entry_apply_overlay(e, json_object_get(overlays, key), c->build_problems);
			if (all != NULL)
				all[n] = (struct ranked){ entry_object(e), n };
			n++;
		}
	json_decref(overlays);
	k8s_store_clear(&c->store);
	if (all == NULL)
		return;
	qsort(all, n, sizeof(*all), ranked_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && same_identity(all[i - 1].obj, all[i].obj)) {
			const struct k8s_object *first = all[i - 1].obj, *o = all[i].obj;
			problem(c->build_problems, NULL,
			        "%s:%u: %s/%s: also defined at %s:%u, which wins; ignored",
			        o->meta.file, o->meta.line, k8s_kind_name(o->kind), o->meta.name,
			        first->meta.file, first->meta.line);
			all[i].obj = first;
			continue;
		}
		k8s_store_add(&c->store, all[i].obj);
	}
	free(all);
	size_t i;
	json_t *p;
	json_array_foreach(c->build_problems, i, p) if (problems != NULL)
	        json_array_append(problems, p);
}

const struct k8s_store *k8s_catalog_store(const struct k8s_catalog *c)
{
	return &c->store;
}

json_t *k8s_catalog_problems(const struct k8s_catalog *c)
{
	json_t *all = json_array();
	for (size_t i = 0; i < c->n_files; i++)
		json_array_extend(all, c->files[i]->problems);
	json_array_extend(all, c->build_problems);
	return all;
}

struct k8s_catalog *k8s_catalog_new(bool keep_trees)
{
	struct k8s_catalog *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->keep_trees = keep_trees;
	k8s_store_init(&c->store);
	c->build_problems = json_array();
	return c;
}

void k8s_catalog_free(struct k8s_catalog *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_files; i++)
		file_free(c->files[i]);
	free(c->files);
	k8s_store_free(&c->store);
	json_decref(c->build_problems);
	free(c);
}
