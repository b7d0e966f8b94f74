/*
 * kubeconfig: kubeconfig files as kind, minikube and cloud CLIs write them
 * (tests/k8sapi/kubeconfigs), every field, errors with their positions,
 * KUBECONFIG and HOME, in-cluster settings from a fake root, and the token
 * file re-read when the kubelet rotates it.
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8s/kubeconfig.h"
#include "testlib.h"

#define FIXTURES KBGP_VECTORS_DIR "/../k8sapi/kubeconfigs"
#define SA_DIR   "/var/run/secrets/kubernetes.io/serviceaccount"

/* The fixtures directory as an absolute path, as kubeconfig paths resolve. */
static const char *fixtures(void)
{
	static char dir[PATH_MAX];

	if (dir[0] == '\0')
		assert_non_null(realpath(FIXTURES, dir));
	return dir;
}

static const char *fixture(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", fixtures(), name);
	return path;
}

static char *fixture_text(const char *name, size_t *len)
{
	char *text = tl_read_file(fixture(name), len);

	assert_non_null(text);
	return text;
}

/* ---- scratch directories ---- */

struct scratch {
	char dir[64];
};

static void scratch_init(struct scratch *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/kbgp-kubeconfig.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void scratch_free(struct scratch *s)
{
	assert_int_equal(nftw(s->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static const char *scratch_path(const struct scratch *s, const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	return path;
}

/* Write text to dir/name (directories made as needed); returns the path. */
static const char *scratch_write(const struct scratch *s, const char *name, const char *text)
{
	const char *path = scratch_path(s, name);
	char mk[256];

	for (const char *slash = strchr(name, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		snprintf(mk, sizeof(mk), "%s/%.*s", s->dir, (int)(slash - name), name);
		assert_true(mkdir(mk, 0755) == 0 || access(mk, F_OK) == 0);
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Replace dir/name atomically, as the kubelet and editors do. */
static void scratch_replace(const struct scratch *s, const char *name, const char *text)
{
	char tmp[64], final[256];

	snprintf(tmp, sizeof(tmp), "%s.new", name);
	snprintf(final, sizeof(final), "%s", scratch_path(s, name));
	scratch_write(s, tmp, text);
	assert_int_equal(rename(scratch_path(s, tmp), final), 0);
}

/* ---- assertions ---- */

static void assert_pem_is(const char *pem, size_t len, const char *fixture_name)
{
	size_t want_len;
	char *want = fixture_text(fixture_name, &want_len);

	assert_non_null(pem);
	assert_int_equal(len, want_len);
	assert_memory_equal(pem, want, len);
	assert_int_equal(pem[len], '\0');
	free(want);
}

static void assert_token(struct kube_endpoint *e, const char *want)
{
	char token[KUBE_TOKEN_MAX];

	assert_int_equal(kube_endpoint_token(e, token, sizeof(token)), 0);
	assert_string_equal(token, want);
}

static void load_ok(const char *path, const char *context, struct kube_endpoint *e)
{
	char err[1024] = "";

	if (kube_endpoint_from_kubeconfig(path, context, e, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/* The error of loading text from a scratch file is FILE + want. */
static void assert_load_error(const char *text, const char *context, const char *want)
{
	struct kube_endpoint e;
	struct scratch s;
	char err[1024], full[1024];

	scratch_init(&s);
	const char *path = scratch_write(&s, "config", text);
	snprintf(full, sizeof(full), "%s%s", path, want);
	assert_int_equal(kube_endpoint_from_kubeconfig(path, context, &e, err, sizeof(err)), -1);
	assert_string_equal(err, full);
	assert_null(e.ca_pem);
	assert_null(e.cert_pem);
	assert_null(e.key_pem);
	scratch_free(&s);
}

/* ---- kubeconfig files ---- */

static void test_kind_embedded_data(void **state)
{
	(void)state;
	struct kube_endpoint e;

	load_ok(fixture("kind.yaml"), NULL, &e);
	assert_string_equal(e.server, "https://127.0.0.1:41235");
	assert_pem_is(e.ca_pem, e.ca_len, "ca.crt");
	assert_pem_is(e.cert_pem, e.cert_len, "client.crt");
	assert_pem_is(e.key_pem, e.key_len, "client.key");
	assert_string_equal(e.ca_file, "");
	assert_string_equal(e.cert_file, "");
	assert_string_equal(e.key_file, "");
	assert_string_equal(e.token_file, "");
	assert_false(e.insecure_skip_tls_verify);
	assert_string_equal(e.namespace_, "default");
	assert_token(&e, "");
	kube_endpoint_free(&e);
	assert_null(e.key_pem);
	assert_string_equal(e.server, "");

	/* The same context asked for by name. */
	load_ok(fixture("kind.yaml"), "kind-kind", &e);
	assert_string_equal(e.server, "https://127.0.0.1:41235");
	kube_endpoint_free(&e);
}

static void test_file_paths_and_contexts(void **state)
{
	(void)state;
	struct kube_endpoint e;
	char want[PATH_MAX + 64];

	load_ok(fixture("paths.yaml"), NULL, &e);
	/* The trailing slash goes; an IPv6 server stays bracketed. */
	assert_string_equal(e.server, "https://[fd00:10::1]:6443");
	snprintf(want, sizeof(want), "%s/ca.crt", fixtures());
	assert_string_equal(e.ca_file, want);
	snprintf(want, sizeof(want), "%s/client.crt", fixtures());
	assert_string_equal(e.cert_file, want);
	snprintf(want, sizeof(want), "%s/client.key", fixtures());
	assert_string_equal(e.key_file, want);
	assert_null(e.ca_pem);
	assert_null(e.cert_pem);
	assert_null(e.key_pem);
	assert_string_equal(e.namespace_, "kube-system");
	assert_string_equal(e.token, "");
	kube_endpoint_free(&e);

	load_ok(fixture("paths.yaml"), "other", &e);
	assert_string_equal(e.server, "https://192.0.2.10:6443");
	assert_true(e.insecure_skip_tls_verify);
	assert_string_equal(e.ca_file, "");
	assert_string_equal(e.namespace_, "default");
	assert_token(&e, "robot-token.abc");
	kube_endpoint_free(&e);
}

static void test_token_file(void **state)
{
	(void)state;
	struct kube_endpoint e;
	char want[PATH_MAX + 64];

	load_ok(fixture("token-file.yaml"), NULL, &e);
	assert_string_equal(e.server, "https://kube.example.net");
	snprintf(want, sizeof(want), "%s/token", fixtures());
	assert_string_equal(e.token_file, want);
	assert_string_equal(e.namespace_, "kbgp-system");
	/* Read at the first use, its newline dropped. */
	assert_token(&e, "first-token");
	kube_endpoint_free(&e);
}

static void test_json_kubeconfig(void **state)
{
	(void)state;
	struct kube_endpoint e;
	struct scratch s;

	scratch_init(&s);
	const char *path = scratch_write(
	        &s, "config.json",
	        "{\"apiVersion\": \"v1\", \"kind\": \"Config\", \"current-context\": \"c\",\n"
	        " \"contexts\": [{\"name\": \"c\", \"context\": {\"cluster\": \"k\"}}],\n"
	        " \"clusters\": [{\"name\": \"k\", \"cluster\": {\"server\": "
	        "\"http://127.0.0.1:8080\"}}]}\n");
	load_ok(path, NULL, &e);
	assert_string_equal(e.server, "http://127.0.0.1:8080");
	assert_token(&e, "");
	kube_endpoint_free(&e);
	scratch_free(&s);
}

static void test_exec_plugin_refused(void **state)
{
	(void)state;
	struct kube_endpoint e;
	char err[1024], want[4400];

	assert_int_equal(
	        kube_endpoint_from_kubeconfig(fixture("exec.yaml"), NULL, &e, err, sizeof(err)),
	        -1);
	snprintf(want, sizeof(want),
	         "%s:19:7: Config: users[0].user.exec: kbgp runs no credential plugins: use a "
	         "token, tokenFile or client certificate",
	         fixture("exec.yaml"));
	assert_string_equal(err, want);
}

#define HEAD                                                                                       \
	"apiVersion: v1\n"                                                                         \
	"kind: Config\n"                                                                           \
	"current-context: c\n"                                                                     \
	"contexts:\n"                                                                              \
	"- name: c\n"                                                                              \
	"  context: {cluster: k, user: u}\n"

static void test_errors_name_file_line_field(void **state)
{
	(void)state;

	assert_load_error(HEAD "clusters:\n"
	                       "- name: k\n"
	                       "  cluster:\n"
	                       "    insecure-skip-tls-verify: true\n"
	                       "users:\n"
	                       "- name: u\n"
	                       "  user: {token: t}\n",
	                  NULL,
	                  ":10:5: Config: clusters[0].cluster.server: required field is missing");
	assert_load_error(
	        HEAD "clusters:\n"
	             "- name: k\n"
	             "  cluster:\n"
	             "    server: kube.example.net:6443\n"
	             "users: [{name: u, user: {}}]\n",
	        NULL,
	        ":10:13: Config: clusters[0].cluster.server: must start with https:// (got "
	        "\"kube.example.net:6443\")");
	assert_load_error(HEAD "clusters:\n"
	                       "- name: k\n"
	                       "  cluster:\n"
	                       "    server: https://k\n"
	                       "    certificate-authority-data: LS0t LS0t\n"
	                       "users: [{name: u, user: {}}]\n",
	                  NULL,
	                  ":11:33: Config: clusters[0].cluster.certificate-authority-data: must be "
	                  "base64 (standard alphabet, padded, one line)");
	/* "hello" in base64: not a PEM text. */
	assert_load_error(HEAD
	                  "clusters:\n"
	                  "- name: k\n"
	                  "  cluster: {server: 'https://k', certificate-authority-data: aGVsbG8=}\n"
	                  "users: [{name: u, user: {}}]\n",
	                  NULL,
	                  ":9:62: Config: clusters[0].cluster.certificate-authority-data: does not "
	                  "decode to PEM (no \"-----BEGIN\")");
	assert_load_error(HEAD "clusters:\n"
	                       "- name: k\n"
	                       "  cluster:\n"
	                       "    server: https://k\n"
	                       "    certificate-authority: /nonexistent/ca.crt\n"
	                       "users: [{name: u, user: {}}]\n",
	                  NULL,
	                  ":11:28: Config: clusters[0].cluster.certificate-authority: cannot read "
	                  "/nonexistent/ca.crt: No such file or directory");
	assert_load_error(HEAD "clusters:\n"
	                       "- name: k\n"
	                       "  cluster:\n"
	                       "    server: https://k\n"
	                       "    certificate-authority-data: "
	                       "LS0tLS1CRUdJTiBYLS0tLS0K\n"
	                       "    insecure-skip-tls-verify: true\n"
	                       "users: [{name: u, user: {}}]\n",
	                  NULL,
	                  ":12:31: Config: clusters[0].cluster.insecure-skip-tls-verify: cannot be "
	                  "combined with a certificate authority");
	assert_load_error(
	        HEAD "clusters:\n"
	             "- name: k\n"
	             "  cluster:\n"
	             "    server: https://k\n"
	             "    tls-server-name: kubernetes\n"
	             "users: [{name: u, user: {}}]\n",
	        NULL,
	        ":11:22: Config: clusters[0].cluster.tls-server-name: is not supported: the "
	        "server name must match the certificate");
}

#define CLUSTER                                                                                    \
	"clusters:\n"                                                                              \
	"- name: k\n"                                                                              \
	"  cluster: {server: 'https://k:6443'}\n"

static void test_user_errors(void **state)
{
	(void)state;

	assert_load_error(HEAD CLUSTER "users:\n"
	                               "- name: u\n"
	                               "  user:\n"
	                               "    client-certificate-data: LS0tLS1CRUdJTiBYLS0tLS0K\n"
	                               "    client-certificate: client.crt\n",
	                  NULL,
	                  ":14:25: Config: users[0].user.client-certificate: set either "
	                  "client-certificate-data or client-certificate, not both");
	assert_load_error(
	        HEAD CLUSTER "users:\n"
	                     "- name: u\n"
	                     "  user:\n"
	                     "    client-certificate-data: LS0tLS1CRUdJTiBYLS0tLS0K\n",
	        NULL,
	        ":13:5: Config: users[0].user: a client certificate needs its key, and a key "
	        "its certificate");
	assert_load_error(
	        HEAD CLUSTER "users:\n"
	                     "- name: u\n"
	                     "  user:\n"
	                     "    token: \"two words\"\n",
	        NULL,
	        ":13:12: Config: users[0].user.token: must be visible ASCII, at most 4095 "
	        "bytes");
	assert_load_error(HEAD CLUSTER "users:\n"
	                               "- name: u\n"
	                               "  user:\n"
	                               "    auth-provider: {name: gcp}\n",
	                  NULL,
	                  ":13:20: Config: users[0].user.auth-provider: kbgp runs no credential "
	                  "plugins: use a token, tokenFile or client certificate");
	/* Every problem is counted, the first one shown. */
	assert_load_error(HEAD CLUSTER "users:\n"
	                               "- name: u\n"
	                               "  user: {username: admin, password: secret}\n",
	                  NULL,
	                  ":12:20: Config: users[0].user.username: basic authentication is not "
	                  "supported: use a token or client certificate (and 1 more errors)");
	assert_load_error(HEAD CLUSTER "users:\n"
	                               "- name: u\n"
	                               "  user: {as: root}\n",
	                  NULL, ":12:14: Config: users[0].user.as: impersonation is not supported");
}

static void test_missing_tokenfile(void **state)
{
	(void)state;
	struct kube_endpoint e;
	struct scratch s;
	char err[1024], want[1024];

	scratch_init(&s);
	const char *path = scratch_write(&s, "config",
	                                 HEAD CLUSTER "users:\n"
	                                              "- name: u\n"
	                                              "  user: {tokenFile: missing-token}\n");
	assert_int_equal(kube_endpoint_from_kubeconfig(path, NULL, &e, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	         "%s:12:21: Config: users[0].user.tokenFile: cannot read %s/missing-token: No such "
	         "file or directory",
	         path, s.dir);
	assert_string_equal(err, want);
	scratch_free(&s);
}

static void test_context_errors(void **state)
{
	(void)state;

	assert_load_error(HEAD CLUSTER, "other",
	                  ":5:1: Config: contexts: no entry named \"other\" in contexts");
	assert_load_error("apiVersion: v1\n"
	                  "kind: Config\n"
	                  "current-context: gone\n"
	                  "contexts: []\n",
	                  NULL,
	                  ":3:18: Config: current-context: no entry named \"gone\" in contexts");
	assert_load_error("apiVersion: v1\n"
	                  "kind: Config\n"
	                  "contexts: []\n",
	                  NULL, ":1:1: Config: current-context: required field is missing");
	assert_load_error(HEAD "clusters: []\n", NULL,
	                  ":6:22: Config: contexts[0].context.cluster: no entry named \"k\" in "
	                  "clusters (and 1 more errors)");
	assert_load_error(HEAD CLUSTER, NULL,
	                  ":6:31: Config: contexts[0].context.user: no entry named \"u\" in users");
	assert_load_error("apiVersion: v1\n"
	                  "kind: Pod\n"
	                  "metadata: {name: p}\n",
	                  NULL,
	                  ":2:7: Pod/p: kind: must be \"Config\" in a kubeconfig (got \"Pod\")");
	assert_load_error("apiVersion: v1\n"
	                  "kind: Config\n"
	                  "clusters: [\n",
	                  NULL,
	                  ":4:1: did not find expected node content (while parsing a flow node at "
	                  "4:1)");
	assert_load_error("# nothing here\n", NULL, ": no kubeconfig in the file");
}

/* ---- KUBECONFIG and HOME ---- */

static void test_kubeconfig_env(void **state)
{
	(void)state;
	struct kube_endpoint e;
	struct scratch s;
	char env[4 * PATH_MAX], err[1024];
	char *saved_kc = getenv("KUBECONFIG") ? strdup(getenv("KUBECONFIG")) : NULL;
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	/* The first of several files is read... */
	snprintf(env, sizeof(env), ":%s:/nonexistent/config", fixture("kind.yaml"));
	setenv("KUBECONFIG", env, 1);
	load_ok(NULL, NULL, &e);
	assert_string_equal(e.server, "https://127.0.0.1:41235");
	kube_endpoint_free(&e);

	/* ...and an error says the others were not. */
	snprintf(env, sizeof(env), "%s/exec.yaml:%s/kind.yaml", fixtures(), fixtures());
	setenv("KUBECONFIG", env, 1);
	assert_int_equal(kube_endpoint_from_kubeconfig(NULL, NULL, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "users[0].user.exec: "));
	assert_non_null(
	        strstr(err, " (KUBECONFIG lists several files; kbgp reads only the first)"));
	setenv("KUBECONFIG", "/nonexistent/a:/nonexistent/b", 1);
	assert_int_equal(kube_endpoint_from_kubeconfig(NULL, NULL, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/a: No such file or directory (KUBECONFIG lists "
	                         "several files; kbgp reads only the first)");

	/* Without KUBECONFIG (or with only colons): ~/.kube/config. */
	setenv("KUBECONFIG", "::", 1);
	scratch_init(&s);
	char *kind = fixture_text("kind.yaml", NULL);
	scratch_write(&s, ".kube/config", kind);
	free(kind);
	setenv("HOME", s.dir, 1);
	load_ok(NULL, NULL, &e);
	assert_string_equal(e.server, "https://127.0.0.1:41235");
	kube_endpoint_free(&e);
	unsetenv("KUBECONFIG");
	unsetenv("HOME");
	assert_int_equal(kube_endpoint_from_kubeconfig(NULL, NULL, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "no kubeconfig: KUBECONFIG and HOME are unset or empty");
	scratch_free(&s);

	if (saved_kc != NULL)
		setenv("KUBECONFIG", saved_kc, 1);
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	free(saved_kc);
	free(saved_home);
}

/* ---- token rotation ---- */

static void test_token_rotation(void **state)
{
	(void)state;
	struct kube_endpoint e;
	struct scratch s;
	char small[4];

	scratch_init(&s);
	scratch_write(&s, "tok", "one\n");
	const char *path = scratch_write(&s, "config",
	                                 HEAD CLUSTER "users:\n"
	                                              "- name: u\n"
	                                              "  user: {tokenFile: tok, token: static}\n");
	load_ok(path, NULL, &e);
	assert_token(&e, "one");
	assert_token(&e, "one");
	/* Rewritten in place... */
	scratch_write(&s, "tok", "two-two\n");
	assert_token(&e, "two-two");
	/* ...replaced by a rename, same size... */
	scratch_replace(&s, "tok", "three-3\n");
	assert_token(&e, "three-3");
	/* ...half written (empty): the last token stays... */
	scratch_write(&s, "tok", "");
	assert_token(&e, "three-3");
	scratch_write(&s, "tok", "four");
	assert_token(&e, "four");
	/* ...and so it does when the file is gone for a moment. */
	assert_int_equal(unlink(scratch_path(&s, "tok")), 0);
	assert_token(&e, "four");
	assert_int_equal(kube_endpoint_token(&e, small, sizeof(small)), -1);
	kube_endpoint_free(&e);

	/* Never read, no static token: nothing to send. */
	scratch_write(&s, "tok", "five");
	path = scratch_write(&s, "config",
	                     HEAD CLUSTER "users:\n"
	                                  "- name: u\n"
	                                  "  user: {tokenFile: tok}\n");
	load_ok(path, NULL, &e);
	assert_int_equal(unlink(scratch_path(&s, "tok")), 0);
	assert_int_equal(kube_endpoint_token(&e, small, sizeof(small)), -1);
	kube_endpoint_free(&e);
	scratch_free(&s);
}

/* ---- in a pod ---- */

static void set_service_env(const char *host, const char *port)
{
	if (host != NULL)
		setenv("KUBERNETES_SERVICE_HOST", host, 1);
	else
		unsetenv("KUBERNETES_SERVICE_HOST");
	if (port != NULL)
		setenv("KUBERNETES_SERVICE_PORT", port, 1);
	else
		unsetenv("KUBERNETES_SERVICE_PORT");
}

static void test_in_cluster(void **state)
{
	(void)state;
	struct kube_endpoint e;
	char root[PATH_MAX + 64], want[PATH_MAX + 128], err[1024];

	snprintf(root, sizeof(root), "%s/incluster", fixtures());
	set_service_env("10.96.0.1", "443");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), 0);
	assert_string_equal(e.server, "https://10.96.0.1:443");
	snprintf(want, sizeof(want), "%s" SA_DIR "/ca.crt", root);
	assert_string_equal(e.ca_file, want);
	snprintf(want, sizeof(want), "%s" SA_DIR "/token", root);
	assert_string_equal(e.token_file, want);
	assert_string_equal(e.namespace_, "kbgp-system");
	assert_null(e.ca_pem);
	assert_false(e.insecure_skip_tls_verify);
	assert_token(&e, "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY2"
	                 "91bnQ6a2JncC1zeXN0ZW06a2JncCJ9.c2lnbmF0dXJl");
	kube_endpoint_free(&e);

	set_service_env("fd00:10:96::1", "6443");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), 0);
	assert_string_equal(e.server, "https://[fd00:10:96::1]:6443");
	kube_endpoint_free(&e);

	set_service_env(NULL, "443");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
	                         "set: not running in a pod?");
	set_service_env("10.96.0.1", "https");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "KUBERNETES_SERVICE_PORT: not a port (\"https\")");
	set_service_env("10.96.0.1", "65536");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), -1);
	set_service_env("evil/host", "443");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "KUBERNETES_SERVICE_HOST: not a host (\"evil/host\")");

	set_service_env("10.96.0.1", "443");
	assert_int_equal(kube_endpoint_in_cluster("/nonexistent", &e, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent" SA_DIR "/ca.crt: No such file or directory");
	set_service_env(NULL, NULL);
}

/* The kubelet's layout: token -> ..data/token, ..data -> a timestamped
 * directory, swapped by renaming a new ..data symlink over the old one. */
static void kubelet_publish(const struct scratch *s, const char *version, const char *token)
{
	char dir[128], file[160], link_tmp[256], link[256];

	snprintf(dir, sizeof(dir), "root" SA_DIR "/..%s", version);
	snprintf(file, sizeof(file), "%s/token", dir);
	scratch_write(s, file, token);
	snprintf(file, sizeof(file), "%s/ca.crt", dir);
	scratch_write(s, file, "-----BEGIN CERTIFICATE-----\n");
	snprintf(link_tmp, sizeof(link_tmp), "%s", scratch_path(s, "root" SA_DIR "/..data_tmp"));
	snprintf(link, sizeof(link), "%s", scratch_path(s, "root" SA_DIR "/..data"));
	assert_int_equal(symlink(dir + strlen("root" SA_DIR "/"), link_tmp), 0);
	assert_int_equal(rename(link_tmp, link), 0);
}

static void test_in_cluster_rotation(void **state)
{
	(void)state;
	struct kube_endpoint e;
	struct scratch s;
	char root[128], err[1024];

	scratch_init(&s);
	kubelet_publish(&s, "2026_11_26_10_00_00.1", "token-a");
	assert_int_equal(symlink("..data/token", scratch_path(&s, "root" SA_DIR "/token")), 0);
	assert_int_equal(symlink("..data/ca.crt", scratch_path(&s, "root" SA_DIR "/ca.crt")), 0);
	snprintf(root, sizeof(root), "%s/root", s.dir);
	set_service_env("10.96.0.1", "443");
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), 0);
	/* No namespace file: "default". */
	assert_string_equal(e.namespace_, "default");
	assert_token(&e, "token-a");
	kubelet_publish(&s, "2026_11_26_10_50_00.2", "token-b");
	assert_token(&e, "token-b");
	kube_endpoint_free(&e);

	/* A pod whose token is missing fails at once. */
	assert_int_equal(unlink(scratch_path(&s, "root" SA_DIR "/token")), 0);
	assert_int_equal(kube_endpoint_in_cluster(root, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, SA_DIR "/token: No such file or directory"));
	set_service_env(NULL, NULL);
	scratch_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_embedded_data),
		cmocka_unit_test(test_file_paths_and_contexts),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_json_kubeconfig),
		cmocka_unit_test(test_exec_plugin_refused),
		cmocka_unit_test(test_errors_name_file_line_field),
		cmocka_unit_test(test_user_errors),
		cmocka_unit_test(test_missing_tokenfile),
		cmocka_unit_test(test_context_errors),
		cmocka_unit_test(test_kubeconfig_env),
		cmocka_unit_test(test_token_rotation),
		cmocka_unit_test(test_in_cluster),
		cmocka_unit_test(test_in_cluster_rotation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
