/*
 * source_dir: directories of manifests, watched with inotify, read into a
 * catalog (source_dir.h).  The whole directories are read at start and on
 * request; after that, only the files inotify names, so a change costs the
 * same with ten files as with ten thousand.
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
	int watch[SOURCE_DIR_MAX]; /* inotify watch descriptor of each directory */
	struct loop_io io;
	struct loop_timer settle;
	bool settling;
	bool rescan_all; /* the event queue overflowed: names were lost */
	json_t *touched; /* paths inotify named since the last read */
	struct k8s_catalog *catalog;
	struct known_file *files; /* in path order */
	size_t n_files, cap_files;
};

bool source_dir_manifest_name(const char *name)
{
	size_t len = strlen(name);
	if (name[0] == '.')
		return false;
	return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(name + len - 4, ".yml") == 0) ||
	       (len > 5 && strcmp(name + len - 5, ".json") == 0);
}

char *source_dir_read_file(const char *path, size_t *len)
{
	struct stat st;
	FILE *in = fopen(path, "r");
	if (in == NULL)
		return NULL;
	if (fstat(fileno(in), &st) < 0 || st.st_size > (off_t)FILE_MAX) {
		fclose(in);
		errno = EFBIG;
		return NULL;
	}
	/* One byte more than it should hold: a file that grew is noticed. */
	size_t cap = (size_t)st.st_size + 1;
	char *text = malloc(cap + 1);
	*len = text != NULL ? fread(text, 1, cap, in) : 0;
	bool failed = text == NULL || ferror(in) || *len == cap;
	fclose(in);
	if (failed) {
		free(text);
		errno = text == NULL ? ENOMEM : EAGAIN;
		return NULL;
	}
	text[*len] = '\0';
	return text;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Binary search; *at is where it would go. */
static struct known_file *known_find(const struct source_dir *s, const char *path, size_t *at)
{
	size_t lo = 0, hi = s->n_files;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->files[mid].path, path);
		if (c == 0) {
			*at = mid;
			return &s->files[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return NULL;
}

static struct known_file *known(struct source_dir *s, const char *path)
{
	size_t at;
	struct known_file *f = known_find(s, path, &at);
	if (f != NULL)
		return f;
	if (s->n_files == s->cap_files) {
		size_t cap = s->cap_files != 0 ? s->cap_files * 2 : 16;
		struct known_file *grown = realloc(s->files, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		s->files = grown;
		s->cap_files = cap;
	}
	memmove(&s->files[at + 1], &s->files[at], (s->n_files - at) * sizeof(s->files[0]));
	s->n_files++;
	f = &s->files[at];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	return f;
}

static void forget(struct source_dir *s, struct known_file *f)
{
	if (k8s_catalog_has(s->catalog, f->path)) {
		log_emit(LOG_INFO, "manifests", NULL, "%s: removed", f->path);
		k8s_catalog_remove(s->catalog, f->path);
	}
	free(f->path);
	size_t at = (size_t)(f - s->files);
	memmove(f, f + 1, (s->n_files - at - 1) * sizeof(*f));
	s->n_files--;
}

static void log_problems(const json_t *problems)
{
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p)
	        log_emit(LOG_ERROR, "manifests", NULL, "%s", json_string_value(p));
}

/* true if the catalog changed. */
static bool read_if_changed(struct source_dir *s, const char *path, bool overlay)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		size_t at;
		struct known_file *gone = known_find(s, path, &at);
		if (gone == NULL)
			return false;
		forget(s, gone);
		return true;
	}
	struct known_file *f = known(s, path);
	if (f == NULL)
		return false;
	f->seen = true;
	if (k8s_catalog_has(s->catalog, path) && same_file(&st, &f->st))
		return false;
	f->st = st;
	f->overlay = overlay;
	size_t len;
	char *text = source_dir_read_file(path, &len);
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
		if (!source_dir_manifest_name(de->d_name) ||
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
		changed |= k8s_catalog_has(s->catalog, f->path);
		forget(s, f);
	}
	return changed;
}

static bool scan_all(struct source_dir *s)
{
	bool changed = false;
	for (size_t i = 0; i < s->cfg.n_dirs; i++)
		changed |= scan_dir(s, s->cfg.dirs[i], s->cfg.overlay[i]);
	return forget_unseen(s) || changed;
}

static bool scan_touched(struct source_dir *s)
{
	bool changed = false;
	const char *path;
	json_t *overlay;
	json_object_foreach(s->touched, path, overlay) changed |=
	        read_if_changed(s, path, json_is_true(overlay));
	for (size_t i = 0; i < s->n_files; i++)
		s->files[i].seen = false;
	return changed;
}

static void rebuild(struct source_dir *s)
{
	json_t *problems = json_array();
	k8s_catalog_build(s->catalog, problems);
	log_problems(problems);
	json_decref(problems);
}

static void read_and_tell(struct source_dir *s, bool all)
{
	bool changed = all ? scan_all(s) : scan_touched(s);
	json_object_clear(s->touched);
	if (!changed)
		return;
	rebuild(s);
	if (s->cfg.changed != NULL)
		s->cfg.changed(s->cfg.ctx);
}

void source_dir_rescan(struct source_dir *s)
{
	read_and_tell(s, true);
}

static void on_settled(struct loop_timer *t)
{
	struct source_dir *s = container_of(t, struct source_dir, settle);
	bool all = s->rescan_all;
	s->settling = false;
	s->rescan_all = false;
	read_and_tell(s, all);
}

static void note_event(struct source_dir *s, const struct inotify_event *ev)
{
	char path[PATH_MAX];
	if (ev->mask & IN_Q_OVERFLOW) {
		s->rescan_all = true;
		return;
	}
	for (size_t i = 0; i < s->cfg.n_dirs; i++)
		if (s->watch[i] == ev->wd && ev->len > 0 && source_dir_manifest_name(ev->name) &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", s->cfg.dirs[i], ev->name) <
		            sizeof(path))
			json_object_set_new(s->touched, path, json_boolean(s->cfg.overlay[i]));
}

static void on_inotify(struct loop_io *io, unsigned events)
{
	struct source_dir *s = container_of(io, struct source_dir, io);
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	(void)events;
	while ((n = read(s->inotify_fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p + sizeof(struct inotify_event) <= buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			note_event(s, ev);
			p += sizeof(*ev) + ev->len;
		}
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
		s->watch[i] = inotify_add_watch(s->inotify_fd, dir, mask);
		if (s->watch[i] < 0)
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
	s->touched = json_object();
	loop_timer_init(&s->settle, on_settled);
	s->catalog = k8s_catalog_new(false);
	if (s->catalog == NULL || s->touched == NULL || watch_dirs(s) < 0) {
		log_emit(LOG_ERROR, "manifests", NULL, "cannot watch %s: %s", cfg->dirs[0],
		         strerror(errno));
		source_dir_close(s);
		return NULL;
	}
	scan_all(s);
	rebuild(s);
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
	json_decref(s->touched);
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
