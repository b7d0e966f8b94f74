/*
 * k8s_fixture: manifests to decoded, indexed objects for unit tests, and
 * golden cases compared with their expected files (see k8s_fixture.h).
 * Loading rebuilds the store, since decoding more objects may move the
 * array it points into.
 */
#include "k8s_fixture.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testlib.h"

void k8s_world_init(struct k8s_world *w)
{
	memset(w, 0, sizeof(*w));
	manifest_set_init(&w->set, NULL);
	k8s_store_init(&w->store);
}

void k8s_world_free(struct k8s_world *w)
{
	for (size_t i = 0; i < w->n_objs; i++)
		k8s_object_free(&w->objs[i]);
	free(w->objs);
	k8s_store_free(&w->store);
	manifest_set_free(&w->set);
	memset(w, 0, sizeof(*w));
}

static void rebuild_store(struct k8s_world *w)
{
	k8s_store_clear(&w->store);
	for (size_t i = 0; i < w->n_objs; i++)
		assert_int_equal(k8s_store_add(&w->store, &w->objs[i]), 0);
}

static struct k8s_object *next_slot(struct k8s_world *w)
{
	if (w->n_objs == w->cap_objs) {
		w->cap_objs = w->cap_objs > 0 ? 2 * w->cap_objs : 16;
		w->objs = realloc(w->objs, w->cap_objs * sizeof(*w->objs));
		assert_non_null(w->objs);
	}
	return &w->objs[w->n_objs];
}

size_t k8s_world_load(struct k8s_world *w, const char *file, const char *text)
{
	size_t first = w->set.n_objs, refused = 0;

	manifest_load(&w->set, file, text, strlen(text));
	for (size_t i = first; i < w->set.n_objs; i++) {
		int r = k8s_decode(&w->set, &w->set.objs[i], next_slot(w));
		if (r == 1)
			w->n_objs++;
		else if (r < 0)
			refused++;
	}
	w->refused += refused;
	rebuild_store(w);
	return refused;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n >= k && strcmp(name + n - k, suffix) == 0;
}

static int manifest_file(const struct dirent *e)
{
	return has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".yml") ||
	       has_suffix(e->d_name, ".json");
}

static int yaml_file(const struct dirent *e)
{
	return has_suffix(e->d_name, ".yaml");
}

/* Every file of dir that filter accepts, in name order. */
static size_t load_files(struct k8s_world *w, const char *dir, int (*filter)(const struct dirent *))
{
	struct dirent **names;
	size_t refused = 0;
	int n = scandir(dir, &names, filter, alphasort);

	if (n < 0)
		fail_msg("%s: cannot list", dir);
	for (int i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		char *text = tl_read_file(path, NULL);
		if (text == NULL)
			fail_msg("%s: cannot read", path);
		refused += k8s_world_load(w, path, text);
		free(text);
		free(names[i]);
	}
	free(names);
	return refused;
}

size_t k8s_world_load_dir(struct k8s_world *w, const char *dir)
{
	return load_files(w, dir, manifest_file);
}

size_t k8s_world_load_yaml_files(struct k8s_world *w, const char *dir)
{
	return load_files(w, dir, yaml_file);
}

char *k8s_world_errors(const struct k8s_world *w)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < w->set.n_errors; i++)
		len += strlen(w->set.errors[i].text) + 1;
	out = malloc(len);
	assert_non_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < w->set.n_errors; i++) {
		strcat(out, w->set.errors[i].text);
		strcat(out, "\n");
	}
	return out;
}

void k8s_world_assert_clean(const struct k8s_world *w, const char *what)
{
	if (w->refused == 0 && w->set.n_errors == 0)
		return;
	char *errors = k8s_world_errors(w);
	print_error("%s refused:\n%s", what, errors);
	free(errors);
	fail();
}

void k8s_world_load_clean(struct k8s_world *w, const char *file, const char *text)
{
	k8s_world_load(w, file, text);
	k8s_world_assert_clean(w, file);
}

/* ---- golden cases ---- */

#define GOLDEN_FLAGS (JSON_SORT_KEYS | JSON_INDENT(2))

/* Files k8s_golden_check() found different inside k8s_golden_cases(), which
 * fails once all cases ran.  A case that fails otherwise leaves active set,
 * but then its test, and so the binary, has failed already. */
static struct {
	bool active;
	int differ;
} golden;

static bool golden_update(void)
{
	const char *update = getenv("KBGP_GOLDEN_UPDATE");
	return update != NULL && strcmp(update, "1") == 0;
}

/* The canonical text of a golden file: sorted keys, two-space indent, and
 * a final newline. */
static char *golden_text(const json_t *j)
{
	char *text = json_dumps(j, GOLDEN_FLAGS);
	assert_non_null(text);
	size_t len = strlen(text);
	char *line = realloc(text, len + 2);
	assert_non_null(line);
	strcpy(line + len, "\n");
	return line;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		fail_msg("%s: cannot write", path);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int line_len(const char *s)
{
	return (int)strcspn(s, "\n");
}

/* Where want and got part: the line number and both versions of it. */
static void print_first_difference(const char *path, const char *want, const char *got)
{
	size_t at = 0, line = 1;
	while (want[at] != '\0' && want[at] == got[at])
		line += want[at++] == '\n';
	while (at > 0 && want[at - 1] != '\n')
		at--;
	print_error("%s differs from line %zu:\n  want: %.*s\n  got:  %.*s\n", path, line,
	            line_len(want + at), want + at, line_len(got + at), got + at);
}

static void golden_differs(const char *path, const char *want, const char *got)
{
	if (want == NULL)
		print_error("%s missing\n", path);
	else
		print_first_difference(path, want, got);
	print_error("got, in full:\n%s(KBGP_GOLDEN_UPDATE=1 rewrites %s; review the diff)\n", got,
	            path);
	if (!golden.active)
		fail();
	golden.differ++;
}

void k8s_golden_check(const char *case_dir, const char *file, const json_t *got)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", case_dir, file);
	char *text = golden_text(got);
	if (golden_update()) {
		write_file(path, text);
	} else {
		char *want = tl_read_file(path, NULL);
		if (want == NULL || strcmp(want, text) != 0)
			golden_differs(path, want, text);
		free(want);
	}
	free(text);
}

void k8s_golden_load(struct k8s_world *w, const char *case_dir)
{
	k8s_world_load_yaml_files(w, case_dir);
	k8s_world_assert_clean(w, case_dir);
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

/* run() for each subdirectory of dir; returns how many there were. */
static int run_cases(const char *dir, k8s_golden_run *run, void *ctx)
{
	struct dirent **names;
	int n = scandir(dir, &names, not_hidden, alphasort), cases = 0;

	if (n < 0)
		fail_msg("%s: cannot list", dir);
	for (int i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (is_dir(path)) {
			print_message("%s case %s\n", base_name(dir), names[i]->d_name);
			run(path, ctx);
			cases++;
		}
		free(names[i]);
	}
	free(names);
	return cases;
}

void k8s_golden_cases(const char *dir, k8s_golden_run *run, void *ctx)
{
	golden.active = true;
	golden.differ = 0;
	int cases = run_cases(dir, run, ctx);
	golden.active = false;
	if (cases == 0)
		fail_msg("%s: no golden cases", dir);
	if (golden.differ > 0)
		fail_msg("%s: %d golden file(s) of its %d cases differ", dir, golden.differ, cases);
}

void k8s_assert_json_equal(const json_t *got, const json_t *want)
{
	if (json_equal(got, want))
		return;
	char *g = golden_text(got), *w = golden_text(want);
	print_error("got:\n%swant:\n%s", g, w);
	free(g);
	free(w);
	fail();
}
