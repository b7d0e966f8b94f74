/*
 * kubeconfig: the connection settings of a Kubernetes API client, from a
 * kubeconfig file or from inside a pod, and the bearer token to send, re-read
 * when the kubelet rotates it.  Pure: files are read, nothing is connected.
 *
 * A kubeconfig is read with the manifest loader (YAML or JSON; apiVersion
 * and `kind: Config` are required, as kubectl writes them), so every error
 * is one line "FILE:LINE:COL: Config: FIELD.PATH: message".  What is read:
 * the current context (or the one asked for) and its namespace; its cluster's
 * server, certificate-authority-data or certificate-authority,
 * insecure-skip-tls-verify; its user's client-certificate(-data),
 * client-key(-data), token and tokenFile.  Relative file paths are taken
 * from the kubeconfig's directory, as kubectl does.  Refused with an error
 * naming the field, because kbgp cannot honour them: `exec` and
 * `auth-provider` credential plugins (kbgp runs no plugins), basic auth,
 * impersonation, proxy-url and tls-server-name.
 */
#ifndef KBGP_K8S_KUBECONFIG_H
#define KBGP_K8S_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define KUBE_PATH_MAX  512
#define KUBE_TOKEN_MAX 4096

struct kube_endpoint {
	char server[KUBE_PATH_MAX]; /* http(s)://host:port[/path], no trailing slash */
	char *ca_pem;               /* CA bundle (PEM, NUL-terminated), or NULL */
	size_t ca_len;
	char ca_file[KUBE_PATH_MAX]; /* or a path to it; both empty: system CAs */
	char *cert_pem, *key_pem;    /* client certificate and key (PEM), or NULL */
	size_t cert_len, key_len;
	char cert_file[KUBE_PATH_MAX], key_file[KUBE_PATH_MAX];
	char token[KUBE_TOKEN_MAX];     /* bearer token, or "" */
	char token_file[KUBE_PATH_MAX]; /* re-read when it changes, or "" */
	bool insecure_skip_tls_verify;
	char namespace_[256]; /* the context's namespace, or "default" */

	/* private: the token file as last read */
	struct stat token_st;
	bool token_read;
};

/* Read the kubeconfig at path (NULL: $KUBECONFIG, else ~/.kube/config) with
 * the context named (NULL: current-context).  When $KUBECONFIG lists several
 * files only the first is read, and an error says so.  0, or -1 with err
 * filled (the first problem, and how many more there were). */
int kube_endpoint_from_kubeconfig(const char *path, const char *context, struct kube_endpoint *out,
                                  char *err, size_t err_len);
/* A pod's settings: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
 * (an IPv6 host in brackets), the service account's token file, ca.crt and
 * namespace under root/var/run/secrets/kubernetes.io/serviceaccount (root is
 * "" or NULL but in tests).  The token is read once here, so a pod without one fails
 * now rather than at the first request. */
int kube_endpoint_in_cluster(const char *root, struct kube_endpoint *out, char *err,
                             size_t err_len);
/* The token to send now into out (cap bytes; "" when there is none): the
 * token file is re-read when its inode, size or mtime changed (the kubelet
 * rotates it); if that read fails the last token read is kept.  -1 when
 * there is no token to send but one was configured, or it does not fit. */
int kube_endpoint_token(struct kube_endpoint *e, char *out, size_t cap);
/* Free the PEM copies and wipe the secrets; the struct may be reused. */
void kube_endpoint_free(struct kube_endpoint *e);

#endif
