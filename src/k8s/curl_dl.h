/*
 * curl_dl: libcurl, loaded when the first API client is made.  libcurl
 * brings OpenSSL, GnuTLS, Kerberos and LDAP with it: 5.5 MB of resident
 * pages that the router role and an agent on manifests never use.  Each
 * sym_curl_* keeps the type curl/curl.h declares for curl_*.
 */
#ifndef KBGP_K8S_CURL_DL_H
#define KBGP_K8S_CURL_DL_H

#include <curl/curl.h>

#define CURL_DL_SYMBOLS(X)                                                                         \
	X(curl_global_init)                                                                        \
	X(curl_easy_init)                                                                          \
	X(curl_easy_setopt)                                                                        \
	X(curl_easy_getinfo)                                                                       \
	X(curl_easy_strerror)                                                                      \
	X(curl_easy_cleanup)                                                                       \
	X(curl_multi_init)                                                                         \
	X(curl_multi_setopt)                                                                       \
	X(curl_multi_assign)                                                                       \
	X(curl_multi_add_handle)                                                                   \
	X(curl_multi_remove_handle)                                                                \
	X(curl_multi_socket_action)                                                                \
	X(curl_multi_info_read)                                                                    \
	X(curl_multi_cleanup)                                                                      \
	X(curl_slist_append)                                                                       \
	X(curl_slist_free_all)

#define CURL_DL_DECLARE(name) extern __typeof__(name) *sym_##name;
CURL_DL_SYMBOLS(CURL_DL_DECLARE)
#undef CURL_DL_DECLARE

/* Load libcurl and initialise it, once; -1 (and a log line saying why)
 * when it cannot be. */
int curl_dl_load(void);

#endif
