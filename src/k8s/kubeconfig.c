/*
 * kubeconfig: kubeconfig files and in-cluster settings to a kube_endpoint,
 * and the rotating service-account token (see kubeconfig.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s/kubeconfig.h"
#include "k8s/manifest.h"
#include "lib/base64.h"
#include "lib/sbuf.h"

#define KUBECONFIG_MAX (16u << 20)
#define SA_DIR         "/var/run/secrets/kubernetes.io/serviceaccount"

/* A kubeconfig being read: the one object, and where relative paths start. */
struct kc_read {
	struct manifest_set set;
	struct manifest_ctx ctx;
	char dir[PATH_MAX];
	struct kube_endpoint *out;
};

/* A field kbgp cannot honour, and what to do instead. */
struct refused_field {
	const char *field;
	const char *why;
};

#define NO_PLUGINS "kbgp runs no credential plugins: use a token, tokenFile or client certificate"
#define NO_BASIC   "basic authentication is not supported: use a token or client certificate"
#define NO_IMPERS  "impersonation is not supported"

static const struct refused_field user_refused[] = {
	{ "exec", NO_PLUGINS },
	{ "auth-provider", NO_PLUGINS },
	{ "username", NO_BASIC },
	{ "password", NO_BASIC },
	{ "as", NO_IMPERS },
	{ "as-uid", NO_IMPERS },
	{ "as-groups", NO_IMPERS },
	{ "as-user-extra", NO_IMPERS },
	{ NULL, NULL },
};

static const struct refused_field cluster_refused[] = {
	{ "proxy-url", "proxies are not supported" },
	{ "tls-server-name", "is not supported: the server name must match the certificate" },
	{ NULL, NULL },
};

static int fail(char *err, size_t err_len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- files and tokens ---- */

/* The whole regular file at path, NUL-terminated, at most max bytes, with its
 * fstat(); NULL with errno set (EFBIG when larger). */
static char *read_small_file(const char *path, size_t max, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;
	ssize_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, st) < 0)
		goto out;
	if (!S_ISREG(st->st_mode) || (uintmax_t)st->st_size > max) {
		errno = S_ISREG(st->st_mode) ? EFBIG : EINVAL;
		goto out;
	}
	text = malloc((size_t)st->st_size + 1);
	if (text == NULL)
		goto out;
	*len = 0;
	while (*len < (size_t)st->st_size &&
	       (n = read(fd, text + *len, (size_t)st->st_size - *len)) > 0)
		*len += (size_t)n;
	if (n < 0) {
		free(text);
		text = NULL;
		goto out;
	}
	text[*len] = '\0';
out:
	close(fd);
	return text;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static size_t trim_end(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
	                   s[len - 1] == '\t'))
		len--;
	return len;
}

/* Copy a bearer token, trailing white space dropped, into dst (cap bytes).
 * It goes into an HTTP header, so only visible ASCII is allowed; -1 (dst
 * untouched) when empty, too long or anything else. */
static int token_copy(char *dst, size_t cap, const char *src, size_t len)
{
	len = trim_end(src, len);
	if (len == 0 || len >= cap)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (src[i] < 0x21 || src[i] > 0x7e)
			return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Re-read the token file if it is not the one read last; -1 with why. */
static int token_refresh(struct kube_endpoint *e, char *why, size_t why_len)
{
	struct stat st;
	size_t len;
	char *text;
	int r;

	if (stat(e->token_file, &st) < 0)
		return fail(why, why_len, "%s: %s", e->token_file, strerror(errno));
	if (e->token_read && same_file(&st, &e->token_st))
		return 0;
	text = read_small_file(e->token_file, 2 * KUBE_TOKEN_MAX, &len, &st);
	if (text == NULL)
		return fail(why, why_len, "%s: %s", e->token_file, strerror(errno));
	r = token_copy(e->token, sizeof(e->token), text, len);
	explicit_bzero(text, len);
	free(text);
	if (r < 0)
		return fail(why, why_len,
		            "%s: not a bearer token (empty, over %d bytes, or not visible ASCII)",
		            e->token_file, KUBE_TOKEN_MAX - 1);
	e->token_st = st;
	e->token_read = true;
	return 0;
}

int kube_endpoint_token(struct kube_endpoint *e, char *out, size_t cap)
{
	char why[KUBE_PATH_MAX + 128];
	size_t len;

	if (e->token_file[0] != '\0' && token_refresh(e, why, sizeof(why)) < 0 &&
	    e->token[0] == '\0')
		return -1;
	len = strlen(e->token);
	if (len >= cap)
		return -1;
	memcpy(out, e->token, len + 1);
	return 0;
}

void kube_endpoint_free(struct kube_endpoint *e)
{
	free(e->ca_pem);
	free(e->cert_pem);
	if (e->key_pem != NULL)
		explicit_bzero(e->key_pem, e->key_len);
	free(e->key_pem);
	explicit_bzero(e, sizeof(*e));
}

static void endpoint_init(struct kube_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->namespace_, sizeof(e->namespace_), "default");
}

/* ---- kubeconfig fields ---- */

/* A string field that is set and not empty: kubectl reads "" as unset. */
static bool get_text(struct kc_read *r, const char *field, const char **out)
{
	return manifest_get_string(&r->ctx, field, 0, out) == 1 && (*out)[0] != '\0';
}

static void refuse_fields(struct kc_read *r, const struct refused_field *list)
{
	const json_t *node;

	for (const struct refused_field *f = list; f->field != NULL; f++)
		if (manifest_get_node(&r->ctx, f->field, 0, &node) == 1)
			manifest_errorf(&r->ctx, f->field, "%s", f->why);
}

/* A file named in the kubeconfig, relative to its directory; it must be
 * readable now. */
static void get_path(struct kc_read *r, const char *field, const char *name, char *out, size_t cap)
{
	int n = name[0] == '/' ? snprintf(out, cap, "%s", name)
	                       : snprintf(out, cap, "%s/%s", r->dir, name);

	if (n < 0 || (size_t)n >= cap) {
		manifest_errorf(&r->ctx, field, "path is longer than %zu bytes", cap - 1);
		out[0] = '\0';
	} else if (access(out, R_OK) < 0) {
		manifest_errorf(&r->ctx, field, "cannot read %s: %s", out, strerror(errno));
	}
}

/* Base64 of a PEM text into a malloc'd NUL-terminated copy. */
static void get_pem_data(struct kc_read *r, const char *field, const char *b64, char **pem,
                         size_t *len)
{
	size_t b64_len = strlen(b64), cap = base64_decoded_max(b64_len) + 1;
	char *p = malloc(cap);

	if (p == NULL) {
		manifest_errorf(&r->ctx, field, "out of memory");
		return;
	}
	if (base64_decode(b64, b64_len, (uint8_t *)p, cap - 1, len) < 0) {
		manifest_errorf(&r->ctx, field,
		                "must be base64 (standard alphabet, padded, one line)");
		free(p);
		return;
	}
	p[*len] = '\0';
	if (strstr(p, "-----BEGIN ") == NULL) {
		manifest_errorf(&r->ctx, field, "does not decode to PEM (no \"-----BEGIN\")");
		explicit_bzero(p, *len);
		free(p);
		return;
	}
	*pem = p;
}

/* One PEM input given either inline (data_field, base64) or as a file. */
static void get_pem(struct kc_read *r, const char *data_field, const char *file_field, char **pem,
                    size_t *len, char *file, size_t file_cap)
{
	const char *data, *name;
	bool has_data = get_text(r, data_field, &data), has_file = get_text(r, file_field, &name);

	if (has_data && has_file)
		manifest_errorf(&r->ctx, file_field, "set either %s or %s, not both", data_field,
		                file_field);
	else if (has_data)
		get_pem_data(r, data_field, data, pem, len);
	else if (has_file)
		get_path(r, file_field, name, file, file_cap);
}

static void get_server(struct kc_read *r)
{
	struct kube_endpoint *e = r->out;
	const char *url;
	size_t len;

	if (manifest_get_string(&r->ctx, "server", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &url) !=
	    1)
		return;
	len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		manifest_errorf(&r->ctx, "server", "must start with https:// (got \"%s\")", url);
	else if (len >= sizeof(e->server))
		manifest_errorf(&r->ctx, "server", "is longer than %zu bytes",
		                sizeof(e->server) - 1);
	else
		snprintf(e->server, sizeof(e->server), "%.*s", (int)len, url);
}

static void decode_cluster(struct kc_read *r)
{
	struct kube_endpoint *e = r->out;

	get_server(r);
	get_pem(r, "certificate-authority-data", "certificate-authority", &e->ca_pem, &e->ca_len,
	        e->ca_file, sizeof(e->ca_file));
	manifest_get_bool(&r->ctx, "insecure-skip-tls-verify", 0, &e->insecure_skip_tls_verify);
	if (e->insecure_skip_tls_verify && (e->ca_pem != NULL || e->ca_file[0] != '\0'))
		manifest_errorf(&r->ctx, "insecure-skip-tls-verify",
		                "cannot be combined with a certificate authority");
	refuse_fields(r, cluster_refused);
}

static void decode_user(struct kc_read *r)
{
	struct kube_endpoint *e = r->out;
	const char *token, *file;

	get_pem(r, "client-certificate-data", "client-certificate", &e->cert_pem, &e->cert_len,
	        e->cert_file, sizeof(e->cert_file));
	get_pem(r, "client-key-data", "client-key", &e->key_pem, &e->key_len, e->key_file,
	        sizeof(e->key_file));
	if ((e->cert_pem != NULL || e->cert_file[0] != '\0') !=
	    (e->key_pem != NULL || e->key_file[0] != '\0'))
		manifest_errorf(&r->ctx, "",
		                "a client certificate needs its key, and a key its certificate");
	if (get_text(r, "token", &token) &&
	    token_copy(e->token, sizeof(e->token), token, strlen(token)) < 0)
		manifest_errorf(&r->ctx, "token", "must be visible ASCII, at most %d bytes",
		                KUBE_TOKEN_MAX - 1);
	if (get_text(r, "tokenFile", &file))
		get_path(r, "tokenFile", file, e->token_file, sizeof(e->token_file));
	refuse_fields(r, user_refused);
}

/* ---- finding the context, cluster and user ---- */

/* The index of the item of list (contexts, clusters, users) called name; -1
 * after recording an error at the field `from` that named it. */
static int find_named(struct kc_read *r, const char *list, const char *name, const char *from)
{
	char field[64];
	const char *s;
	size_t n = 0;

	if (manifest_get_list(&r->ctx, list, 0, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "%s[%zu].name", list, i);
		if (manifest_get_string(&r->ctx, field, 0, &s) == 1 && strcmp(s, name) == 0)
			return (int)i;
	}
	manifest_errorf(&r->ctx, from, "no entry named \"%s\" in %s", name, list);
	return -1;
}

/* Enter list[name].member (clusters[i].cluster, users[i].user) and decode it. */
static void decode_entry(struct kc_read *r, const char *list, const char *member, const char *name,
                         const char *from, void (*decode)(struct kc_read *))
{
	int i = find_named(r, list, name, from);

	if (i < 0 || !manifest_enter(&r->ctx, MANIFEST_REQUIRED, "%s[%d].%s", list, i, member))
		return;
	decode(r);
	manifest_leave(&r->ctx);
}

static void decode_context(struct kc_read *r, int i)
{
	char from_cluster[64], from_user[64];
	const char *cluster = NULL, *user = NULL, *ns;

	if (!manifest_enter(&r->ctx, MANIFEST_REQUIRED, "contexts[%d].context", i))
		return;
	manifest_get_string(&r->ctx, "cluster", MANIFEST_REQUIRED | MANIFEST_NONEMPTY, &cluster);
	get_text(r, "user", &user);
	if (get_text(r, "namespace", &ns) &&
	    (size_t)snprintf(r->out->namespace_, sizeof(r->out->namespace_), "%s", ns) >=
	            sizeof(r->out->namespace_))
		manifest_errorf(&r->ctx, "namespace", "is longer than %zu bytes",
		                sizeof(r->out->namespace_) - 1);
	manifest_leave(&r->ctx);
	snprintf(from_cluster, sizeof(from_cluster), "contexts[%d].context.cluster", i);
	snprintf(from_user, sizeof(from_user), "contexts[%d].context.user", i);
	if (cluster != NULL)
		decode_entry(r, "clusters", "cluster", cluster, from_cluster, decode_cluster);
	if (user != NULL)
		decode_entry(r, "users", "user", user, from_user, decode_user);
}

static void decode_config(struct kc_read *r, const char *context)
{
	const char *kind = r->ctx.obj->kind, *from = "contexts";
	int i;

	if (strcmp(kind, "Config") != 0) {
		manifest_errorf(&r->ctx, "kind", "must be \"Config\" in a kubeconfig (got \"%s\")",
		                kind);
		return;
	}
	if (context == NULL) {
		from = "current-context";
		if (manifest_get_string(&r->ctx, from, MANIFEST_REQUIRED | MANIFEST_NONEMPTY,
		                        &context) != 1)
			return;
	}
	if ((i = find_named(r, "contexts", context, from)) >= 0)
		decode_context(r, i);
}

/* ---- kubeconfig files ---- */

/* The file to read: path, else the first of $KUBECONFIG, else
 * ~/.kube/config.  *several when $KUBECONFIG names more than one. */
static int kubeconfig_path(const char *path, char *out, size_t cap, bool *several, char *err,
                           size_t err_len)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	int n;

	*several = false;
	env = env != NULL ? env + strspn(env, ":") : "";
	if (path != NULL) {
		n = snprintf(out, cap, "%s", path);
	} else if (env[0] != '\0') {
		size_t len = strcspn(env, ":");
		*several = env[len + strspn(env + len, ":")] != '\0';
		n = snprintf(out, cap, "%.*s", (int)len, env);
	} else if (home != NULL && home[0] != '\0') {
		n = snprintf(out, cap, "%s/.kube/config", home);
	} else {
		return fail(err, err_len, "no kubeconfig: KUBECONFIG and HOME are unset or empty");
	}
	if ((size_t)n >= cap)
		return fail(err, err_len, "kubeconfig path is longer than %zu bytes", cap - 1);
	return 0;
}

/* The directory relative paths in the file start from, made absolute; -1
 * with errno. */
static int kubeconfig_dir(const char *file, char *dir)
{
	char copy[KUBE_PATH_MAX];
	char *slash;

	snprintf(copy, sizeof(copy), "%s", file);
	slash = strrchr(copy, '/');
	if (slash == copy)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return realpath(slash != NULL ? copy : ".", dir) != NULL ? 0 : -1;
}

static const char *several_note(bool several)
{
	return several ? " (KUBECONFIG lists several files; kbgp reads only the first)" : "";
}

/* The first error of the set into err, with how many more there were. */
static int set_fail(const struct manifest_set *set, const char *file, bool several, char *err,
                    size_t err_len)
{
	struct sbuf b;
	size_t more = set->n_errors + set->errors_dropped;

	sbuf_init(&b, err, err_len);
	if (set->n_errors > 0)
		sbuf_puts(&b, set->errors[0].text);
	else if (set->n_objs == 0)
		sbuf_printf(&b, "%s: no kubeconfig in the file", file);
	else
		sbuf_printf(&b, "%s: %zu documents; a kubeconfig is one Config", file, set->n_objs);
	if (more > 1)
		sbuf_printf(&b, " (and %zu more errors)", more - 1);
	sbuf_puts(&b, several_note(several));
	return -1;
}

static int kubeconfig_load(struct kc_read *r, const char *file, const char *context, bool several,
                           char *err, size_t err_len)
{
	struct stat st;
	size_t len;
	char *text = read_small_file(file, KUBECONFIG_MAX, &len, &st);

	if (text == NULL)
		return fail(err, err_len, "%s: %s%s", file, strerror(errno), several_note(several));
	manifest_load(&r->set, file, text, len);
	explicit_bzero(text, len);
	free(text);
	if (r->set.n_errors > 0 || r->set.n_objs != 1)
		return set_fail(&r->set, file, several, err, err_len);
	manifest_ctx_init(&r->ctx, &r->set, &r->set.objs[0]);
	decode_config(r, context);
	if (r->set.n_errors > 0)
		return set_fail(&r->set, file, several, err, err_len);
	return 0;
}

int kube_endpoint_from_kubeconfig(const char *path, const char *context, struct kube_endpoint *out,
                                  char *err, size_t err_len)
{
	char file[KUBE_PATH_MAX];
	struct kc_read r = { .out = out };
	bool several;
	int rc;

	endpoint_init(out);
	if (kubeconfig_path(path, file, sizeof(file), &several, err, err_len) < 0)
		return -1;
	if (kubeconfig_dir(file, r.dir) < 0)
		return fail(err, err_len, "%s: %s%s", file, strerror(errno), several_note(several));
	manifest_set_init(&r.set, NULL);
	rc = kubeconfig_load(&r, file, context, several, err, err_len);
	manifest_set_free(&r.set);
	if (rc < 0)
		kube_endpoint_free(out);
	return rc;
}

/* ---- in a pod ---- */

static int in_cluster_server(struct kube_endpoint *e, char *err, size_t err_len)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char *end;
	int n;

	if (host == NULL || host[0] == '\0' || port == NULL || port[0] == '\0')
		return fail(err, err_len,
		            "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
		            "must be set: not running in a pod?");
	unsigned long p = strtoul(port, &end, 10);
	if (port[0] < '0' || port[0] > '9' || *end != '\0' || p == 0 || p > 65535)
		return fail(err, err_len, "KUBERNETES_SERVICE_PORT: not a port (\"%s\")", port);
	if (strpbrk(host, "/@[] \t\r\n") != NULL)
		return fail(err, err_len, "KUBERNETES_SERVICE_HOST: not a host (\"%s\")", host);
	n = snprintf(e->server, sizeof(e->server),
	             strchr(host, ':') != NULL ? "https://[%s]:%lu" : "https://%s:%lu", host, p);
	if (n < 0 || (size_t)n >= sizeof(e->server))
		return fail(err, err_len, "KUBERNETES_SERVICE_HOST is too long");
	return 0;
}

/* The pod's namespace, "default" when the file is missing. */
static int in_cluster_namespace(struct kube_endpoint *e, const char *dir, char *err, size_t err_len)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/namespace", dir);
	text = read_small_file(path, sizeof(e->namespace_), &len, &st);
	if (text == NULL && errno == ENOENT)
		return 0;
	if (text == NULL)
		return fail(err, err_len, "%s: %s", path, strerror(errno));
	len = trim_end(text, len);
	if (len >= sizeof(e->namespace_)) {
		free(text);
		return fail(err, err_len, "%s: longer than %zu bytes", path,
		            sizeof(e->namespace_) - 1);
	}
	if (len > 0)
		snprintf(e->namespace_, sizeof(e->namespace_), "%.*s", (int)len, text);
	free(text);
	return 0;
}

static int in_cluster_files(struct kube_endpoint *e, const char *root, char *err, size_t err_len)
{
	char dir[KUBE_PATH_MAX - 16];

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", root != NULL ? root : "", SA_DIR) >=
	    sizeof(dir))
		return fail(err, err_len, "%s: path too long", root);
	snprintf(e->ca_file, sizeof(e->ca_file), "%s/ca.crt", dir);
	snprintf(e->token_file, sizeof(e->token_file), "%s/token", dir);
	if (access(e->ca_file, R_OK) < 0)
		return fail(err, err_len, "%s: %s", e->ca_file, strerror(errno));
	if (token_refresh(e, err, err_len) < 0)
		return -1;
	return in_cluster_namespace(e, dir, err, err_len);
}

int kube_endpoint_in_cluster(const char *root, struct kube_endpoint *out, char *err, size_t err_len)
{
	endpoint_init(out);
	if (in_cluster_server(out, err, err_len) < 0 ||
	    in_cluster_files(out, root, err, err_len) < 0) {
		kube_endpoint_free(out);
		return -1;
	}
	return 0;
}
