/*
 * state_file: atomic, change-only writes of Kubernetes object lists.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "k8s/state_file.h"

int state_file_init(struct state_file *f, const char *dir, const char *name)
{
	f->last = NULL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if ((size_t)snprintf(f->path, sizeof(f->path), "%s/%s", dir, name) >= sizeof(f->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

void state_file_free(struct state_file *f)
{
	free(f->last);
	f->last = NULL;
}

static int write_whole(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");
	if (out == NULL)
		return -1;
	bool ok = fputs(text, out) >= 0 && fflush(out) == 0 && fsync(fileno(out)) == 0;
	return fclose(out) == 0 && ok ? 0 : -1;
}

int state_file_write(struct state_file *f, const json_t *items)
{
	json_t *list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind", "List", "items",
	                         (json_t *)items);
	char *text = json_dumps(list, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(list);
	if (text == NULL)
		return -1;
	if (f->last != NULL && strcmp(f->last, text) == 0) {
		free(text);
		return 0;
	}
	/* Hidden, so directory readers skip it until the rename. */
	char tmp[sizeof(f->path) + 8];
	const char *slash = strrchr(f->path, '/');
	int dir_len = slash != NULL ? (int)(slash - f->path + 1) : 0;
	snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp", dir_len, f->path, f->path + dir_len);
	if (write_whole(tmp, text) < 0 || rename(tmp, f->path) < 0) {
		int saved = errno;
		unlink(tmp);
		free(text);
		errno = saved;
		return -1;
	}
	free(f->last);
	f->last = text;
	return 0;
}

void state_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
