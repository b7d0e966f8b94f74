#!/usr/bin/env bash
# Offline validation of deploy/: renders the kustomize base with kubectl and
# hands it to check.py (objects, security settings, exact RBAC, structural
# CRD schemas, examples against the schemas and through kbgp's decoder,
# Dockerfile).  Exit 77 (skipped) without kubectl or python3 with PyYAML.
#
#   KUBECTL   kubectl to render with (default: kubectl in PATH; Debian's
#             kubernetes-client 1.20 is the oldest this base is written for)
#   KBGPCTL   kbgpctl whose decoder must accept deploy/examples/ silently
#             and refuse tests/deploy/invalid/ (ctest sets it; default: the
#             first build*/kbgpctl found)
#   KBGPD     kbgpd whose libraries the image must provide (optional)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

kubectl=${KUBECTL:-$(command -v kubectl || true)}
if [ -z "$kubectl" ] || ! "$kubectl" kustomize --help >/dev/null 2>&1; then
	echo "SKIP: no kubectl with kustomize (Debian: kubernetes-client)"
	exit 77
fi
python=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
		python=$p
		break
	fi
done
if [ -z "$python" ]; then
	echo "SKIP: no python3 with PyYAML (Debian: python3-yaml)"
	exit 77
fi
kbgpctl=${KBGPCTL:-}
if [ -z "$kbgpctl" ]; then
	for c in "$root"/build*/kbgpctl; do
		if [ -x "$c" ]; then
			kbgpctl=$c
			break
		fi
	done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# kubectl 1.20's kustomize (v2.0.3) and today's (v5) must both render it;
# v5 warns about commonLabels, which v2.0.3 needs: drop that warning only.
if ! "$kubectl" kustomize "$root/deploy" >"$tmp/rendered.yaml" 2>"$tmp/stderr"; then
	cat "$tmp/stderr" >&2
	echo "FAIL: kubectl kustomize deploy/"
	exit 1
fi
if grep -v "'commonLabels' is deprecated" "$tmp/stderr" | grep -q .; then
	cat "$tmp/stderr" >&2
	echo "FAIL: kubectl kustomize deploy/ warns"
	exit 1
fi
echo "rendered with $("$kubectl" version --client 2>/dev/null | head -1)"

"$python" "$here/check.py" "$tmp/rendered.yaml" "$root/deploy" "$here" "$kbgpctl" "${KBGPD:-}"
