/*
 * curl_dl: libcurl by dlopen (curl_dl.h).
 */
#include "k8s/curl_dl.h"

#include <dlfcn.h>
#include <stdbool.h>

#include "lib/log.h"

/* The runtime name of libcurl 7.16 and later (Debian's libcurl4). */
#define CURL_SONAME "libcurl.so.4"

#define CURL_DL_DEFINE(name) __typeof__(name) *sym_##name;
CURL_DL_SYMBOLS(CURL_DL_DEFINE)
#undef CURL_DL_DEFINE

static bool resolve(void *lib)
{
#define CURL_DL_RESOLVE(name)                                                                      \
	if ((*(void **)&sym_##name = dlsym(lib, #name)) == NULL) {                                 \
		log_emit(LOG_ERROR, "k8s", NULL, "%s has no %s: %s", CURL_SONAME, #name,           \
		         dlerror());                                                               \
		return false;                                                                      \
	}
	CURL_DL_SYMBOLS(CURL_DL_RESOLVE)
#undef CURL_DL_RESOLVE
	return true;
}

int curl_dl_load(void)
{
	static bool loaded;
	if (loaded)
		return 0;
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		log_emit(LOG_ERROR, "k8s", NULL,
		         "cannot load %s, needed for the Kubernetes API: %s", CURL_SONAME,
		         dlerror());
		return -1;
	}
	if (!resolve(lib)) {
		dlclose(lib);
		return -1;
	}
	CURLcode rc = sym_curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		log_emit(LOG_ERROR, "k8s", NULL, "libcurl did not initialise: %s",
		         sym_curl_easy_strerror(rc));
		dlclose(lib);
		return -1;
	}
	loaded = true; /* for the process's life: libcurl is never unloaded */
	return 0;
}
