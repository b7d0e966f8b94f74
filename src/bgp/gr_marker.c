/*
 * gr_marker: the graceful-stop marker file.
 */
#include "bgp/gr_marker.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int marker_path(char *buf, size_t size, const char *dir, const char *name,
                       const char *suffix)
{
	int n = snprintf(buf, size, "%s/%s.restart%s", dir, name, suffix);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Wall-clock seconds: the marker must outlive the process, and the
 * monotonic clock does not survive a reboot. */
static long long now_s(void)
{
	return (long long)time(NULL);
}

int gr_marker_leave(const char *dir, const char *name)
{
	char path[4096], tmp[4096];
	if (marker_path(path, sizeof(path), dir, name, "") < 0 ||
	    marker_path(tmp, sizeof(tmp), dir, name, ".tmp") < 0)
		return -1;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	int rc = fprintf(f, "%lld\n", now_s()) < 0 ? -1 : 0;
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

bool gr_marker_take(const char *dir, const char *name, uint32_t restart_time)
{
	char path[4096];
	long long stopped;
	if (marker_path(path, sizeof(path), dir, name, "") < 0)
		return false;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	bool read = fscanf(f, "%lld", &stopped) == 1;
	fclose(f);
	unlink(path);
	long long age = now_s() - stopped;
	return read && age >= 0 && age <= (long long)restart_time;
}
