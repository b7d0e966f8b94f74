/*
 * source_dir: directories of manifests, watched with inotify, read into a
 * catalog (source_dir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8s/catalog.h"
#include "k8s/source_dir.h"
#include "lib/log.h"

/* Writes come in bursts (an editor's save, the operator's several files):
 * one rebuild after the burst. */
#define SETTLE_MS 5
#define FILE_MAX  (16u << 20)

struct known_file {
	char *path;
	bool overlay, seen;
	struct stat st;
};

struct source_dir {
	struct loop *loop;
	struct source_dir_cfg cfg;
	int inotify_fd;
	struct loop_io io;
	struct loop_timer settle;
	bool settling;
	struct k8s_catalog *catalog;
	struct known_file *files;
	size_t n_files, cap_files;
};

static bool manifest_name(const char *name)
{
	size_t len = strlen(name);
	if (name[0] == '.')
		return false;
	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0) ||
	       (len > 5 && strcmp(name + len - 5, ".json") == 0);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static struct known_file *known(struct source_dir *s, const char *path)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	if (s->n_files == s->cap_files) {
		size_t cap = s->cap_files != 0 ? s->cap_files * 2 : 16;
		struct known_file *grown = realloc(s->files, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		s->files = grown;
		s->cap_files = cap;
	}
	struct known_file *f = &s->files[s->n_files++];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	return f;
}

static void log_problems(const json_t *problems)
{
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p)
	        log_emit(LOG_ERROR, "manifests", NULL, "%s", json_string_value(p));
}

static char *read_file(const char *path, size_t *len)
{
	FILE *in = fopen(path, "r");
	if (in == NULL)
		return NULL;
	char *text = malloc(FILE_MAX + 1);
	*len = text != NULL ? fread(text, 1, FILE_MAX + 1, in) : 0;
	bool failed = ferror(in) || *len > FILE_MAX;
	fclose(in);
	if (failed) {
		free(text);
		errno = failed && *len > FILE_MAX ? EFBIG : EIO;
		return NULL;
	}
	return text;
}

/* true if the catalog changed. */
static bool read_if_changed(struct source_dir *s, const char *path, bool overlay)
{
	struct stat st;
	struct known_file *f = known(s, path);
	if (f == NULL || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	f->seen = true;
	if (k8s_catalog_has(s->catalog, path) && same_file(&st, &f->st))
		return false;
	f->st = st;
	f->overlay = overlay;
	size_t len;
	char *text = read_file(path, &len);
	json_t *problems = json_array();
	if (text == NULL)
		log_emit(LOG_ERROR, "manifests", NULL, "%s: cannot read: %s", path,
		         strerror(errno));
	else
		k8s_catalog_put(s->catalog, path, overlay, text, len, problems);
	log_problems(problems);
	json_decref(problems);
	free(text);
	return text != NULL;
}

static bool scan_dir(struct source_dir *s, const char *dir, bool overlay)
{
	DIR *d = opendir(dir);
	bool changed = false;
	if (d == NULL) {
		log_emit(LOG_ERROR, "manifests", NULL, "%s: %s", dir, strerror(errno));
		return false;
	}
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		char path[PATH_MAX];
		if (!manifest_name(de->d_name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		changed |= read_if_changed(s, path, overlay);
	}
	closedir(d);
	return changed;
}

static bool forget_unseen(struct source_dir *s)
{
	bool changed = false;
	for (size_t i = 0; i < s->n_files;) {
		struct known_file *f = &s->files[i];
		if (f->seen) {
			f->seen = false;
			i++;
			continue;
		}
		if (k8s_catalog_has(s->catalog, f->path)) {
			log_emit(LOG_INFO, "manifests", NULL, "%s: removed", f->path);
			k8s_catalog_remove(s->catalog, f->path);
			changed = true;
		}
		free(f->path);
		*f = s->files[--s->n_files];
	}
	return changed;
}

/* true if the store changed. */
static bool scan(struct source_dir *s)
{
	bool changed = false;
	for (size_t i = 0; i < s->cfg.n_dirs; i++)
		changed |= scan_dir(s, s->cfg.dirs[i], s->cfg.overlay[i]);
	changed |= forget_unseen(s);
	if (changed) {
		json_t *problems = json_array();
		k8s_catalog_build(s->catalog, problems);
		log_problems(problems);
		json_decref(problems);
	}
	return changed;
}

void source_dir_rescan(struct source_dir *s)
{
	if (scan(s) && s->cfg.changed != NULL)
		s->cfg.changed(s->cfg.ctx);
}

static void on_settled(struct loop_timer *t)
{
	struct source_dir *s = container_of(t, struct source_dir, settle);
	s->settling = false;
	source_dir_rescan(s);
}

static void on_inotify(struct loop_io *io, unsigned events)
{
	struct source_dir *s = container_of(io, struct source_dir, io);
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	(void)events;
	while (read(s->inotify_fd, buf, sizeof(buf)) > 0)
		;
	if (!s->settling)
		loop_timer_at(s->loop, &s->settle, loop_now(s->loop) + SETTLE_MS);
	s->settling = true;
}

static int watch_dirs(struct source_dir *s)
{
	/* Not IN_MODIFY: a file being rewritten in place (`>`, cp) is read
	 * once it is closed, never half-written. */
	const uint32_t mask =
	        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB;
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0)
		return -1;
	for (size_t i = 0; i < s->cfg.n_dirs; i++) {
		const char *dir = s->cfg.dirs[i];
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		if (inotify_add_watch(s->inotify_fd, dir, mask) < 0)
			return -1;
	}
	loop_io_init(&s->io, s->inotify_fd, on_inotify);
	loop_io_set(s->loop, &s->io, LOOP_READ);
	return 0;
}

struct source_dir *source_dir_open(struct loop *l, const struct source_dir_cfg *cfg)
{
	struct source_dir *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->loop = l;
	s->cfg = *cfg;
	s->inotify_fd = -1;
	loop_timer_init(&s->settle, on_settled);
	s->catalog = k8s_catalog_new();
	if (s->catalog == NULL || watch_dirs(s) < 0) {
		log_emit(LOG_ERROR, "manifests", NULL, "cannot watch %s: %s", cfg->dirs[0],
		         strerror(errno));
		source_dir_close(s);
		return NULL;
	}
	scan(s);
	return s;
}

void source_dir_close(struct source_dir *s)
{
	if (s == NULL)
		return;
	loop_timer_at(s->loop, &s->settle, 0);
	if (s->inotify_fd >= 0) {
		loop_io_set(s->loop, &s->io, 0);
		close(s->inotify_fd);
	}
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i].path);
	free(s->files);
	k8s_catalog_free(s->catalog);
	free(s);
}

const struct k8s_store *source_dir_store(const struct source_dir *s)
{
	return k8s_catalog_store(s->catalog);
}

json_t *source_dir_problems(const struct source_dir *s)
{
	return k8s_catalog_problems(s->catalog);
}
