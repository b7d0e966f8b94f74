#!/usr/bin/env python3
"""Offline checks of deploy/ (run by tests/deploy/validate.sh).

  check.py RENDERED.yaml DEPLOY_DIR TESTS_DIR [KBGPCTL] [KBGPD]

RENDERED.yaml is `kubectl kustomize deploy/`.  Checks, each failing the test:
  1. the rendered objects: exactly the expected ones, known kinds, namespace
     and labels;
  2. the agent DaemonSet and operator Deployment: required fields and the
     security settings deploy/ promises;
  3. RBAC: every rule, exactly (widening a role fails);
  4. the CRDs: names, scope, versions, subresources, printer columns, CEL
     rules and a structural schema;
  5. deploy/examples/ and tests/deploy/valid/ pass the CRD schemas (with
     defaults and the CEL rules applied) and kbgp's decoder without a word;
     tests/deploy/invalid/ is refused by both, as each object's annotations
     say;
  6. the Dockerfile and .dockerignore.
Needs PyYAML (Debian: python3-yaml); everything else is the standard library.
"""
import copy
import datetime
import glob
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import yaml

NS = "kbgp-system"
IMAGE = "ghcr.io/kbgp/kbgp"
COMMON_LABELS = {"app.kubernetes.io/name": "kbgp", "app.kubernetes.io/part-of": "kbgp"}

failures = []


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))


def expect(cond, where, msg):
    if not cond:
        fail(where, msg)
    return cond


# ---------------------------------------------------------------- 1. objects

EXPECTED_OBJECTS = {
    ("v1", "Namespace", None, NS),
    ("v1", "ServiceAccount", NS, "kbgp-agent"),
    ("v1", "ServiceAccount", NS, "kbgp-operator"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", None, "kbgp-agent"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", None, "kbgp-operator"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", None, "kbgp-agent"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", None, "kbgp-operator"),
    ("rbac.authorization.k8s.io/v1", "Role", NS, "kbgp-agent-secrets"),
    ("rbac.authorization.k8s.io/v1", "Role", NS, "kbgp-operator"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", NS, "kbgp-agent-secrets"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", NS, "kbgp-operator"),
    ("apps/v1", "DaemonSet", NS, "kbgp-agent"),
    ("apps/v1", "Deployment", NS, "kbgp-operator"),
    ("policy/v1", "PodDisruptionBudget", NS, "kbgp-operator"),
} | {("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, p + ".kbgp.io")
     for p in ("bgpclusterconfigs", "bgppeerconfigs", "bgpadvertisements", "bgpnodeconfigs",
               "bgpnodeconfigoverrides", "loadbalancerippools")}


def key_of(o):
    m = o.get("metadata") or {}
    return (o.get("apiVersion"), o.get("kind"), m.get("namespace"), m.get("name"))


def check_objects(objs):
    keys = [key_of(o) for o in objs]
    expect(len(keys) == len(set(keys)), "render", "an object appears twice")
    for k in sorted(set(keys) - EXPECTED_OBJECTS, key=str):
        fail("render", "unexpected object %s (add it to EXPECTED_OBJECTS once reviewed)" % (k,))
    for k in sorted(EXPECTED_OBJECTS - set(keys), key=str):
        fail("render", "missing object %s" % (k,))
    for o in objs:
        where = "%s/%s" % (o.get("kind"), (o.get("metadata") or {}).get("name"))
        labels = (o.get("metadata") or {}).get("labels") or {}
        for k, v in COMMON_LABELS.items():
            expect(labels.get(k) == v, where, "label %s=%s missing" % (k, v))
        expect("status" not in o, where, "a manifest carries no status")


# -------------------------------------------------------- 2. workloads


def by_kind(objs, kind, name=None):
    return [o for o in objs if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]


def pod_checks(where, w, sas):
    spec = w.get("spec") or {}
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    tmpl = spec.get("template") or {}
    tlabels = (tmpl.get("metadata") or {}).get("labels") or {}
    expect(sel and all(tlabels.get(k) == v for k, v in sel.items()), where,
           "spec.selector must match the template's labels")
    pod = tmpl.get("spec") or {}
    expect(pod.get("serviceAccountName") in sas, where, "serviceAccountName must name a rendered ServiceAccount")
    expect(pod.get("automountServiceAccountToken", True) is True, where, "the token is how --in-cluster authenticates")
    for bad in ("hostPID", "hostIPC", "shareProcessNamespace"):
        expect(not pod.get(bad), where, "%s must be off" % bad)
    expect((pod.get("securityContext") or {}).get("seccompProfile", {}).get("type") == "RuntimeDefault",
           where, "seccompProfile RuntimeDefault")
    cs = pod.get("containers") or []
    expect(len(cs) == 1 and not pod.get("initContainers"), where, "one container, no init containers")
    c = cs[0] if cs else {}
    expect(c.get("name"), where, "container name")
    image = c.get("image", "")
    m = re.fullmatch(re.escape(IMAGE) + r":([A-Za-z0-9_.-]+)", image)
    expect(m and m.group(1) != "latest", where, "image must be %s:<tag> (got %r)" % (IMAGE, image))
    expect(c.get("imagePullPolicy") == "IfNotPresent", where, "imagePullPolicy IfNotPresent")
    expect("command" not in c, where, "the image's ENTRYPOINT (kbgpd) is the command")
    sc = c.get("securityContext") or {}
    expect(sc.get("readOnlyRootFilesystem") is True, where, "readOnlyRootFilesystem")
    expect(sc.get("allowPrivilegeEscalation") is False, where, "allowPrivilegeEscalation false")
    expect(not sc.get("privileged"), where, "not privileged")
    expect((sc.get("capabilities") or {}).get("drop") == ["ALL"], where, "capabilities drop [ALL]")
    res = c.get("resources") or {}
    expect(mebibytes((res.get("requests") or {}).get("memory")) >= 20, where, "memory request >= 20Mi")
    expect((res.get("requests") or {}).get("cpu"), where, "cpu request")
    lim = res.get("limits") or {}
    expect(mebibytes(lim.get("memory")) > mebibytes((res.get("requests") or {}).get("memory")), where,
           "memory limit above the request")
    expect("cpu" not in lim, where, "no CPU limit (throttling costs BGP sessions their hold timers)")
    env = {e["name"]: e for e in c.get("env") or []}
    return pod, c, sc, env


def mebibytes(q):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", str(q or ""))
    return 0 if not m else int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


def field_ref(env, name):
    return ((env.get(name) or {}).get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath")


def probe_is(p, port, host):
    g = (p or {}).get("httpGet") or {}
    return g.get("path") == "/metrics" and g.get("port") == port and g.get("host") == host


def check_agent(objs, sas):
    where = "DaemonSet/kbgp-agent"
    (ds,) = by_kind(objs, "DaemonSet", "kbgp-agent") or [None]
    if ds is None:
        return
    pod, c, sc, env = pod_checks(where, ds, sas)
    expect(pod.get("hostNetwork") is True, where, "hostNetwork")
    expect(pod.get("priorityClassName") == "system-node-critical", where, "priorityClassName system-node-critical")
    expect({"operator": "Exists"} in (pod.get("tolerations") or []), where, "tolerates every taint")
    expect(field_ref(env, "NODE_NAME") == "spec.nodeName", where, "NODE_NAME from spec.nodeName")
    expect(field_ref(env, "POD_NAMESPACE") == "metadata.namespace", where, "POD_NAMESPACE from metadata.namespace")
    args = c.get("args") or []
    expect(args[:1] == ["agent"], where, "args start with the role: agent")
    for a in ("--node=$(NODE_NAME)", "--in-cluster", "--secrets-namespace=$(POD_NAMESPACE)",
              "--run-dir=/run/kbgp", "--metrics=127.0.0.1:9962"):
        expect(a in args, where, "args lack %s" % a)
    expect(not any(a.startswith("--manifests") for a in args), where, "no --manifests in a cluster")
    expect(sorted((sc.get("capabilities") or {}).get("add") or []) == ["NET_ADMIN", "NET_BIND_SERVICE"],
           where, "capabilities add exactly NET_ADMIN and NET_BIND_SERVICE")
    expect(probe_is(c.get("livenessProbe"), 9962, "127.0.0.1"), where, "livenessProbe GET 127.0.0.1:9962/metrics")
    expect(probe_is(c.get("readinessProbe"), 9962, "127.0.0.1"), where, "readinessProbe GET 127.0.0.1:9962/metrics")
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
    run = vols.get(mounts.get("/run/kbgp")) or {}
    expect((run.get("hostPath") or {}).get("path") == "/run/kbgp", where,
           "/run/kbgp is the host's /run/kbgp (graceful-restart markers outlive the Pod)")
    expect(all("hostPath" not in v or v is run for v in vols.values()), where, "no other hostPath")
    expect(all(not m.get("readOnly") for m in c.get("volumeMounts") or [] if m["mountPath"] == "/run/kbgp"),
           where, "/run/kbgp writable")


def check_operator(objs, sas):
    where = "Deployment/kbgp-operator"
    (d,) = by_kind(objs, "Deployment", "kbgp-operator") or [None]
    if d is None:
        return
    pod, c, sc, env = pod_checks(where, d, sas)
    expect(d["spec"].get("replicas") == 2, where, "2 replicas")
    expect(not pod.get("hostNetwork"), where, "no hostNetwork")
    expect(not any("hostPath" in v for v in pod.get("volumes") or []), where, "no hostPath")
    psc = pod.get("securityContext") or {}
    expect(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0, where, "runs as non-root")
    expect(sc.get("runAsUser", psc.get("runAsUser")) != 0, where, "the container does not go back to root")
    expect(not (sc.get("capabilities") or {}).get("add"), where, "no capabilities at all")
    args = c.get("args") or []
    expect(args[:1] == ["operator"], where, "args start with the role: operator")
    for a in ("--in-cluster", "--leader-elect", "--secrets-namespace=$(POD_NAMESPACE)"):
        expect(a in args, where, "args lack %s" % a)
    expect(not any(a.startswith("--pod-cidr-pool") for a in args), where,
           "--pod-cidr-pool only with deploy/extras/podcidr-rbac.yaml, not in the base")
    expect(field_ref(env, "POD_NAMESPACE") == "metadata.namespace", where, "POD_NAMESPACE")
    expect(field_ref(env, "POD_NAME") == "metadata.name", where, "POD_NAME (the Lease holder's identity)")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    expect("--metrics=0.0.0.0:%s" % ports.get("metrics") in args, where, "--metrics on the declared metrics port")
    for probe in ("livenessProbe", "readinessProbe"):
        g = (c.get(probe) or {}).get("httpGet") or {}
        expect(g.get("path") == "/metrics" and g.get("port") in ("metrics", ports.get("metrics")), where,
               "%s GET /metrics on the metrics port" % probe)
    aa = ((pod.get("affinity") or {}).get("podAntiAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or []
    tlabels = d["spec"]["template"]["metadata"]["labels"]
    expect(any(t.get("topologyKey") == "kubernetes.io/hostname" and
               all(tlabels.get(k) == v for k, v in (t.get("labelSelector") or {}).get("matchLabels", {}).items())
               for t in aa), where, "replicas kept apart by hostname")
    pdbs = by_kind(objs, "PodDisruptionBudget", "kbgp-operator")
    expect(pdbs and pdbs[0]["spec"]["selector"]["matchLabels"].items() <= tlabels.items(), where,
           "the PodDisruptionBudget selects the operator")


# ------------------------------------------------------------- 3. RBAC

# (apiGroup, resource, verb, resourceName or "*"): widening any role, or
# narrowing it, fails here first.
READ = ("get", "list", "watch")


def rules(group, resources, verbs, names=("*",)):
    return {(group, r, v, n) for r in resources for v in verbs for n in names}


EXPECTED_RULES = {
    ("ClusterRole", None, "kbgp-agent"):
        rules("", ["nodes", "services"], READ)
        | rules("discovery.k8s.io", ["endpointslices"], READ)
        | rules("kbgp.io", ["bgpnodeconfigs", "bgppeerconfigs", "bgpadvertisements"], READ)
        | rules("kbgp.io", ["bgpnodeconfigs/status"], ("patch", "update"))
        | rules("cilium.io", ["ciliumbgpnodeconfigs", "ciliumbgppeerconfigs", "ciliumbgpadvertisements"], READ)
        | rules("cilium.io", ["ciliumbgpnodeconfigs/status"], ("patch", "update")),
    ("Role", NS, "kbgp-agent-secrets"): rules("", ["secrets"], READ),
    ("ClusterRole", None, "kbgp-operator"):
        rules("", ["nodes", "services"], READ)
        | rules("", ["services/status"], ("patch", "update"))
        | rules("kbgp.io", ["bgpclusterconfigs", "bgppeerconfigs", "bgpnodeconfigoverrides",
                            "loadbalancerippools"], READ)
        | rules("kbgp.io", ["bgpnodeconfigs"], READ + ("create", "update", "delete"))
        | rules("kbgp.io", ["bgpclusterconfigs/status", "bgppeerconfigs/status",
                            "loadbalancerippools/status"], ("patch", "update"))
        | rules("cilium.io", ["ciliumbgpclusterconfigs", "ciliumbgppeerconfigs", "ciliumbgpnodeconfigoverrides",
                              "ciliumloadbalancerippools"], READ)
        | rules("cilium.io", ["ciliumbgpnodeconfigs"], READ + ("create", "update", "delete"))
        | rules("cilium.io", ["ciliumbgpclusterconfigs/status", "ciliumbgppeerconfigs/status",
                              "ciliumloadbalancerippools/status"], ("patch", "update")),
    ("Role", NS, "kbgp-operator"):
        rules("", ["secrets"], READ)
        | rules("coordination.k8s.io", ["leases"], ("create",))
        | rules("coordination.k8s.io", ["leases"], ("get", "update"), ("kbgp-operator",)),
}
EXPECTED_EXTRA_RULES = {("ClusterRole", None, "kbgp-operator-podcidr"): rules("", ["nodes"], ("patch",))}
EXPECTED_BINDINGS = {
    ("ClusterRoleBinding", None, "kbgp-agent"): (("ClusterRole", "kbgp-agent"), "kbgp-agent"),
    ("ClusterRoleBinding", None, "kbgp-operator"): (("ClusterRole", "kbgp-operator"), "kbgp-operator"),
    ("RoleBinding", NS, "kbgp-agent-secrets"): (("Role", "kbgp-agent-secrets"), "kbgp-agent"),
    ("RoleBinding", NS, "kbgp-operator"): (("Role", "kbgp-operator"), "kbgp-operator"),
    ("ClusterRoleBinding", None, "kbgp-operator-podcidr"): (("ClusterRole", "kbgp-operator-podcidr"),
                                                           "kbgp-operator"),
}


def flatten_rules(where, role):
    out = set()
    for r in role.get("rules") or []:
        expect(set(r) <= {"apiGroups", "resources", "verbs", "resourceNames"}, where,
               "rules use apiGroups/resources/verbs/resourceNames only")
        for g in r.get("apiGroups") or []:
            for res in r.get("resources") or []:
                for v in r.get("verbs") or []:
                    for n in r.get("resourceNames") or ["*"]:
                        expect("*" not in (g, res, v), where, "no wildcards")
                        out.add((g, res, v, n))
    return out


def check_rbac(objs, expected_rules):
    for o in objs:
        kind, meta = o["kind"], o["metadata"]
        key = (kind, meta.get("namespace"), meta["name"])
        where = "%s/%s" % (kind, meta["name"])
        if kind in ("ClusterRole", "Role"):
            want = expected_rules.get(key)
            if not expect(want is not None, where, "no expected rules for it"):
                continue
            got = flatten_rules(where, o)
            for r in sorted(got - want):
                fail(where, "grants more than it should: %s" % (r,))
            for r in sorted(want - got):
                fail(where, "lacks %s" % (r,))
            if kind == "ClusterRole":
                expect(not any(r[1] == "secrets" for r in got), where, "Secrets only through a namespaced Role")
        elif kind in ("ClusterRoleBinding", "RoleBinding"):
            want = EXPECTED_BINDINGS.get(key)
            if not expect(want is not None, where, "unexpected binding"):
                continue
            ref = o.get("roleRef") or {}
            expect((ref.get("kind"), ref.get("name")) == want[0], where, "roleRef must be %s/%s" % want[0])
            expect(o.get("subjects") == [{"kind": "ServiceAccount", "name": want[1], "namespace": NS}], where,
                   "the only subject is ServiceAccount %s/%s" % (NS, want[1]))


# ------------------------------------------------------------- 4. CRDs

EXPECTED_CRDS = {
    # plural: (kind, shortNames, categories, status subresource, printer columns)
    "bgpclusterconfigs": ("BGPClusterConfig", ["kbgpcluster"], ["kbgp", "kbgpbgp"], True, ["Age"]),
    "bgppeerconfigs": ("BGPPeerConfig", ["kbgppeer"], ["kbgp", "kbgpbgp"], True, ["Age"]),
    "bgpadvertisements": ("BGPAdvertisement", ["kbgpadvert"], ["kbgp", "kbgpbgp"], False, ["Age"]),
    "bgpnodeconfigs": ("BGPNodeConfig", ["kbgpnode"], ["kbgp", "kbgpbgp"], True, ["Age"]),
    "bgpnodeconfigoverrides": ("BGPNodeConfigOverride", ["kbgpnodeoverride"], ["kbgp", "kbgpbgp"], False, ["Age"]),
    "loadbalancerippools": ("LoadBalancerIPPool", ["klbippool", "klbippools"], ["kbgp"], True,
                            ["Disabled", "Conflicting", "IPs Available", "Age"]),
}

# Every CEL rule the CRDs may carry, with Cilium's (or kbgp's) message and
# what it means, for the offline validator.  A rule not listed fails the
# test: teach it here first.
CEL = {
    "self.keepAliveTimeSeconds <= self.holdTimeSeconds":
        ("keepAliveTimeSeconds can not be larger than holdTimeSeconds",
         lambda s: s["keepAliveTimeSeconds"] <= s["holdTimeSeconds"]),
    "self.advertisementType != 'Service' || has(self.service)":
        ("service field is required for the 'Service' advertisementType",
         lambda s: s["advertisementType"] != "Service" or "service" in s),
    "self.advertisementType != 'PodCIDR' || !has(self.selector)":
        ("selector field is not allowed for the 'PodCIDR' advertisementType",
         lambda s: s["advertisementType"] != "PodCIDR" or "selector" not in s),
    "has(self.cidr) ? !has(self.start) && !has(self.stop) : has(self.start)":
        ("a block is either a cidr or a start/stop range",
         lambda s: ("start" not in s and "stop" not in s) if "cidr" in s else "start" in s),
}
EXPECTED_CEL = {
    "bgppeerconfigs": {"keepAliveTimeSeconds can not be larger than holdTimeSeconds"},
    "bgpadvertisements": {"service field is required for the 'Service' advertisementType",
                          "selector field is not allowed for the 'PodCIDR' advertisementType"},
    "loadbalancerippools": {"a block is either a cidr or a start/stop range"},
}
# The listType=map lists and their keys, by schema path.
EXPECTED_MAP_LISTS = {
    "bgpclusterconfigs": {".spec.bgpInstances": ["name"], ".spec.bgpInstances[].peers": ["name"],
                          ".status.conditions": ["type"]},
    "bgppeerconfigs": {".status.conditions": ["type"]},
    "bgpadvertisements": {},
    "bgpnodeconfigs": {".spec.bgpInstances": ["name"], ".spec.bgpInstances[].peers": ["name"],
                       ".status.bgpInstances": ["name"], ".status.bgpInstances[].peers": ["name"],
                       ".status.conditions": ["type"]},
    "bgpnodeconfigoverrides": {".spec.bgpInstances": ["name"], ".spec.bgpInstances[].peers": ["name"]},
    "loadbalancerippools": {".status.conditions": ["type"]},
}

ALLOWED_KEYWORDS = {
    "type", "format", "description", "title", "properties", "required", "items", "enum", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems",
    "maxItems", "minProperties", "maxProperties", "default", "anyOf", "allOf", "oneOf", "not",
    "additionalProperties", "nullable", "example",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations",
}
FORBIDDEN_IN_JUNCTORS = {"type", "description", "title", "default", "additionalProperties", "nullable",
                         "properties", "items", "x-kubernetes-validations", "x-kubernetes-list-type",
                         "x-kubernetes-list-map-keys", "x-kubernetes-map-type"}
FORMATS = {"ipv4", "ipv6", "cidr", "int32", "int64", "date-time"}
SCALARS = {"string", "integer", "number", "boolean"}


def check_structural(where, node, path, maps, in_junctor=False):
    if not isinstance(node, dict):
        fail(where, "%s: a schema must be an object" % path)
        return
    for k in node:
        expect(k in ALLOWED_KEYWORDS, where, "%s: keyword %r is not allowed (structural schemas)" % (path, k))
    if in_junctor:
        for k in FORBIDDEN_IN_JUNCTORS & set(node):
            fail(where, "%s: %r inside anyOf/allOf/oneOf/not" % (path, k))
    else:
        expect(node.get("type") in SCALARS | {"object", "array"}, where, "%s: every schema needs a type" % path)
    t = node.get("type")
    if "format" in node:
        expect(node["format"] in FORMATS, where, "%s: unknown format %r" % (path, node["format"]))
    if "pattern" in node:
        p = node["pattern"]
        expect(not re.search(r"\(\?[=!<]|\\[1-9]", p), where, "%s: no lookaround or backreference (RE2)" % path)
        try:
            re.compile(p)
        except re.error as e:
            fail(where, "%s: pattern does not compile: %s" % (path, e))
    if t == "object":
        props, addl = node.get("properties"), node.get("additionalProperties")
        expect(not (props is not None and addl is not None), where,
               "%s: properties and additionalProperties are exclusive" % path)
        expect(props is not None or addl is not None or path == ".metadata", where,
               "%s: an object needs properties (else it is pruned to {})" % path)
        if path == ".metadata":
            expect(set(node) == {"type"}, where, ".metadata: only type: object is allowed")
        for r in node.get("required") or []:
            expect(r in (props or {}), where, "%s: required %r is not a property" % (path, r))
        for name, sub in (props or {}).items():
            check_structural(where, sub, "%s.%s" % (path, name), maps, in_junctor)
        if isinstance(addl, dict):
            check_structural(where, addl, path + "{}", maps, in_junctor)
        expect(not isinstance(addl, bool) or path == "", where, "%s: additionalProperties must be a schema" % path)
    elif t == "array":
        items = node.get("items")
        if expect(isinstance(items, dict), where, "%s: an array needs items" % path):
            check_structural(where, items, path + "[]", maps, in_junctor)
        lt = node.get("x-kubernetes-list-type")
        expect(lt in (None, "atomic", "set", "map"), where, "%s: list type %r" % (path, lt))
        if lt == "map":
            keys = node.get("x-kubernetes-list-map-keys") or []
            maps[path] = keys
            ip = (items or {}).get("properties") or {}
            for k in keys:
                expect(k in ((items or {}).get("required") or []) or "default" in ip.get(k, {}), where,
                       "%s: map key %r must be required" % (path, k))
                expect(ip.get(k, {}).get("type") in SCALARS, where, "%s: map key %r must be a scalar" % (path, k))
        else:
            expect("x-kubernetes-list-map-keys" not in node, where, "%s: map keys without listType map" % path)
        if lt == "set":
            expect((items or {}).get("type") in SCALARS, where, "%s: a set holds scalars" % path)
    for rule in node.get("x-kubernetes-validations") or []:
        known = CEL.get(rule.get("rule"))
        if expect(known is not None, where, "%s: CEL rule %r unknown to check.py" % (path, rule.get("rule"))):
            expect(rule.get("message") == known[0], where, "%s: CEL message %r" % (path, rule.get("message")))
    for j in ("anyOf", "allOf", "oneOf"):
        for i, sub in enumerate(node.get(j) or []):
            check_structural(where, sub, "%s(%s%d)" % (path, j, i), maps, True)
    if "not" in node:
        check_structural(where, node["not"], path + "(not)", maps, True)
    if "default" in node and not in_junctor:
        errs = []
        validate(node, copy.deepcopy(node["default"]), path, errs)
        expect(not errs, where, "%s: the default does not validate: %s" % (path, errs))


def cel_messages(node, acc):
    if isinstance(node, dict):
        for r in node.get("x-kubernetes-validations") or []:
            acc.add(r.get("message"))
        for v in node.values():
            cel_messages(v, acc)
    elif isinstance(node, list):
        for v in node:
            cel_messages(v, acc)
    return acc


def check_crds(objs):
    crds = {}
    for o in by_kind(objs, "CustomResourceDefinition"):
        name = o["metadata"]["name"]
        where = "CRD/" + name
        spec = o.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural")
        if not expect(plural in EXPECTED_CRDS and name == plural + ".kbgp.io", where, "unexpected CRD"):
            continue
        kind, short, cats, status, columns = EXPECTED_CRDS[plural]
        names = spec["names"]
        expect(spec.get("group") == "kbgp.io", where, "group kbgp.io")
        expect(spec.get("scope") == "Cluster", where, "cluster-scoped")
        expect(names.get("kind") == kind and names.get("listKind") == kind + "List" and
               names.get("singular") == plural[:-1] == kind.lower(), where, "kind/listKind/singular")
        expect(names.get("shortNames") == short, where, "shortNames %s" % short)
        expect(names.get("categories") == cats, where, "categories %s" % cats)
        vs = spec.get("versions") or []
        if not expect(len(vs) == 1 and vs[0].get("name") == "v1alpha1" and vs[0].get("served") is True and
                      vs[0].get("storage") is True, where, "one version, v1alpha1, served and stored"):
            continue
        v = vs[0]
        expect(((v.get("subresources") or {}).get("status") == {}) == status, where,
               "status subresource %s" % ("expected" if status else "unexpected"))
        expect(set(v.get("subresources") or {}) <= {"status"}, where, "no scale subresource")
        cols = v.get("additionalPrinterColumns") or []
        expect([c.get("name") for c in cols] == columns, where, "printer columns %s" % columns)
        for c in cols:
            expect(c.get("type") in ("string", "boolean", "date", "integer", "number") and
                   c.get("jsonPath", "").startswith("."), where, "printer column %r" % c.get("name"))
        if plural == "loadbalancerippools":
            paths = [c["jsonPath"] for c in cols]
            expect(paths == [".spec.disabled", '.status.conditions[?(@.type=="cilium.io/PoolConflict")].status',
                             '.status.conditions[?(@.type=="cilium.io/IPsAvailable")].message',
                             ".metadata.creationTimestamp"], where, "Cilium's pool columns")
        schema = (v.get("schema") or {}).get("openAPIV3Schema") or {}
        expect(schema.get("type") == "object", where, "the root is an object")
        props = schema.get("properties") or {}
        expect({"apiVersion", "kind", "metadata", "spec"} <= set(props), where, "apiVersion, kind, metadata, spec")
        expect(("status" in props) == status, where, "a status schema exactly when there is a status subresource")
        maps = {}
        check_structural(where, schema, "", maps)
        expect(maps == EXPECTED_MAP_LISTS[plural], where, "listType=map lists %s, expected %s" %
               (maps, EXPECTED_MAP_LISTS[plural]))
        expect(cel_messages(schema, set()) == EXPECTED_CEL.get(plural, set()), where, "CEL rules %s" %
               EXPECTED_CEL.get(plural, set()))
        crds[(kind, "kbgp.io/v1alpha1")] = schema
    return crds


# ---------------------------------------------- 5. the schema validator

def type_ok(t, v):
    return {"object": isinstance(v, dict), "array": isinstance(v, list), "string": isinstance(v, str),
            "boolean": isinstance(v, bool), "integer": isinstance(v, int) and not isinstance(v, bool),
            "number": isinstance(v, (int, float)) and not isinstance(v, bool)}.get(t, False)


def format_ok(fmt, v):
    if not isinstance(v, str):
        return True
    try:
        if fmt == "ipv4":
            socket.inet_pton(socket.AF_INET, v)
        elif fmt == "ipv6":
            socket.inet_pton(socket.AF_INET6, v)
        elif fmt == "cidr":  # Go's net.ParseCIDR: host bits allowed
            if "/" not in v:
                return False
            ipaddress.ip_network(v, strict=False)
        elif fmt == "date-time":
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return True
    except (OSError, ValueError):
        return False


def apply_defaults(node, v):
    if isinstance(v, dict) and node.get("type") == "object":
        for name, sub in (node.get("properties") or {}).items():
            if name not in v and "default" in sub:
                v[name] = copy.deepcopy(sub["default"])
            if name in v:
                apply_defaults(sub, v[name])
    elif isinstance(v, list) and isinstance(node.get("items"), dict):
        for x in v:
            apply_defaults(node["items"], x)


def validate(node, v, path, errs):
    """API-server-like validation of v (defaults already applied): strict
    field validation, the OpenAPI keywords the CRDs use, list types and the
    CEL rules of the CEL table."""
    def err(msg):
        errs.append("%s: %s" % (path or "<root>", msg))
    t = node.get("type")
    if v is None:
        err("Required value (null)")
        return
    if t and not type_ok(t, v):
        err("Invalid value: must be of type %s" % t)
        return
    if "enum" in node and v not in node["enum"]:
        err("Unsupported value: %r: supported values: %s" % (v, node["enum"]))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in node and v < node["minimum"]:
            err("Invalid value: %s: should be greater than or equal to %s" % (v, node["minimum"]))
        if "maximum" in node and v > node["maximum"]:
            err("Invalid value: %s: should be less than or equal to %s" % (v, node["maximum"]))
        fmt = node.get("format")
        if fmt == "int32" and not -2**31 <= v < 2**31 or fmt == "int64" and not -2**63 <= v < 2**63:
            err("Invalid value: %s: out of %s range" % (v, fmt))
    if isinstance(v, str):
        if "minLength" in node and len(v) < node["minLength"]:
            err("Invalid value: should be at least %d chars long" % node["minLength"])
        if "maxLength" in node and len(v) > node["maxLength"]:
            err("Too long: may not be longer than %d" % node["maxLength"])
        if "pattern" in node and (not re.search(node["pattern"], v) or "\n" in v):
            err("Invalid value: %r: should match %r" % (v, node["pattern"][:40] + "..."))
        if node.get("format") in FORMATS - {"int32", "int64"} and not format_ok(node["format"], v):
            err("Invalid value: %r: must be of type %s" % (v, node["format"]))
    for j in ("anyOf",):
        if j in node and not any(not _errs(sub, v, path) for sub in node[j]):
            err("Invalid value: %r: must validate at least one schema (anyOf)" % (v,))
    if isinstance(v, dict):
        props = node.get("properties")
        for r in node.get("required") or []:
            if r not in v:
                errs.append("%s.%s: Required value" % (path, r))
        for k, x in v.items():
            if props is not None and k in props:
                validate(props[k], x, "%s.%s" % (path, k), errs)
            elif isinstance(node.get("additionalProperties"), dict):
                validate(node["additionalProperties"], x, "%s.%s" % (path, k), errs)
            elif props is not None:
                errs.append("%s.%s: unknown field" % (path, k))
    if isinstance(v, list):
        if "minItems" in node and len(v) < node["minItems"]:
            err("Invalid value: %d: should have at least %d items" % (len(v), node["minItems"]))
        if "maxItems" in node and len(v) > node["maxItems"]:
            err("Too many: %d: must have at most %d items" % (len(v), node["maxItems"]))
        lt = node.get("x-kubernetes-list-type")
        seen = {}
        for i, x in enumerate(v):
            validate(node.get("items") or {}, x, "%s[%d]" % (path, i), errs)
            if lt == "set" or lt == "map" and isinstance(x, dict):
                key = json.dumps(x if lt == "set" else [x.get(k) for k in node["x-kubernetes-list-map-keys"]])
                if key in seen:
                    errs.append("%s[%d]: Duplicate value: %s" % (path, i, key))
                seen[key] = i
    if isinstance(v, dict):
        for rule in node.get("x-kubernetes-validations") or []:
            msg, fn = CEL[rule["rule"]]
            try:
                ok = fn(v)
            except (KeyError, TypeError):
                ok = False  # a field the rule reads is absent or mistyped: the API server refuses too
            if not ok:
                err("Invalid value: %s" % msg)


def _errs(node, v, path):
    e = []
    validate(node, v, path, e)
    return e


def validate_object(crds, o):
    key = (o.get("kind"), o.get("apiVersion"))
    if key not in crds:
        return ["%s %s: no CRD serves it" % key]
    m = o.get("metadata") or {}
    errs = []
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", m.get("name") or "") \
            or len(m["name"]) > 253:
        errs.append("metadata.name: Invalid value")
    if "namespace" in m:
        errs.append("metadata.namespace: cluster-scoped")
    body = copy.deepcopy({k: v for k, v in o.items() if k != "metadata"})
    body["metadata"] = {}
    schema = crds[key]
    apply_defaults(schema, body)
    validate(schema, body, "", errs)
    return errs


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def decoder_warnings(kbgpctl, docs):
    """kbgp's own decoder on docs: the Warning lines kbgpctl --manifests prints."""
    d = tempfile.mkdtemp(prefix="kbgp-deploy-")
    try:
        with open(os.path.join(d, "objects.json"), "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": docs}, f)
        p = subprocess.run([kbgpctl, "--manifests", d, "get", "nodes"], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            return ["kbgpctl exited %d: %s" % (p.returncode, p.stderr.strip())]
        # kubectl's habit, kept by kbgpctl: "No resources found" on stderr.
        return [l for l in p.stderr.splitlines() if l.strip() and l.strip() != "No resources found"]
    finally:
        shutil.rmtree(d)


def check_examples(crds, deploy, tests, kbgpctl):
    valid = sorted(glob.glob(os.path.join(deploy, "examples", "*.yaml"))) + \
        sorted(glob.glob(os.path.join(tests, "valid", "*.yaml")))
    expect(len(valid) >= 2, "examples", "deploy/examples/ and tests/deploy/valid/ hold the valid objects")
    kinds = set()
    for path in valid:
        docs = load_docs(path)
        rel = os.path.relpath(path, os.path.dirname(deploy))
        for o in docs:
            kinds.add(o.get("kind"))
            for e in validate_object(crds, o):
                fail(rel, "%s/%s: %s" % (o.get("kind"), (o.get("metadata") or {}).get("name"), e))
        if kbgpctl:
            for w in decoder_warnings(kbgpctl, docs):
                fail(rel, "kbgp's decoder: %s" % w)
    expect(kinds >= {k for k, _ in crds}, "examples", "every kind has a valid example (got %s)" % sorted(kinds))
    n = 0
    for path in sorted(glob.glob(os.path.join(tests, "invalid", "*.yaml"))):
        rel = os.path.relpath(path, os.path.dirname(deploy))
        for o in load_docs(path):
            n += 1
            ann = (o.get("metadata") or {}).get("annotations") or {}
            where = "%s: %s/%s" % (rel, o.get("kind"), o["metadata"]["name"])
            errs = validate_object(crds, o)
            if "test.kbgp.io/schema-accepts" in ann:
                expect(not errs, where, "the schema now refuses it (%s): drop schema-accepts" % errs)
            elif expect(errs, where, "the schema accepts it"):
                want = ann.get("test.kbgp.io/expect", "")
                expect(any(want in e for e in errs), where, "no error contains %r: %s" % (want, errs))
            if kbgpctl:
                obj = "%s/%s:" % (o["kind"], o["metadata"]["name"])
                ws = [w for w in decoder_warnings(kbgpctl, [o]) if obj in w]
                if "test.kbgp.io/decoder-accepts" in ann:
                    expect(not ws, where, "kbgp's decoder now refuses it: drop decoder-accepts (%s)" % ws)
                else:
                    expect(ws, where, "kbgp's decoder accepts it")
    expect(n >= 10, "invalid", "tests/deploy/invalid/ holds the refused objects")
    return len(valid), n


# ---------------------------------------------- 6. Dockerfile

RUNTIME_PACKAGES = {"libev4", "libmnl0", "libyaml-0-2", "libjansson4", "libcurl4"}


def check_dockerfile(deploy, kbgpd):
    where = "deploy/Dockerfile"
    text = open(os.path.join(deploy, "Dockerfile")).read()
    lines = [l.strip() for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.lstrip().startswith("#")]
    froms = [l for l in lines if l.upper().startswith("FROM ")]
    expect(len(froms) == 2 and froms[0].split()[1] == "debian:bookworm-slim" and
           froms[0].split()[2:] == ["AS", "build"] and froms[1].split()[1:] == ["debian:bookworm-slim"], where,
           "two stages on debian:bookworm-slim, the first named build")
    stages = text.split("\nFROM ")
    runtime = stages[-1] if len(stages) > 1 else ""
    build = stages[1] if len(stages) > 2 else text
    installs = [set(re.findall(r"apt-get install[^&]*?((?:\s+[a-z0-9][a-z0-9.+-]*)+)", re.sub(r"\\\n", " ", s))[0].split())
                if "apt-get install" in s else set() for s in (build, runtime)]
    expect(installs[1] == RUNTIME_PACKAGES, where, "the runtime stage installs exactly %s (got %s)" %
           (sorted(RUNTIME_PACKAGES), sorted(installs[1])))
    expect({"cmake", "ninja-build", "gcc", "pkg-config", "libev-dev", "libmnl-dev", "libyaml-dev",
            "libjansson-dev", "libcurl4-openssl-dev"} <= installs[0], where, "the build stage's packages")
    expect("--no-install-recommends" in runtime and "rm -rf /var/lib/apt/lists" in runtime, where,
           "a small runtime layer")
    expect("-DCMAKE_BUILD_TYPE=Release" in build, where, "a Release build")
    expect(re.search(r"COPY --from=build .*kbgpd .*kbgpctl", runtime), where, "copies kbgpd and kbgpctl")
    user = [l.split()[1] for l in lines if l.upper().startswith("USER ")]
    expect(user and user[-1].split(":")[0] not in ("0", "root"), where, "runs as non-root")
    expect(lines and lines[-1] == 'ENTRYPOINT ["kbgpd"]', where, 'ENTRYPOINT ["kbgpd"] last')
    ignore = open(os.path.join(os.path.dirname(deploy), ".dockerignore")).read().split()
    expect({".git", "build", "build-*"} <= set(ignore), ".dockerignore", "leaves out .git and the build trees")
    # Every library kbgpd links directly comes from a runtime package (or
    # libc6); what those libraries need in turn, apt installs with them.
    if kbgpd and shutil.which("ldd") and shutil.which("dpkg") and shutil.which("readelf"):
        out = subprocess.run(["ldd", kbgpd], capture_output=True, text=True).stdout
        if re.search(r"lib(asan|ubsan|tsan)", out):
            out = ""  # a sanitizer build links the sanitizers' runtime, not the image's
        elf = subprocess.run(["readelf", "-d", kbgpd], capture_output=True, text=True).stdout
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", elf))
        direct = [path for name, path in re.findall(r"^\s*(\S+) => (/\S+)", out, re.M)
                  if name in needed]
        for lib in direct:
            p = subprocess.run(["dpkg", "-S", os.path.realpath(lib)], capture_output=True, text=True)
            if p.returncode != 0:
                p = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True)
            pkg = p.stdout.split(":")[0] if p.returncode == 0 else None
            expect(pkg in RUNTIME_PACKAGES | {"libc6", "libgcc-s1"}, where,
                   "kbgpd links %s (package %s), which the runtime stage does not install" % (lib, pkg))


# ---------------------------------------------------------------- main

def main():
    rendered, deploy, tests = sys.argv[1:4]
    kbgpctl = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
    kbgpd = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
    objs = load_docs(rendered)
    check_objects(objs)
    sas = {o["metadata"]["name"] for o in by_kind(objs, "ServiceAccount")}
    check_agent(objs, sas)
    check_operator(objs, sas)
    check_rbac(objs, EXPECTED_RULES)
    extras = load_docs(os.path.join(deploy, "extras", "podcidr-rbac.yaml"))
    check_rbac(extras, EXPECTED_EXTRA_RULES)
    expect(not any(o["metadata"]["name"] == "kbgp-operator-podcidr" for o in objs), "render",
           "the PodCIDR role is not in the base")
    crds = check_crds(objs)
    n_valid, n_invalid = check_examples(crds, deploy, tests, kbgpctl)
    check_dockerfile(deploy, kbgpd)
    for f in failures:
        print("FAIL", f)
    print("%d objects rendered, %d CRDs, %d files of valid objects, %d refused objects%s: %s" %
          (len(objs), len(crds), n_valid, n_invalid, "" if kbgpctl else " (no kbgpctl: decoder not checked)",
           "%d failures" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
