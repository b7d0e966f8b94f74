#!/usr/bin/env python3
# fake_apiserver.py: a small Kubernetes API server for kbgp's tests.
#
# README
# ======
#
# No kube-apiserver can be installed on the test machines, so kbgp's Kubernetes
# source is tested against this server.  It is one Python 3 file, standard
# library only (PyYAML is used if installed, for --seed FILE.yaml and YAML
# bodies; JSON works without it).  It implements the parts of the API kbgp uses
# with the real server's semantics, and stresses clients where the real server
# is allowed to (odd chunk boundaries, chunked lists, 410s, conflicts).
#
# Start
# -----
#
#   tests/k8sapi/fake_apiserver.py --port 0 --dir WORKDIR [--seed FILE.yaml|json|DIR ...]
#
# A seed is a file of objects (YAML documents, JSON, kind: List) or a
# directory read like kbgp's --manifests (*.yaml, *.yml, *.json directly in
# it); kinds the server does not serve are skipped.  Seeded objects are stored
# as given, status included.
#
# It generates a test CA with the openssl command line, listens on 127.0.0.1
# (or the IPv4 address given by --listen, which the server certificate then
# names too, for clients in other network namespaces), writes into WORKDIR:
#
#   ca.crt                  the test CA (server cert is for 127.0.0.1, ::1, localhost, kubernetes*)
#   client.crt client.key   a client certificate signed by the CA (CN=kbgp-test, O=system:masters)
#   token                   bearer token(s), one per line "TOKEN [USER]"; re-read on every request
#   kubeconfig              server (the listen address) + certificate-authority-data + token (inline)
#   kubeconfig-tokenfile    same with tokenFile: WORKDIR/token (follows rotation)
#   kubeconfig-cert         same with client-certificate-data / client-key-data
#   serviceaccount/         token (symlink to ../token), ca.crt, namespace: an in-cluster mount
#   env                     KUBERNETES_SERVICE_HOST=ADDRESS / KUBERNETES_SERVICE_PORT=PORT
#   port control-port pid   the HTTPS port, the plain-HTTP control port, the pid
#
# then prints "ready" on stdout.  SIGTERM/SIGINT stop it cleanly (exit 0).
# Options: --control-port P, --bookmark-interval S (default 1), --chunking
# odd|event|random (default odd), --no-chunked-lists, --history N (keep only the
# last N events: automatic compaction), --initial-rv N (default 1000),
# --min-request-timeout S (watches without timeoutSeconds last S..2S, default
# 1800), --rng-seed N (chunk boundaries), --no-gc,
# --token T, -v (log requests on stderr).
#
# API (HTTPS, bearer token or client certificate)
# ----------------------------------------------
#
# Resources: v1 nodes (cluster), services, secrets (namespaced);
# discovery.k8s.io/v1 endpointslices; coordination.k8s.io/v1 leases;
# cilium.io/v2 and v2alpha1 ciliumbgpclusterconfigs, ciliumbgppeerconfigs,
# ciliumbgpadvertisements, ciliumbgpnodeconfigs, ciliumbgpnodeconfigoverrides,
# ciliumloadbalancerippools (cluster); kbgp.io/v1alpha1 the same without
# "cilium" (bgpclusterconfigs, ..., loadbalancerippools).  Both versions of
# cilium.io share storage (conversion None: only apiVersion changes).  Status
# subresource on nodes, services and the cluster/peer/node configs and pools.
# Discovery (/api, /apis, /apis/G, /apis/G/V), /version, /healthz, /livez,
# /readyz, and read-only customresourcedefinitions for the enabled CRD groups.
#
# Semantics, as the real server:
# - one resourceVersion counter for everything (like etcd), bumped by each
#   write; writes that change nothing (no-op updates) keep the RV and send no
#   event; uid, creationTimestamp, generation (CRDs, services, endpointslices;
#   bumped when anything but metadata/status changes).
# - LIST: kind XList, metadata.resourceVersion, labelSelector (=, ==, !=, in,
#   notin, exists, !exists, gt, lt), fieldSelector (metadata.name,
#   metadata.namespace, a few per kind; others 400), limit/continue (snapshot
#   at the first page's RV, 410 Expired once compacted), resourceVersion
#   unset/0/N and resourceVersionMatch Exact/NotOlderThan (Exact reconstructs
#   the old state from history; too new waits 3 s then 504).  Items of built-in
#   kinds carry no kind/apiVersion, CRD items do (as the real server).
# - WATCH (?watch=1 or /watch/ paths): chunked, one JSON event per line;
#   RV unset or 0 = synthetic ADDED for the current state first; RV N = events
#   after N, or one ERROR event 410 Expired "too old resource version" when N
#   is older than the compaction point; allowWatchBookmarks bookmarks every
#   --bookmark-interval s (only metadata.resourceVersion, kind, apiVersion);
#   sendInitialEvents=true (with resourceVersionMatch=NotOlderThan) ends the
#   initial state with a bookmark annotated k8s.io/initial-events-end;
#   timeoutSeconds ends the stream cleanly; selectors with the cacher's
#   transitions (an object leaving the selector is DELETED, entering ADDED);
#   DELETED carries the last state with the deletion's RV.
#   --chunking odd (default) writes each batch of events in chunks of 1..7
#   bytes with some larger ones spanning events, always cutting inside a
#   multi-byte UTF-8 character when there is one; "event" is one chunk per
#   event like the real server; "random" is 1..4096.  Non-watch bodies over
#   2 KiB are chunked too (as Go's net/http does), in 1..4096-byte chunks.
# - POST (201; 409 AlreadyExists; generateName; 500 when resourceVersion is
#   set, as the real server), PUT (409 Conflict on a stale
#   metadata.resourceVersion or a different uid; status ignored on the main
#   resource and everything but status ignored on /status for kinds with a
#   status subresource; CRDs and Services drop status on create, Nodes keep
#   it; Leases may be created by PUT; CRs and Leases need
#   metadata.resourceVersion on PUT, else 422, as their strategies disallow
#   unconditional updates), PATCH application/merge-patch+json
#   (RFC 7386) and application/json-patch+json (RFC 6902: add, remove,
#   replace, move, copy, test; failure 422) on the resource and /status, with
#   optimistic locking when the patch carries metadata.resourceVersion;
#   strategic-merge and apply patches get 415.  DELETE (preconditions; with
#   finalizers: deletionTimestamp, 202, deleted when an update empties them;
#   CRDs return the object, built-ins a Success Status), deletecollection.
#   Owner references: background garbage collection (~0.1 s later) of objects
#   whose owners (by uid) are all gone, as kube-controller-manager does, unless
#   --no-gc: seed dependents only with their owners' real uids.
# - Services: clusterIP(s) from 10.96.0.0/16, nodePorts from 30000 for
#   NodePort/LoadBalancer, the usual defaults (ipFamilies, policies); kept on
#   update when omitted.
# - Errors are v1 Status objects with the real code, reason, message, details.
# - Auth: TLS with the generated CA; a verified client certificate (user = CN)
#   or a bearer token from the token file; a wrong token is 401, no
#   credentials is system:anonymous and 403 (except /version, /healthz,
#   /livez, /readyz), as with anonymous auth enabled.
#
# Not implemented: CRD schema defaulting, pruning and CEL validation;
# strategic merge patch and server-side apply; managedFields; namespaces as
# objects (any namespace exists); RBAC (see /forbid below for denials); HTTP/2.
#
# Control API (plain HTTP on 127.0.0.1:$(cat control-port), no auth, JSON)
# -----------------------------------------------------------------------
#
#   GET    /state                      {resourceVersion, compacted, outage, watches, token, ...}
#   GET    /objects?group=&resource=&namespace=&name=   current objects (a List)
#   POST   /objects                    object, List or array: create or replace
#                                      as given (status kept), with watch events
#   DELETE /objects?group=&resource=&namespace=&name=   delete matching (events)
#   POST   /compact {"resourceVersion": N}   forget history up to N (default:
#                                      now): older watches/lists/continues get 410
#   GET    /events?since=RV            the event history after RV
#   GET    /watches                    open watches (id, path, query, user, sent)
#   POST   /watches/drop {"mode": M, "next": bool, "resource": PLURAL}
#          M = clean (end the stream properly), reset (close at a chunk
#          boundary), mid-event (send half an event, then close), mid-chunk
#          (announce a chunk, send half of it, close).  next=true cuts the
#          next real event each matching watch sends instead of now.
#   POST   /watches/stall {"on": true|false}   stop writing to watches (events
#                                      queue up, no bookmarks): dead connections
#   POST   /outage {"mode": M, "code": 503}    M = refuse (close the port and
#          every open connection), reset (close every open connection; accept
#          new ones and reset them), hang (a black hole: open connections go
#          silent, watches stall, new connections are accepted but never get
#          a TLS handshake), http (answer every API request with code, e.g.
#          503, 429, 500), none (end it; hung connections are then closed,
#          stalled watches resume).
#   POST   /token {"token": "T"}       rotate (random when omitted): old -> 401
#   GET    /requests?since=SEQ&method=&path=REGEX&verb=&wait=SECONDS&min=N
#          the request log (seq, time, method, path, query, contentType, body,
#          user, verb, resource, subresource, code, watch); wait long-polls
#          until min (default 1) matching entries exist.
#   DELETE /requests                   clear the log
#   POST   /faults {"method","path" (regex),"verb","code","reason","message",
#          "count" (default 1, -1 = forever),"delay" (s)}   inject errors/delays
#   GET    /faults, DELETE /faults
#   POST   /forbid [{"user","verb","group","resource","subresource","namespace","name"}]
#          requests matching a rule (absent fields match anything) get 403
#   DELETE /forbid
#   POST   /groups {"cilium.io": false}   disable/enable an API group (404 and
#                                      gone from discovery: "Cilium not installed")
#   POST   /config {"chunking": "odd|event|random", "bookmarkInterval": S,
#                   "chunkedLists": bool, "gc": bool}
#
# The same control API is served under /_test/ on the control port, so both
# "/objects" and "/_test/objects" work.
#
# Self-test: tests/k8sapi/test_fake_apiserver.sh (bash, curl, jq).

import argparse
import base64
import copy
import ipaddress
import datetime
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

try:
    import yaml  # optional
except ImportError:  # pragma: no cover
    yaml = None

VERBOSE = False


def log(*a):
    if VERBOSE:
        print("fake-apiserver:", *a, file=sys.stderr, flush=True)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(o):
    # Go's encoding/json: compact, UTF-8 as is, <>& escaped.
    s = json.dumps(o, ensure_ascii=False, separators=(",", ":"))
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- resources

class Res:
    def __init__(self, group, versions, plural, kind, namespaced, status, generation,
                 status_on_create=False, create_on_update=False, unconditional=False, fields=()):
        self.group = group
        self.versions = versions
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.status = status                    # has a status subresource
        self.generation = generation            # maintains metadata.generation
        self.builtin = group in ("", "discovery.k8s.io", "coordination.k8s.io")
        self.status_on_create = status_on_create
        self.create_on_update = create_on_update
        self.unconditional = unconditional     # PUT without metadata.resourceVersion allowed
        self.fields = ("metadata.name", "metadata.namespace") + tuple(fields)

    @property
    def gr(self):  # "nodes", "leases.coordination.k8s.io"
        return self.plural if not self.group else self.plural + "." + self.group

    def api_version(self, version):
        return version if not self.group else self.group + "/" + version

    def details(self, name):
        d = {"name": name, "kind": self.plural}
        if self.group:
            d["group"] = self.group
        return d


RESOURCES = [
    Res("", ["v1"], "nodes", "Node", False, True, False, status_on_create=True, unconditional=True,
        fields=("spec.unschedulable",)),
    Res("", ["v1"], "services", "Service", True, True, True, unconditional=True,
        fields=("spec.clusterIP", "spec.type")),
    Res("", ["v1"], "secrets", "Secret", True, False, False, unconditional=True, fields=("type",)),
    Res("discovery.k8s.io", ["v1"], "endpointslices", "EndpointSlice", True, False, True, unconditional=True),
    Res("coordination.k8s.io", ["v1"], "leases", "Lease", True, False, False, create_on_update=True),
]
_BGP_KINDS = [  # (suffix plural, suffix kind, status subresource)
    ("bgpclusterconfigs", "BGPClusterConfig", True),
    ("bgppeerconfigs", "BGPPeerConfig", True),
    ("bgpadvertisements", "BGPAdvertisement", False),
    ("bgpnodeconfigs", "BGPNodeConfig", True),
    ("bgpnodeconfigoverrides", "BGPNodeConfigOverride", False),
    ("loadbalancerippools", "LoadBalancerIPPool", True),
]
for _p, _k, _s in _BGP_KINDS:
    RESOURCES.append(Res("cilium.io", ["v2", "v2alpha1"], "cilium" + _p, "Cilium" + _k, False, _s, True))
for _p, _k, _s in _BGP_KINDS:
    RESOURCES.append(Res("kbgp.io", ["v1alpha1"], _p, _k, False, _s, True))

RES_BY_GVP = {}
for _r in RESOURCES:
    for _v in _r.versions:
        RES_BY_GVP[(_r.group, _v, _r.plural)] = _r
GROUPS = {}  # group -> [versions]
for _r in RESOURCES:
    if _r.group:
        vs = GROUPS.setdefault(_r.group, [])
        for _v in _r.versions:
            if _v not in vs:
                vs.append(_v)


def res_for_kind(api_version, kind):
    group, _, version = api_version.rpartition("/")
    for r in RESOURCES:
        if r.group == group and r.kind == kind and version in r.versions:
            return r, version
    return None, None


# ---------------------------------------------------------------- errors

class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details
        self.headers = headers or {}

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message}
        if self.reason:
            s["reason"] = self.reason
        if self.details:
            s["details"] = self.details
        s["code"] = self.code
        return s


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (res.gr, name), res.details(name))


def already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.gr, name), res.details(name))


def conflict(res, name, why="the object has been modified; please apply your changes to the latest version and try again"):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (res.gr, name, why),
                    res.details(name))


def bad_request(msg):
    return ApiError(400, "BadRequest", msg)


def invalid(res, name, field, ftype, detail):
    d = res.details(name)
    d["kind"] = res.kind
    reason = {"Invalid value": "FieldValueInvalid", "Required value": "FieldValueRequired",
              "Forbidden": "FieldValueForbidden", "Unsupported value": "FieldValueNotSupported"}[ftype]
    d["causes"] = [{"reason": reason, "message": "%s: %s" % (ftype, detail),
                    "field": field}]
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s: %s: %s' % (res.kind, name, field, ftype, detail), d)


def expired(msg):
    return ApiError(410, "Expired", msg)


def too_large_rv(rv, cur):
    return ApiError(504, "Timeout", "Too large resource version: %d, current: %d" % (rv, cur),
                    {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                     "retryAfterSeconds": 1})


def method_not_allowed(method):
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


# ---------------------------------------------------------------- selectors

_LBL_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"


def _split_top(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p.strip() for p in out if p.strip()]


def parse_label_selector(s):
    reqs = []
    if not s:
        return reqs
    for part in _split_top(s):
        m = re.fullmatch(r"!\s*(%s)" % _LBL_KEY, part)
        if m:
            reqs.append(("!", m.group(1), None))
            continue
        m = re.fullmatch(r"(%s)\s+(in|notin)\s+\(([^)]*)\)" % _LBL_KEY, part)
        if m:
            vals = {v.strip() for v in m.group(3).split(",")}
            reqs.append((m.group(2), m.group(1), vals))
            continue
        m = re.fullmatch(r"(%s)\s*(==|!=|=|>|<)\s*([-A-Za-z0-9_.]*)" % _LBL_KEY, part)
        if m:
            op = {"==": "=", "=": "="}.get(m.group(2), m.group(2))
            if op in (">", "<"):
                try:
                    int(m.group(3))
                except ValueError:
                    raise bad_request("unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer")
            reqs.append((op, m.group(1), m.group(3)))
            continue
        m = re.fullmatch(r"(%s)" % _LBL_KEY, part)
        if m:
            reqs.append(("exists", m.group(1), None))
            continue
        raise bad_request("unable to parse requirement: invalid label selector %r" % part)
    return reqs


def label_match(reqs, labels):
    labels = labels or {}
    for op, k, v in reqs:
        has = k in labels
        lv = labels.get(k)
        if op == "!" and has:
            return False
        if op == "exists" and not has:
            return False
        if op == "=" and lv != v:
            return False
        if op == "!=" and lv == v:
            return False
        if op == "in" and (not has or lv not in v):
            return False
        if op == "notin" and has and lv in v:
            return False
        if op in (">", "<"):
            try:
                n = int(lv)
            except (TypeError, ValueError):
                return False
            if (op == ">" and not n > int(v)) or (op == "<" and not n < int(v)):
                return False
    return True


def parse_field_selector(s, res):
    reqs = []
    if not s:
        return reqs
    for part in s.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)", part)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (s, part))
        field, op, val = m.group(1), m.group(2), m.group(3)
        if field not in res.fields:
            raise bad_request('field label not supported: %s' % field)
        reqs.append(("!=" if op == "!=" else "=", field, val))
    return reqs


def field_value(obj, path):
    cur = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_match(reqs, obj):
    for op, f, v in reqs:
        fv = field_value(obj, f)
        if (op == "=" and fv != v) or (op == "!=" and fv == v):
            return False
    return True


# ---------------------------------------------------------------- patches

def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


class PatchError(Exception):
    pass


def _ptr(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _container(doc, toks, path):
    cur = doc
    for t in toks[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchError("doc is missing path: %s" % path)
            cur = cur[t]
        elif isinstance(cur, list):
            try:
                cur = cur[int(t)]
            except (ValueError, IndexError):
                raise PatchError("doc is missing path: %s" % path)
        else:
            raise PatchError("doc is missing path: %s" % path)
    return cur


def _idx(lst, tok, path, allow_end=False):
    if tok == "-" and allow_end:
        return len(lst)
    if not re.fullmatch(r"0|[1-9][0-9]*", tok):
        raise PatchError("invalid array index %r in %s" % (tok, path))
    i = int(tok)
    if i > len(lst) or (i == len(lst) and not allow_end):
        raise PatchError("index out of bounds: %s" % path)
    return i


def _get(doc, path):
    toks = _ptr(path)
    if not toks:
        return doc
    c = _container(doc, toks, path)
    t = toks[-1]
    if isinstance(c, dict):
        if t not in c:
            raise PatchError("doc is missing path: %s" % path)
        return c[t]
    if isinstance(c, list):
        return c[_idx(c, t, path)]
    raise PatchError("doc is missing path: %s" % path)


def _add(doc, path, val):
    toks = _ptr(path)
    if not toks:
        return val
    c = _container(doc, toks, path)
    t = toks[-1]
    if isinstance(c, dict):
        c[t] = val
    elif isinstance(c, list):
        c.insert(_idx(c, t, path, allow_end=True), val)
    else:
        raise PatchError("doc is missing path: %s" % path)
    return doc


def _remove(doc, path):
    toks = _ptr(path)
    if not toks:
        raise PatchError("cannot remove the root")
    c = _container(doc, toks, path)
    t = toks[-1]
    if isinstance(c, dict):
        if t not in c:
            raise PatchError("Unable to remove nonexistent key: %s: missing value" % t)
        return c.pop(t)
    if isinstance(c, list):
        return c.pop(_idx(c, t, path))
    raise PatchError("doc is missing path: %s" % path)


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise ApiError(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise ApiError(400, "BadRequest", "invalid JSON patch operation: %s" % dumps(op))
        kind, path = op["op"], op.get("path")
        if path is None:
            raise PatchError("missing path in %s operation" % kind)
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            toks = _ptr(path)
            if not toks:
                doc = copy.deepcopy(op.get("value"))
            else:
                c = _container(doc, toks, path)
                if isinstance(c, list):
                    c[_idx(c, toks[-1], path)] = copy.deepcopy(op.get("value"))
                else:
                    c[toks[-1]] = copy.deepcopy(op.get("value"))
        elif kind in ("move", "copy"):
            frm = op.get("from")
            if frm is None:
                raise PatchError("missing from in %s operation" % kind)
            val = _remove(doc, frm) if kind == "move" else copy.deepcopy(_get(doc, frm))
            doc = _add(doc, path, val)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise PatchError("testing value %s failed: test failed" % path)
        else:
            raise ApiError(400, "BadRequest", "Unexpected kind: %s" % kind)
    return doc


# ---------------------------------------------------------------- store

class Event:
    __slots__ = ("rv", "type", "res", "key", "obj", "prev")

    def __init__(self, rv, type_, res, key, obj, prev):
        self.rv, self.type, self.res, self.key, self.obj, self.prev = rv, type_, res, key, obj, prev


_NAME_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def strip_meta_status(o):
    return {k: v for k, v in o.items() if k not in ("metadata", "status", "kind", "apiVersion")}


class Store:
    def __init__(self, app, initial_rv=1000, history=0):
        self.app = app
        self.cond = threading.Condition()
        self.rv = initial_rv
        self.compacted = initial_rv
        self.max_history = history
        self.objects = {}     # (group, plural, ns, name) -> obj (stored apiVersion = first version)
        self.history = []     # [Event] with rv > compacted
        self.watchers = set()
        self.next_ip = 10
        self.next_port = 30000

    # -- helpers (call with the lock held)
    @staticmethod
    def key(res, ns, name):
        return (res.group, res.plural, ns or "", name)

    def present(self, res, obj, version):
        o = copy.deepcopy(obj)
        o["apiVersion"] = res.api_version(version)
        o["kind"] = res.kind
        return o

    def commit(self, type_, res, key, obj, prev):
        self.rv += 1
        if type_ == "DELETED":
            obj = copy.deepcopy(obj)
            self.objects.pop(key, None)
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        if type_ != "DELETED":
            self.objects[key] = obj
        ev = Event(self.rv, type_, res, key, obj, prev)
        self.history.append(ev)
        if self.max_history and len(self.history) > self.max_history:
            drop = self.history[:len(self.history) - self.max_history]
            self.history = self.history[len(drop):]
            self.compacted = drop[-1].rv
        for w in list(self.watchers):
            w.offer(ev)
        self.cond.notify_all()
        if type_ == "DELETED" or obj["metadata"].get("ownerReferences"):
            self.app.schedule_gc()
        return obj

    def compact(self, rv=None):
        with self.cond:
            rv = self.rv if rv is None else min(int(rv), self.rv)
            if rv > self.compacted:
                self.compacted = rv
                self.history = [e for e in self.history if e.rv > rv]
            return self.compacted

    def state_at(self, rv):
        if rv >= self.rv:
            return self.objects
        if rv < self.compacted:
            raise expired("too old resource version: %d (%d)" % (rv, self.compacted))
        state = dict(self.objects)
        for ev in reversed(self.history):
            if ev.rv <= rv:
                break
            if ev.type == "ADDED":
                state.pop(ev.key, None)
            else:
                state[ev.key] = ev.prev
        return state

    def wait_rv(self, rv, timeout=3.0):
        end = time.monotonic() + timeout
        while self.rv < rv:
            left = end - time.monotonic()
            if left <= 0:
                raise too_large_rv(rv, self.rv)
            self.cond.wait(left)

    # -- service allocation
    def _service_defaults(self, obj, old=None):
        spec = obj.setdefault("spec", {})
        ospec = (old or {}).get("spec", {}) if old else {}
        spec.setdefault("type", "ClusterIP")
        if spec["type"] != "ExternalName":
            for f in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if not spec.get(f) and ospec.get(f):
                    spec[f] = copy.deepcopy(ospec[f])
            if not spec.get("clusterIP"):
                ips = spec.get("clusterIPs")
                if ips:
                    spec["clusterIP"] = ips[0]
                else:
                    spec["clusterIP"] = "10.96.%d.%d" % (self.next_ip // 250, self.next_ip % 250 + 1)
                    self.next_ip += 1
            if not spec.get("clusterIPs"):
                spec["clusterIPs"] = [spec["clusterIP"]]
            if spec["clusterIP"] != "None":
                spec.setdefault("ipFamilies", ["IPv6" if ":" in spec["clusterIP"] else "IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            if spec["type"] == "LoadBalancer":
                spec.setdefault("allocateLoadBalancerNodePorts", True)
            oports = {(p.get("port"), p.get("protocol", "TCP")): p for p in ospec.get("ports", []) or []}
            for p in spec.get("ports", []) or []:
                p.setdefault("protocol", "TCP")
                if "nodePort" not in p:
                    op = oports.get((p.get("port"), p["protocol"]))
                    if op and op.get("nodePort"):
                        p["nodePort"] = op["nodePort"]
                    elif spec["type"] == "NodePort" or spec.get("allocateLoadBalancerNodePorts", True):
                        p["nodePort"] = self.next_port
                        self.next_port += 1
        for p in spec.get("ports", []) or []:
            p.setdefault("protocol", "TCP")
            if "port" in p:
                p.setdefault("targetPort", p["port"])

    def _check_body(self, res, version, body, ns, name=None):
        if not isinstance(body, dict):
            raise bad_request("the body of the request is not a JSON object")
        av = body.get("apiVersion")
        if av and av != res.api_version(version):
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (av, res.api_version(version)))
        k = body.get("kind")
        if k and k != res.kind:
            raise bad_request("the kind in the data (%s) does not match the expected kind (%s)" % (k, res.kind))
        meta = body.get("metadata")
        if meta is None:
            meta = body["metadata"] = {}
        if not isinstance(meta, dict):
            raise bad_request("metadata is not an object")
        if res.namespaced:
            bns = meta.get("namespace")
            if bns and bns != ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                  "the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if name is not None:
            if meta.get("name") and meta["name"] != name:
                raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                  % (meta["name"], name))
            meta["name"] = name
        return meta

    # -- verbs (lock held by the caller)
    def create(self, res, version, ns, body, internal=False):
        meta = self._check_body(res, version, body, ns)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(random.choice("bcdfghjklmnpqrstvwxz2456789")
                                                          for _ in range(5))
        name = meta.get("name", "")
        if not name:
            raise invalid(res, "", "metadata.name", "Required value", "name or generateName is required")
        if len(name) > 253 or not _NAME_RE.fullmatch(name):
            raise invalid(res, name, "metadata.name", "Invalid value",
                          '"%s": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
                          "characters, '-' or '.', and must start and end with an alphanumeric character" % name)
        if meta.get("resourceVersion") and not internal:
            raise ApiError(500, "InternalError",
                           "Internal error occurred: resourceVersion should not be set on objects to be created")
        key = self.key(res, ns, name)
        if key in self.objects:
            raise already_exists(res, name)
        obj = copy.deepcopy(body)
        meta = obj["metadata"]
        meta["uid"] = str(uuid.uuid4()) if not (internal and meta.get("uid")) else meta["uid"]
        if not (internal and meta.get("creationTimestamp")):
            meta["creationTimestamp"] = now_rfc3339()
        meta.pop("resourceVersion", None)
        if not internal:
            for f in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
                meta.pop(f, None)
            if res.status and not res.status_on_create:
                obj.pop("status", None)
        if res.generation:
            meta["generation"] = meta.get("generation", 1) if internal else 1
        else:
            meta.pop("generation", None)
        obj["apiVersion"] = res.api_version(res.versions[0])
        obj["kind"] = res.kind
        if res.plural == "services" and res.group == "":
            self._service_defaults(obj)
        return self.commit("ADDED", res, key, obj, None)

    def update(self, res, version, ns, name, body, sub=None, internal=False, patch=False):
        meta = self._check_body(res, version, body, ns, name)
        key = self.key(res, ns, name)
        old = self.objects.get(key)
        if old is None:
            if res.create_on_update and not sub:
                body = copy.deepcopy(body)
                body["metadata"].pop("resourceVersion", None)
                return self.create(res, version, ns, body), True
            raise not_found(res, name)
        ometa = old["metadata"]
        brv = meta.get("resourceVersion")
        if not brv and not internal and not patch and not res.unconditional:
            d = res.details(name)
            d["causes"] = [{"reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update",
                            "field": "metadata.resourceVersion"}]
            raise ApiError(422, "Invalid", '%s "%s" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be '
                           "specified for an update" % (res.gr, name), d)
        if brv and not internal:
            if not str(brv).isdigit():
                raise bad_request('invalid resourceVersion "%s"' % brv)
            if brv != ometa["resourceVersion"]:
                raise conflict(res, name)
        if meta.get("uid") and meta["uid"] != ometa["uid"] and not internal:
            raise conflict(res, name, "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                           % (meta["uid"], ometa["uid"]))
        new = copy.deepcopy(body)
        if internal:
            pass
        elif sub == "status":
            st = new.get("status")
            new = copy.deepcopy(old)
            if st is None:
                new.pop("status", None)
            else:
                new["status"] = st
        else:
            if res.status:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
            nmeta = new["metadata"]
            for f in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if f in ometa:
                    nmeta[f] = ometa[f]
                else:
                    nmeta.pop(f, None)
            nmeta.pop("selfLink", None)
            if "deletionTimestamp" in ometa:
                added = set(nmeta.get("finalizers") or []) - set(ometa.get("finalizers") or [])
                if added:
                    raise invalid(res, name, "metadata.finalizers", "Forbidden",
                                  "no new finalizers can be added if the object is being deleted, found new "
                                  "finalizers %s" % dumps(sorted(added)))
        nmeta = new["metadata"]
        nmeta["uid"] = ometa["uid"]
        nmeta["creationTimestamp"] = ometa.get("creationTimestamp")
        nmeta["resourceVersion"] = ometa["resourceVersion"]
        new["apiVersion"] = old["apiVersion"]
        new["kind"] = res.kind
        if res.plural == "services" and res.group == "" and sub != "status":
            self._service_defaults(new, old)
        if res.generation:
            g = ometa.get("generation", 1)
            if strip_meta_status(new) != strip_meta_status(old):
                g += 1
            nmeta["generation"] = g
        elif not internal:
            nmeta.pop("generation", None)
        if new == old:
            return old, False  # no-op: no write, no event, same resourceVersion
        if "deletionTimestamp" in nmeta and not nmeta.get("finalizers"):
            return self.commit("DELETED", res, key, new, old), False
        return self.commit("MODIFIED", res, key, new, old), False

    def delete(self, res, ns, name, opts):
        key = self.key(res, ns, name)
        old = self.objects.get(key)
        if old is None:
            raise not_found(res, name)
        pre = (opts or {}).get("preconditions") or {}
        ometa = old["metadata"]
        if pre.get("uid") and pre["uid"] != ometa["uid"]:
            raise conflict(res, name, "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                           % (pre["uid"], ometa["uid"]))
        if pre.get("resourceVersion") and pre["resourceVersion"] != ometa["resourceVersion"]:
            raise conflict(res, name, "Precondition failed: ResourceVersion in precondition: %s, "
                           "ResourceVersion in object meta: %s" % (pre["resourceVersion"], ometa["resourceVersion"]))
        if ometa.get("finalizers"):
            if "deletionTimestamp" in ometa:
                return old, False
            new = copy.deepcopy(old)
            new["metadata"]["deletionTimestamp"] = now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            return self.commit("MODIFIED", res, key, new, old), False
        return self.commit("DELETED", res, key, old, old), True

    def gc_pass(self):
        with self.cond:
            uids = {o["metadata"]["uid"] for o in self.objects.values()}
            doomed = []
            for key, o in self.objects.items():
                refs = o["metadata"].get("ownerReferences") or []
                if refs and not any(r.get("uid") in uids for r in refs):
                    doomed.append(key)
            for key in doomed:
                res = next(r for r in RESOURCES if (r.group, r.plural) == key[:2])
                try:
                    self.delete(res, key[2], key[3], None)
                except ApiError:
                    pass
            return len(doomed)


# ---------------------------------------------------------------- watches

class Watcher:
    _ids = 0

    def __init__(self, app, res, version, ns, lsel, fsel, bookmarks, path, query, user):
        Watcher._ids += 1
        self.id = Watcher._ids
        self.app, self.res, self.version, self.ns = app, res, version, ns
        self.lsel, self.fsel, self.bookmarks = lsel, fsel, bookmarks
        self.queue = []       # [(type, obj-or-bytes)]
        self.drop = None      # mode to apply now
        self.cut_next = None  # mode to apply on the next real event
        self.sent = 0
        self.path, self.query, self.user = path, query, user
        self.sock = None
        self.started = time.time()

    def matches(self, obj):
        if obj is None:
            return False
        m = obj.get("metadata", {})
        if self.ns and m.get("namespace") != self.ns:
            return False
        return label_match(self.lsel, m.get("labels")) and field_match(self.fsel, obj)

    def offer(self, ev):
        if ev.res is not self.res:
            return
        if ev.type == "ADDED":
            if self.matches(ev.obj):
                self.queue.append(("ADDED", ev.obj))
        elif ev.type == "MODIFIED":
            cur, old = self.matches(ev.obj), self.matches(ev.prev)
            if cur and old:
                self.queue.append(("MODIFIED", ev.obj))
            elif cur:
                self.queue.append(("ADDED", ev.obj))
            elif old:
                o = copy.deepcopy(ev.prev)
                o["metadata"]["resourceVersion"] = str(ev.rv)
                self.queue.append(("DELETED", o))
        elif ev.type == "DELETED":
            if self.matches(ev.obj):
                self.queue.append(("DELETED", ev.obj))

    def encode(self, type_, obj):
        if type_ in ("ERROR", "BOOKMARK"):
            o = obj
        else:
            o = self.app.store.present(self.res, obj, self.version)
        return (dumps({"type": type_, "object": o}) + "\n").encode()

    def bookmark(self, rv, annotations=None):
        meta = {"resourceVersion": str(rv)}
        if annotations:
            meta["annotations"] = annotations
        return ("BOOKMARK", {"kind": self.res.kind, "apiVersion": self.res.api_version(self.version),
                             "metadata": meta})


class Abort(Exception):
    pass


# ---------------------------------------------------------------- chunking

def split_chunks(data, mode, rng, lists=False):
    if mode == "event" and not lists:
        return [data]
    if mode == "random" or lists:
        out, pos = [], 0
        while pos < len(data):
            n = rng.randint(1, 4096)
            out.append(data[pos:pos + n])
            pos += n
        return out
    cuts, pos = set(), 0
    while pos < len(data):
        pos += rng.randint(1, 7) if rng.random() < 0.85 else rng.randint(8, 700)
        cuts.add(pos)
    # Always cut inside the first multi-byte UTF-8 character of each line.
    start = 0
    while True:
        m = re.compile(rb"[\xc0-\xff]").search(data, start)
        if not m:
            break
        cuts.add(m.start() + 1)
        nl = data.find(b"\n", m.start())
        if nl < 0:
            break
        start = nl + 1
    cuts = sorted(c for c in cuts if 0 < c < len(data)) + [len(data)]
    out, prev = [], 0
    for c in cuts:
        if c > prev:
            out.append(data[prev:c])
            prev = c
    return out


# ---------------------------------------------------------------- HTTP API

PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120

    def log_message(self, fmt, *args):
        log("%s - %s" % (self.client_address[0], fmt % args))

    # ------------------------------------------------ plumbing
    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            data = b""
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send_bytes(self, code, body, ctype="application/json", headers=None):
        app = self.server
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if app.chunked_lists and len(body) > 2048:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in split_chunks(body, app.chunking, self.rng, lists=True):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        if self.log_entry is not None:
            self.log_entry["code"] = code

    def send_obj(self, code, obj, headers=None):
        self.send_bytes(code, dumps(obj).encode(), headers=headers)

    def send_error_status(self, e):
        self.send_obj(e.code, e.status(), e.headers)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    # ------------------------------------------------ request
    def dispatch(self):
        app = self.server
        self.log_entry = None
        self.rng = random.Random(app.rng.random())
        u = urlsplit(self.path)
        path = unquote(u.path)
        q = {k: v[0] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        body = self.read_body()
        entry = {"method": self.command, "path": path, "query": q,
                 "contentType": self.headers.get("Content-Type"), "time": time.time(), "code": None}
        if body:
            try:
                entry["body"] = json.loads(body)
            except ValueError:
                entry["body"] = body.decode("utf-8", "replace")
        self.log_entry = entry
        try:
            route = self.route(path, q)
            entry.update({k: route[k] for k in ("verb", "resource", "subresource", "namespace", "name")
                          if route.get(k) is not None})
            if route.get("resobj") is not None:
                entry["group"] = route["resobj"].group
            if app.outage_mode == "http":
                app.log_request(entry)
                code = app.outage_code
                reason = {503: "ServiceUnavailable", 429: "TooManyRequests", 500: "InternalError",
                          504: "Timeout"}.get(code, "")
                raise ApiError(code, reason, "the server is currently unable to handle the request (fake outage)",
                               headers={"Retry-After": 1} if code in (429, 503) else None)
            user, autherr = self.authenticate()
            entry["user"] = user
            app.log_request(entry)
            fault = app.take_fault(entry)
            if fault:
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                if fault.get("code"):
                    code = int(fault["code"])
                    raise ApiError(code, fault.get("reason", ""), fault.get("message", "injected fault"),
                                   headers={"Retry-After": 1} if code in (429, 503) else None)
            if path in PUBLIC_PATHS:
                return self.public(path)
            if autherr:
                raise autherr
            if user == "system:anonymous":
                raise self.forbidden(user, route, path)
            if app.forbidden(user, route):
                raise self.forbidden(user, route, path)
            self.serve(route, q, body)
        except ApiError as e:
            if entry.get("seq") is None:
                app.log_request(entry)
            self.send_error_status(e)
        except (Abort, BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError) as e:
            log("connection ended: %r" % e)
            self.close_connection = True
            if isinstance(e, Abort):
                raise

    def forbidden(self, user, route, path):
        res = route.get("resobj")
        if res is None:
            return ApiError(403, "Forbidden", 'forbidden: User "%s" cannot %s path "%s"'
                            % (user, self.command.lower(), path), {})
        what = route["resource"] + ("/" + route["subresource"] if route.get("subresource") else "")
        scope = ('in the namespace "%s"' % route["namespace"]) if route.get("namespace") else "at the cluster scope"
        d = {"kind": res.plural}
        if res.group:
            d["group"] = res.group
        if route.get("name"):
            d["name"] = route["name"]
        return ApiError(403, "Forbidden", '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s'
                        % (res.gr if not route.get("name") else '%s "%s"' % (res.gr, route["name"]), user,
                           route["verb"], what, res.group, scope), d)

    def authenticate(self):
        app = self.server
        cert = None
        try:
            cert = self.connection.getpeercert()
        except (ValueError, AttributeError):
            pass
        if cert:
            cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
            return (cn[0] if cn else "x509-user"), None
        auth = self.headers.get("Authorization")
        if auth:
            parts = auth.split(None, 1)
            if len(parts) == 2 and parts[0].lower() == "bearer":
                user = app.token_user(parts[1].strip())
                if user:
                    return user, None
            return None, ApiError(401, "Unauthorized", "Unauthorized")
        return "system:anonymous", None

    def public(self, path):
        if path == "/version":
            return self.send_obj(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-fake",
                                       "gitCommit": "0" * 40, "gitTreeState": "clean",
                                       "buildDate": "2024-08-13T00:00:00Z", "goVersion": "go1.22.5",
                                       "compiler": "gc", "platform": "linux/amd64"})
        self.send_bytes(200, b"ok", "text/plain; charset=utf-8")

    # ------------------------------------------------ routing
    def route(self, path, q):
        app = self.server
        segs = [s for s in path.split("/") if s]
        r = {"verb": None, "resource": None, "subresource": None, "namespace": None, "name": None,
             "resobj": None, "kind": "other"}
        if not segs or path in PUBLIC_PATHS:
            return r
        if segs[0] == "api":
            group, rest = "", segs[1:]
            if not rest:
                r["kind"] = "disc-api"
                return r
            version, rest = rest[0], rest[1:]
        elif segs[0] == "apis":
            if len(segs) == 1:
                r["kind"] = "disc-apis"
                return r
            group = segs[1]
            if len(segs) == 2:
                r["kind"] = "disc-group"
                r["group"] = group
                return r
            version, rest = segs[2], segs[3:]
        else:
            return r
        r["group"], r["version"] = group, version
        if group and (group in app.disabled_groups or (group not in GROUPS and group != "apiextensions.k8s.io")):
            r["kind"] = "nopath"
            return r
        if not rest:
            r["kind"] = "disc-gv"
            return r
        watch_path = False
        if rest[0] == "watch":
            watch_path, rest = True, rest[1:]
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            r["kind"] = "notfound"
            return r
        plural = rest[0]
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        r.update(resource=plural, namespace=ns, name=name, subresource=sub)
        if group == "apiextensions.k8s.io" and version == "v1" and plural == "customresourcedefinitions":
            r["kind"] = "crd"
            r["verb"] = "get" if name else "list"
            return r
        res = RES_BY_GVP.get((group, version, plural))
        if res is None or (ns is not None and not res.namespaced) or (sub and sub != "status") or \
                (sub == "status" and not res.status):
            r["kind"] = "notfound"
            return r
        r["resobj"] = res
        r["kind"] = "resource"
        watch = watch_path or q.get("watch") in ("1", "true", "True", "t", "T", "TRUE")
        m = self.command
        if name is None:
            verb = {"GET": "watch" if watch else "list", "POST": "create", "DELETE": "deletecollection"}.get(m)
        else:
            verb = {"GET": "watch" if watch else "get", "PUT": "update", "PATCH": "patch",
                    "DELETE": "delete"}.get(m)
        r["verb"] = verb or m.lower()
        r["badverb"] = verb is None
        return r

    def serve(self, r, q, body):
        app = self.server
        k = r["kind"]
        if k == "disc-api":
            return self.send_obj(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs":
                                       [{"clientCIDR": "0.0.0.0/0", "serverAddress": "%s:%d" % (app.args.listen, app.port)}]})
        if k == "disc-apis":
            return self.send_obj(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                       "groups": [app.api_group(g) for g in app.enabled_groups()]})
        if k == "disc-group":
            g = r["group"]
            if g not in app.enabled_groups():
                return self.send_bytes(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return self.send_obj(200, dict(app.api_group(g), kind="APIGroup", apiVersion="v1"))
        if k == "disc-gv":
            g, v = r["group"], r["version"]
            return self.send_obj(200, app.resource_list(g, v))
        if k == "nopath" or k == "other":
            return self.send_bytes(404, b"404 page not found\n", "text/plain; charset=utf-8")
        if k == "notfound":
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if k == "crd":
            return self.serve_crd(r)
        res, version, ns, name, sub = r["resobj"], r["version"], r["namespace"], r["name"], r["subresource"]
        if r["badverb"] or (sub and r["verb"] not in ("get", "update", "patch")):
            raise method_not_allowed(self.command)
        if res.namespaced and ns is None and r["verb"] not in ("list", "watch"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        store = app.store
        verb = r["verb"]
        if verb == "watch":
            return self.serve_watch(res, version, ns, name, q)
        if verb == "list":
            with store.cond:
                out = self.do_list(res, version, ns, q)
            return self.send_obj(200, out)
        if verb == "get":
            with store.cond:
                o = store.objects.get(store.key(res, ns, name))
                if o is None:
                    raise not_found(res, name)
                o = store.present(res, o, version)
            return self.send_obj(200, o)
        if verb == "deletecollection":
            with store.cond:
                lsel = parse_label_selector(q.get("labelSelector", ""))
                fsel = parse_field_selector(q.get("fieldSelector", ""), res)
                items = []
                for key, o in sorted(store.objects.items()):
                    if key[:2] != (res.group, res.plural) or (ns and key[2] != ns):
                        continue
                    if label_match(lsel, o["metadata"].get("labels")) and field_match(fsel, o):
                        d, _ = store.delete(res, key[2], key[3], None)
                        items.append(store.present(res, d, version))
                out = {"kind": res.kind + "List", "apiVersion": res.api_version(version),
                       "metadata": {"resourceVersion": str(store.rv)}, "items": items}
            return self.send_obj(200, out)
        obj = self.parse_body(body)
        if verb == "create":
            if q.get("dryRun"):
                raise bad_request("dryRun is not supported by the fake apiserver")
            with store.cond:
                o = store.present(res, store.create(res, version, ns, obj), version)
            return self.send_obj(201, o)
        if verb == "update":
            with store.cond:
                o, created = store.update(res, version, ns, name, obj, sub)
                o = store.present(res, o, version)
            return self.send_obj(201 if created else 200, o)
        if verb == "patch":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            with store.cond:
                cur = store.objects.get(store.key(res, ns, name))
                if cur is None:
                    raise not_found(res, name)
                cur = store.present(res, cur, version)
                if ctype == "application/merge-patch+json":
                    if not isinstance(obj, dict):
                        raise bad_request("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                          % type(obj).__name__)
                    patched = merge_patch(cur, obj)
                elif ctype == "application/json-patch+json":
                    try:
                        patched = json_patch(cur, obj)
                    except PatchError as e:
                        raise ApiError(422, "Invalid", str(e))
                else:
                    accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                    if res.builtin:
                        accepted += ", application/strategic-merge-patch+json"
                    raise ApiError(415, "UnsupportedMediaType",
                                   "the body of the request was in an unknown format - accepted media types include: "
                                   + accepted + (" (the fake apiserver implements only json-patch and merge-patch)"
                                                 if ctype in ("application/strategic-merge-patch+json",
                                                              "application/apply-patch+yaml") else ""))
                if not isinstance(patched, dict):
                    raise bad_request("the patched object is not a JSON object")
                o, _ = store.update(res, version, ns, name, patched, sub, patch=True)
                o = store.present(res, o, version)
            return self.send_obj(200, o)
        if verb == "delete":
            opts = obj if isinstance(obj, dict) else {}
            with store.cond:
                o, gone = store.delete(res, ns, name, opts)
                o = store.present(res, o, version)
            if not gone:
                return self.send_obj(202, o)
            if res.builtin:
                d = res.details(name)
                d["uid"] = o["metadata"]["uid"]
                return self.send_obj(200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                           "status": "Success", "details": d})
            return self.send_obj(200, o)
        raise method_not_allowed(self.command)

    def parse_body(self, body):
        if not body:
            return {}
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if ctype in ("application/yaml", "application/apply-patch+yaml") and yaml is not None:
                return yaml.safe_load(body)
            return json.loads(body)
        except ValueError as e:
            raise bad_request("the body of the request could not be decoded: %s" % e)

    def serve_crd(self, r):
        app = self.server
        crds = app.crds()
        if r["name"]:
            for c in crds:
                if c["metadata"]["name"] == r["name"]:
                    return self.send_obj(200, c)
            raise ApiError(404, "NotFound", 'customresourcedefinitions.apiextensions.k8s.io "%s" not found'
                           % r["name"], {"name": r["name"], "group": "apiextensions.k8s.io",
                                         "kind": "customresourcedefinitions"})
        if self.command != "GET":
            raise method_not_allowed(self.command)
        return self.send_obj(200, {"kind": "CustomResourceDefinitionList", "apiVersion": "apiextensions.k8s.io/v1",
                                   "metadata": {"resourceVersion": str(app.store.rv)}, "items": crds})

    # ------------------------------------------------ list
    def do_list(self, res, version, ns, q):
        store = self.server.store
        lsel = parse_label_selector(q.get("labelSelector", ""))
        fsel = parse_field_selector(q.get("fieldSelector", ""), res)
        rvq = q.get("resourceVersion", "")
        match = q.get("resourceVersionMatch", "")
        limit = q.get("limit", "")
        cont = q.get("continue", "")
        try:
            limit = int(limit) if limit else 0
        except ValueError:
            raise bad_request('invalid limit "%s"' % limit)
        if rvq and not rvq.isdigit():
            raise invalid(res, "", "resourceVersion", "Invalid value", '"%s": must be an integer' % rvq)
        start = None
        if cont:
            if rvq:
                raise bad_request("specifying resource version is not allowed when using continue")
            try:
                tok = json.loads(base64.b64decode(cont + "=" * (-len(cont) % 4), altchars=b"-_"))
                snap = int(tok["rv"])
                start = tuple(tok["start"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
            if snap < store.compacted:
                raise expired("The provided continue parameter is too old to display a consistent list result. "
                              "You can start a new list without the continue parameter, or use the continue value "
                              "from the response.")
        elif match == "Exact" or (match == "" and rvq not in ("", "0") and limit):
            if match == "Exact" and rvq in ("", "0"):
                raise invalid(res, "", "resourceVersionMatch", "Forbidden",
                              "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")
            snap = int(rvq)
            if snap > store.rv:
                store.wait_rv(snap)
            if snap < store.compacted:
                raise expired("too old resource version: %d (%d)" % (snap, store.compacted))
        elif match == "NotOlderThan" or (match == "" and rvq not in ("", "0")):
            if not rvq:
                raise invalid(res, "", "resourceVersionMatch", "Forbidden",
                              "resourceVersionMatch is forbidden unless resourceVersion is provided")
            store.wait_rv(int(rvq))
            snap = store.rv
        elif match:
            raise invalid(res, "", "resourceVersionMatch", "Unsupported value", '"%s"' % match)
        else:
            snap = store.rv
            if rvq == "0":
                limit = 0  # served from the watch cache: limit ignored
        state = store.state_at(snap)
        keys = sorted(k for k in state if k[:2] == (res.group, res.plural) and (not ns or k[2] == ns))
        if start is not None:
            keys = [k for k in keys if k[2:] > start]
        items, last = [], None
        more = 0
        for k in keys:
            o = state[k]
            if not (label_match(lsel, o["metadata"].get("labels")) and field_match(fsel, o)):
                continue
            if limit and len(items) >= limit:
                more += 1
                continue
            items.append(o)
            last = k
        meta = {"resourceVersion": str(snap)}
        if limit and more:
            tok = {"v": "meta.k8s.io/v1", "rv": snap, "start": list(last[2:])}
            meta["continue"] = base64.b64encode(dumps(tok).encode(), altchars=b"-_").decode().rstrip("=")
            if not lsel and not fsel:
                meta["remainingItemCount"] = more
        out_items = []
        for o in items:
            p = store.present(res, o, version)
            if res.builtin:
                p.pop("kind", None)
                p.pop("apiVersion", None)
            out_items.append(p)
        return {"kind": res.kind + "List", "apiVersion": res.api_version(version), "metadata": meta,
                "items": out_items}

    # ------------------------------------------------ watch
    def serve_watch(self, res, version, ns, name, q):
        app, store = self.server, self.server.store
        lsel = parse_label_selector(q.get("labelSelector", ""))
        fsel = parse_field_selector(q.get("fieldSelector", ""), res)
        if name:
            fsel.append(("=", "metadata.name", name))
        rvq = q.get("resourceVersion", "")
        if rvq and not rvq.isdigit():
            raise invalid(res, "", "resourceVersion", "Invalid value", '"%s": must be an integer' % rvq)
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true", "True")
        initial = q.get("sendInitialEvents")
        match = q.get("resourceVersionMatch", "")
        if initial is not None and initial != "":
            initial = initial in ("1", "true", "True")
            if match != "NotOlderThan":
                raise invalid(res, "", "resourceVersionMatch", "Forbidden",
                              "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
            if initial and not bookmarks:
                raise invalid(res, "", "allowWatchBookmarks", "Forbidden",
                              "sendInitialEvents requires setting allowWatchBookmarks to true")
        else:
            initial = None
            if match:
                raise invalid(res, "", "resourceVersionMatch", "Forbidden",
                              "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
        ts = q.get("timeoutSeconds")
        if ts:
            try:
                timeout = float(ts)
            except ValueError:
                raise bad_request('invalid timeoutSeconds "%s"' % ts)
        else:
            timeout = app.min_request_timeout * (1 + self.rng.random())
        w = Watcher(app, res, version, ns, lsel, fsel, bookmarks, self.path, q, self.log_entry.get("user"))
        w.sock = self.connection
        error_event = None
        with store.cond:
            if initial or (initial is None and rvq in ("", "0")):
                if rvq and rvq != "0":
                    try:
                        store.wait_rv(int(rvq))
                    except ApiError as e:
                        error_event = e
                if error_event is None:
                    for k in sorted(store.objects):
                        if k[:2] == (res.group, res.plural) and w.matches(store.objects[k]):
                            w.queue.append(("ADDED", store.objects[k]))
                    if initial:
                        w.queue.append(w.bookmark(store.rv, {"k8s.io/initial-events-end": "true"}))
            else:
                rv = int(rvq) if rvq else 0
                if rv < store.compacted:
                    error_event = expired("too old resource version: %d (%d)" % (rv, store.compacted))
                else:
                    try:
                        store.wait_rv(rv)
                    except ApiError as e:
                        error_event = e
                if error_event is None:
                    for ev in store.history:
                        if ev.rv > rv:
                            w.offer(ev)
            if error_event is None:
                store.watchers.add(w)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.log_entry["code"] = 200
        try:
            if error_event is not None:
                self.write_chunks(w, w.encode("ERROR", error_event.status()))
                self.wfile.write(b"0\r\n\r\n")
                return
            self.watch_loop(w, timeout)
        finally:
            with store.cond:
                store.watchers.discard(w)

    def write_chunks(self, w, data):
        for piece in split_chunks(data, self.server.chunking, self.rng):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))

    def abort(self, w, mode, pending=b""):
        """Drop the connection the way mode says."""
        if not pending:
            pending = w.encode(*w.bookmark(self.server.store.rv))
        half = pending[:max(1, len(pending) // 2)]
        if mode == "clean":
            self.wfile.write(b"0\r\n\r\n")
            return
        if mode == "mid-event":
            self.write_chunks(w, half)
        elif mode == "mid-chunk":
            self.wfile.write(b"%x\r\n%s" % (len(pending), half))
        self.server.kill_socket(self.connection)
        raise Abort("watch dropped (%s)" % mode)

    def watch_loop(self, w, timeout):
        app, store = self.server, self.server.store
        deadline = time.monotonic() + timeout
        next_bm = time.monotonic() + app.bookmark_interval
        while True:
            with store.cond:
                while True:
                    if w.drop:
                        mode, w.drop = w.drop, None
                        items = []
                        break
                    stalled = app.stalled or app.outage_mode == "hang"
                    nowm = time.monotonic()
                    if w.queue and not stalled:
                        items, w.queue = w.queue, []
                        mode = None
                        break
                    if nowm >= deadline:
                        items, mode = [], "clean"
                        break
                    if not stalled and w.bookmarks and nowm >= next_bm:
                        w.queue.append(w.bookmark(store.rv))
                        next_bm = nowm + app.bookmark_interval
                        continue
                    wait = deadline - nowm
                    if w.bookmarks and not stalled:
                        wait = min(wait, next_bm - nowm)
                    store.cond.wait(max(0.01, min(wait, 0.5)))
                    if self.peer_closed():
                        raise Abort("client closed the watch")
            if mode and not items:
                return self.abort(w, mode)
            data = b""
            for type_, obj in items:
                ev = w.encode(type_, obj)
                if w.cut_next and type_ != "BOOKMARK":
                    self.write_chunks(w, data)
                    mode, w.cut_next = w.cut_next, None
                    return self.abort(w, mode, ev)
                data += ev
                w.sent += 1
            self.write_chunks(w, data)

    def peer_closed(self):
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if not r:
                return False
            if isinstance(self.connection, ssl.SSLSocket) and self.connection.pending():
                return False
            return True  # a watch client sends nothing: readable means EOF or RST
        except (OSError, ValueError):
            return True


# ---------------------------------------------------------------- the app

class App:
    def __init__(self, args):
        self.args = args
        self.workdir = os.path.abspath(args.dir)
        self.store = Store(self, args.initial_rv, args.history)
        self.rng = random.Random(args.rng_seed)
        self.chunking = args.chunking
        self.chunked_lists = not args.no_chunked_lists
        self.bookmark_interval = args.bookmark_interval
        self.min_request_timeout = args.min_request_timeout
        self.gc = not args.no_gc
        self.outage_mode = "none"
        self.outage_code = 503
        self.stalled = False
        self.disabled_groups = set()
        self.forbid_rules = []
        self.faults = []
        self.requests = []
        self.req_seq = 0
        self.req_cond = threading.Condition()
        self.conns = set()
        self.conns_lock = threading.Lock()
        self.stopping = threading.Event()
        self.listener = None
        self.port = args.port
        self.token_path = os.path.join(self.workdir, "token")
        self.gc_pending = False

    # -- handler interface (BaseHTTPRequestHandler expects a server object)
    def token_user(self, tok):
        try:
            with open(self.token_path) as f:
                lines = f.read().splitlines()
        except OSError:
            return None
        for line in lines:
            parts = line.split()
            if parts and parts[0] == tok:
                return parts[1] if len(parts) > 1 else "kbgp-test"
        return None

    def write_token(self, tok):
        tmp = self.token_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(tok + "\n")
        os.replace(tmp, self.token_path)

    def log_request(self, entry):
        with self.req_cond:
            self.req_seq += 1
            entry["seq"] = self.req_seq
            self.requests.append(entry)
            if len(self.requests) > 20000:
                del self.requests[:5000]
            self.req_cond.notify_all()

    def take_fault(self, entry):
        with self.req_cond:
            for f in self.faults:
                if f.get("method") and f["method"].upper() != entry["method"]:
                    continue
                if f.get("verb") and f["verb"] != entry.get("verb"):
                    continue
                if f.get("path") and not re.search(f["path"], entry["path"]):
                    continue
                if f.get("count", 1) == 0:
                    continue
                if f.get("count", 1) > 0:
                    f["count"] = f.get("count", 1) - 1
                entry["fault"] = True
                return dict(f)
        return None

    def forbidden(self, user, r):
        for rule in self.forbid_rules:
            ok = True
            for f, v in (("user", user), ("verb", r.get("verb")), ("group", r.get("group")),
                         ("resource", r.get("resource")), ("subresource", r.get("subresource")),
                         ("namespace", r.get("namespace")), ("name", r.get("name"))):
                if f in rule and rule[f] != v:
                    ok = False
                    break
            if ok:
                return True
        return False

    def enabled_groups(self):
        return [g for g in GROUPS if g not in self.disabled_groups]

    def api_group(self, g):
        vs = GROUPS[g]
        return {"name": g, "versions": [{"groupVersion": g + "/" + v, "version": v} for v in vs],
                "preferredVersion": {"groupVersion": g + "/" + vs[0], "version": vs[0]}}

    def resource_list(self, g, v):
        rl = []
        for r in RESOURCES:
            if r.group == g and v in r.versions:
                verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
                rl.append({"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                           "kind": r.kind, "verbs": verbs})
                if r.status:
                    rl.append({"name": r.plural + "/status", "singularName": "", "namespaced": r.namespaced,
                               "kind": r.kind, "verbs": ["get", "patch", "update"]})
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": (g + "/" + v) if g else v,
                "resources": rl}

    def crds(self):
        out = []
        for r in RESOURCES:
            if r.builtin or r.group in self.disabled_groups:
                continue
            if any(c["metadata"]["name"] == r.gr for c in out):
                continue
            sub = {"status": {}} if r.status else None
            vers = []
            for i, v in enumerate(r.versions):
                d = {"name": v, "served": True, "storage": i == 0}
                if sub:
                    d["subresources"] = sub
                vers.append(d)
            out.append({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                        "metadata": {"name": r.gr},
                        "spec": {"group": r.group, "scope": "Namespaced" if r.namespaced else "Cluster",
                                 "names": {"plural": r.plural, "singular": r.kind.lower(), "kind": r.kind,
                                           "listKind": r.kind + "List"},
                                 "versions": vers},
                        "status": {"conditions": [{"type": "Established", "status": "True"},
                                                  {"type": "NamesAccepted", "status": "True"}],
                                   "storedVersions": [r.versions[0]]}})
        return out

    def schedule_gc(self):  # called with the store lock held
        if not self.gc or self.gc_pending:
            return
        self.gc_pending = True
        t = threading.Timer(0.1, self._gc_run)
        t.daemon = True
        t.start()

    def _gc_run(self):
        with self.store.cond:
            self.gc_pending = False  # a commit during the passes below schedules another run
        while self.store.gc_pass():
            pass

    # -- connections
    def kill_socket(self, sock, rst=False):
        """Shut a connection down under whoever is using it (a dup, so TLS state is not touched)."""
        try:
            fd = sock.fileno()
            if fd < 0:
                return
            s = socket.socket(fileno=os.dup(fd))
            try:
                if rst:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.shutdown(socket.SHUT_RDWR)
            finally:
                s.close()
        except OSError:
            pass

    def kill_all(self):
        with self.conns_lock:
            socks = list(self.conns)
        for s in socks:
            self.kill_socket(s)

    def bind(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.args.listen, self.port))
        s.listen(128)
        self.port = s.getsockname()[1]
        return s

    def accept_loop(self):
        while not self.stopping.is_set():
            if self.outage_mode == "refuse":
                if self.listener is not None:
                    self.listener.close()
                    self.listener = None
                time.sleep(0.02)
                continue
            if self.listener is None:
                try:
                    self.listener = self.bind()
                except OSError as e:
                    log("rebind failed: %s" % e)
                    time.sleep(0.1)
                    continue
            lst = self.listener
            try:
                r, _, _ = select.select([lst], [], [], 0.1)
                if not r or self.outage_mode == "refuse":
                    continue
                conn, addr = lst.accept()
            except (OSError, ValueError):
                continue
            threading.Thread(target=self.conn_thread, args=(conn, addr), daemon=True).start()

    def conn_thread(self, conn, addr):
        with self.conns_lock:
            self.conns.add(conn)
        tls = None
        try:
            if self.outage_mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            if self.outage_mode == "hang":
                while self.outage_mode == "hang" and not self.stopping.is_set():
                    time.sleep(0.05)
                return
            tls = self.ssl_ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
            tls.settimeout(30)
            tls.do_handshake()
            with self.conns_lock:
                self.conns.discard(conn)
                self.conns.add(tls)
            HandlerWithHang(tls, addr, self)
        except Abort:
            pass
        except Exception as e:  # noqa: BLE001 - one connection's trouble is not the server's
            log("connection %s: %r" % (addr, e))
        finally:
            with self.conns_lock:
                self.conns.discard(conn)
                self.conns.discard(tls)
            try:
                (tls or conn).close()
            except OSError:
                pass

    # -- setup
    def san_ips(self):
        """The server certificate's IP names: loopback, and the --listen address."""
        ips = ["127.0.0.1"] + ([self.args.listen] if self.args.listen != "127.0.0.1" else [])
        return ",".join("IP:" + ip for ip in ips)

    def make_pki(self):
        self.pki = tempfile.mkdtemp(prefix="fake-apiserver-pki.")
        p = lambda n: os.path.join(self.pki, n)  # noqa: E731
        ossl = lambda *a: subprocess.run(["openssl"] + list(a), check=True, capture_output=True)  # noqa: E731
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ossl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "30",
             "-subj", "/CN=fake-apiserver-ca", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        with open(p("server.ext"), "w") as f:
            f.write("subjectAltName=%s,IP:::1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
                    "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
                    "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                    "basicConstraints=critical,CA:FALSE\n" % self.san_ips())
        with open(p("client.ext"), "w") as f:
            f.write("extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                    "basicConstraints=critical,CA:FALSE\n")
        for n, subj in (("server", "/CN=kube-apiserver"), ("client", "/O=system:masters/CN=kbgp-test")):
            ossl("req", "-new", *ec, "-keyout", p(n + ".key"), "-out", p(n + ".csr"), "-subj", subj)
            ossl("x509", "-req", "-in", p(n + ".csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
                 "-CAcreateserial", "-days", "30", "-extfile", p(n + ".ext"), "-out", p(n + ".crt"))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(p("server.crt"), p("server.key"))
        ctx.load_verify_locations(p("ca.crt"))
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        self.ssl_ctx = ctx

    def write_files(self):
        wd = self.workdir
        os.makedirs(wd, exist_ok=True)

        def put(name, text, mode=0o644):
            path = os.path.join(wd, name)
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.chmod(tmp, mode)
            os.replace(tmp, path)

        rd = lambda n: open(os.path.join(self.pki, n)).read()  # noqa: E731
        b64 = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
        ca, ccrt, ckey = rd("ca.crt"), rd("client.crt"), rd("client.key")
        put("ca.crt", ca)
        put("client.crt", ccrt)
        put("client.key", ckey, 0o600)
        tok = self.args.token or uuid.uuid4().hex
        self.write_token(tok)
        server = "https://%s:%d" % (self.args.listen, self.port)

        def kubeconfig(user):
            return ("apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n"
                    "    server: %s\n    certificate-authority-data: %s\ncontexts:\n- name: fake\n  context:\n"
                    "    cluster: fake\n    user: fake\n    namespace: kube-system\nusers:\n- name: fake\n"
                    "  user:\n%s" % (server, b64(ca), user))
        put("kubeconfig", kubeconfig("    token: %s\n" % tok), 0o600)
        put("kubeconfig-tokenfile", kubeconfig("    tokenFile: %s\n" % self.token_path), 0o600)
        put("kubeconfig-cert", kubeconfig("    client-certificate-data: %s\n    client-key-data: %s\n"
                                          % (b64(ccrt), b64(ckey))), 0o600)
        sa = os.path.join(wd, "serviceaccount")
        os.makedirs(sa, exist_ok=True)
        put("serviceaccount/ca.crt", ca)
        put("serviceaccount/namespace", "kube-system")
        link = os.path.join(sa, "token")
        if not os.path.islink(link):
            if os.path.exists(link):
                os.unlink(link)
            os.symlink("../token", link)
        put("env", "KUBERNETES_SERVICE_HOST=%s\nKUBERNETES_SERVICE_PORT=%d\n" % (self.args.listen, self.port))
        put("control-port", "%d\n" % self.control_port)
        put("pid", "%d\n" % os.getpid())
        put("port", "%d\n" % self.port)

    def load_objects(self, docs):
        """Create or replace objects as given (status and all), with events."""
        names, skipped = [], []
        store = self.store
        items = []
        for d in docs:
            if d is None:
                continue
            if isinstance(d, list):
                items.extend(d)
            elif isinstance(d, dict) and d.get("kind", "").endswith("List") and "items" in d:
                for it in d["items"]:
                    if "kind" not in it and d["kind"] != "List":
                        it = dict(it, kind=d["kind"][:-4], apiVersion=d.get("apiVersion"))
                    items.append(it)
            else:
                items.append(d)
        with store.cond:
            for it in items:
                if not isinstance(it, dict):
                    raise bad_request("not an object: %s" % dumps(it)[:80])
                res, version = res_for_kind(it.get("apiVersion", ""), it.get("kind", ""))
                if res is None:  # other kinds are skipped, as kbgp's manifests reader does
                    skipped.append("%s %s" % (it.get("apiVersion"), it.get("kind")))
                    continue
                it = copy.deepcopy(it)
                meta = it.setdefault("metadata", {})
                ns = (meta.get("namespace") or "default") if res.namespaced else ""
                name = meta.get("name", "")
                meta.pop("resourceVersion", None)
                if store.key(res, ns, name) in store.objects:
                    o, _ = store.update(res, version, ns, name, it, internal=True)
                else:
                    o = store.create(res, version, ns, it, internal=True)
                names.append("%s/%s%s" % (res.gr, (ns + "/") if ns else "", name))
        return names, skipped


class HandlerWithHang(Handler):
    def handle_one_request(self):
        # In a "hang" outage, requests on kept-alive connections get no answer.
        app = self.server
        if app.outage_mode == "hang":
            while app.outage_mode == "hang" and not app.stopping.is_set():
                time.sleep(0.05)
            self.close_connection = True
            return
        super().handle_one_request()


# ---------------------------------------------------------------- control API

def make_control_handler(app):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            log("control: " + fmt % args)

        def reply(self, code, obj):
            body = (json.dumps(obj, ensure_ascii=False, indent=None) + "\n").encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            if not raw.strip():
                return {}
            ctype = (self.headers.get("Content-Type") or "")
            if "yaml" in ctype and yaml is not None:
                return list(yaml.safe_load_all(raw))
            return json.loads(raw)

        def do_GET(self):
            self.handle_any()

        def do_POST(self):
            self.handle_any()

        def do_DELETE(self):
            self.handle_any()

        def handle_any(self):
            try:
                u = urlsplit(self.path)
                path = u.path
                if path.startswith("/_test"):
                    path = path[len("/_test"):] or "/"
                q = {k: v[0] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
                code, obj = self.route(self.command, path.rstrip("/") or "/", q)
            except ApiError as e:
                code, obj = e.code, e.status()
            except (ValueError, KeyError, TypeError) as e:
                code, obj = 400, {"error": "%s: %s" % (type(e).__name__, e)}
            self.reply(code, obj)

        def route(self, m, path, q):
            store = app.store
            if path == "/state" and m == "GET":
                with store.cond:
                    return 200, {"resourceVersion": str(store.rv), "compacted": str(store.compacted),
                                 "objects": len(store.objects), "events": len(store.history),
                                 "watches": len(store.watchers), "outage": app.outage_mode,
                                 "stalled": app.stalled, "port": app.port, "token": app.current_token(),
                                 "chunking": app.chunking, "bookmarkInterval": app.bookmark_interval,
                                 "disabledGroups": sorted(app.disabled_groups), "requests": app.req_seq}
            if path == "/objects":
                if m == "POST":
                    b = self.body()
                    names, skipped = app.load_objects(b if isinstance(b, list) else [b])
                    return 200, {"loaded": names, "skipped": skipped, "resourceVersion": str(store.rv)}
                with store.cond:
                    sel = []
                    for key, o in sorted(store.objects.items()):
                        if q.get("group") is not None and key[0] != q["group"]:
                            continue
                        if q.get("resource") and key[1] != q["resource"]:
                            continue
                        if q.get("namespace") and key[2] != q["namespace"]:
                            continue
                        if q.get("name") and key[3] != q["name"]:
                            continue
                        sel.append(key)
                    if m == "GET":
                        return 200, {"kind": "List", "apiVersion": "v1",
                                     "metadata": {"resourceVersion": str(store.rv)},
                                     "items": [copy.deepcopy(store.objects[k]) for k in sel]}
                    if m == "DELETE":
                        for key in sel:
                            res = next(r for r in RESOURCES if (r.group, r.plural) == key[:2])
                            o = store.objects[key]
                            store.commit("DELETED", res, key, o, o)
                        return 200, {"deleted": len(sel), "resourceVersion": str(store.rv)}
            if path == "/compact" and m == "POST":
                b = self.body()
                c = store.compact(b.get("resourceVersion"))
                return 200, {"compacted": str(c), "resourceVersion": str(store.rv)}
            if path == "/events" and m == "GET":
                since = int(q.get("since") or 0)
                with store.cond:
                    return 200, {"compacted": str(store.compacted), "items": [
                        {"resourceVersion": str(e.rv), "type": e.type, "group": e.res.group,
                         "resource": e.res.plural, "namespace": e.key[2], "name": e.key[3], "object": e.obj}
                        for e in store.history if e.rv > since]}
            if path == "/watches" and m == "GET":
                with store.cond:
                    return 200, {"items": [{"id": w.id, "path": w.path, "resource": w.res.plural,
                                            "group": w.res.group, "namespace": w.ns, "user": w.user,
                                            "bookmarks": w.bookmarks, "queued": len(w.queue), "sent": w.sent,
                                            "age": time.time() - w.started}
                                           for w in sorted(store.watchers, key=lambda w: w.id)]}
            if path == "/watches/drop" and m == "POST":
                b = self.body()
                mode = b.get("mode", "mid-event")
                if mode not in ("clean", "reset", "mid-event", "mid-chunk"):
                    return 400, {"error": "mode: clean, reset, mid-event or mid-chunk"}
                n = 0
                with store.cond:
                    for w in store.watchers:
                        if b.get("resource") and w.res.plural != b["resource"]:
                            continue
                        if b.get("next"):
                            w.cut_next = mode
                        else:
                            w.drop = mode
                        n += 1
                    store.cond.notify_all()
                return 200, {"watches": n}
            if path == "/watches/stall" and m == "POST":
                app.stalled = bool(self.body().get("on", True))
                with store.cond:
                    store.cond.notify_all()
                return 200, {"stalled": app.stalled}
            if path == "/outage":
                b = self.body() if m == "POST" else {}
                mode = b.get("mode", "none") if m == "POST" else "none"
                if mode not in ("none", "refuse", "reset", "hang", "http"):
                    return 400, {"error": "mode: none, refuse, reset, hang or http"}
                app.outage_code = int(b.get("code", 503))
                app.outage_mode = mode
                if mode in ("refuse", "reset"):
                    app.kill_all()
                    if mode == "refuse":
                        deadline = time.time() + 2
                        while app.listener is not None and time.time() < deadline:
                            time.sleep(0.01)
                elif mode == "none":
                    deadline = time.time() + 2
                    while app.listener is None and time.time() < deadline:
                        time.sleep(0.01)
                with store.cond:
                    store.cond.notify_all()
                return 200, {"outage": mode}
            if path == "/token" and m == "POST":
                tok = self.body().get("token") or uuid.uuid4().hex
                app.write_token(tok)
                return 200, {"token": tok}
            if path == "/requests":
                if m == "DELETE":
                    with app.req_cond:
                        app.requests.clear()
                    return 200, {"cleared": True}
                since = int(q.get("since") or 0)
                wait = float(q.get("wait") or 0)
                want = int(q.get("min") or 1)
                end = time.monotonic() + wait

                def select_entries():
                    out = []
                    for e in app.requests:
                        if e["seq"] <= since:
                            continue
                        if q.get("method") and e["method"] != q["method"].upper():
                            continue
                        if q.get("verb") and e.get("verb") != q["verb"]:
                            continue
                        if q.get("path") and not re.search(q["path"], e["path"]):
                            continue
                        out.append(e)
                    return out
                with app.req_cond:
                    while True:
                        out = select_entries()
                        left = end - time.monotonic()
                        if len(out) >= want or left <= 0:
                            break
                        app.req_cond.wait(min(left, 0.2))
                    return 200, {"last": app.req_seq, "items": copy.deepcopy(out)}
            if path == "/faults":
                with app.req_cond:
                    if m == "POST":
                        b = self.body()
                        app.faults.extend(b if isinstance(b, list) else [b])
                    elif m == "DELETE":
                        app.faults.clear()
                    return 200, {"items": app.faults}
            if path == "/forbid":
                if m == "POST":
                    b = self.body()
                    app.forbid_rules.extend(b if isinstance(b, list) else [b])
                elif m == "DELETE":
                    app.forbid_rules.clear()
                return 200, {"items": app.forbid_rules}
            if path == "/groups" and m == "POST":
                for g, on in self.body().items():
                    if g not in GROUPS:
                        return 400, {"error": "unknown group %s" % g}
                    if on:
                        app.disabled_groups.discard(g)
                    else:
                        app.disabled_groups.add(g)
                return 200, {"disabled": sorted(app.disabled_groups)}
            if path == "/config" and m == "POST":
                b = self.body()
                if "chunking" in b:
                    if b["chunking"] not in ("odd", "event", "random"):
                        return 400, {"error": "chunking: odd, event or random"}
                    app.chunking = b["chunking"]
                if "bookmarkInterval" in b:
                    app.bookmark_interval = float(b["bookmarkInterval"])
                if "chunkedLists" in b:
                    app.chunked_lists = bool(b["chunkedLists"])
                if "gc" in b:
                    app.gc = bool(b["gc"])
                return 200, {"chunking": app.chunking, "bookmarkInterval": app.bookmark_interval,
                             "chunkedLists": app.chunked_lists, "gc": app.gc}
            return 404, {"error": "no such control endpoint: %s %s" % (m, path)}
    return Control


def _current_token(self):
    try:
        with open(self.token_path) as f:
            line = f.readline().split()
            return line[0] if line else ""
    except OSError:
        return ""


App.current_token = _current_token


# ---------------------------------------------------------------- main

def read_seed(path):
    if os.path.isdir(path):  # like kbgp's --manifests: *.yaml, *.yml, *.json directly in it, no hidden files
        docs = []
        for n in sorted(os.listdir(path)):
            if not n.startswith(".") and n.endswith((".yaml", ".yml", ".json")) and \
                    os.path.isfile(os.path.join(path, n)):
                docs.extend(read_seed(os.path.join(path, n)))
        return docs
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        return [json.loads(text)]
    if yaml is None:
        try:
            return [json.loads(text)]
        except ValueError:
            sys.exit("fake_apiserver: %s: YAML needs python3-yaml (Debian package python3-yaml)" % path)
    return list(yaml.safe_load_all(text))


def ipv4_address(text):
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise argparse.ArgumentTypeError("--listen: %r is not an IPv4 address" % text)


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description="A fake Kubernetes API server for kbgp's tests (see the file's README).")
    ap.add_argument("--listen", default="127.0.0.1", type=ipv4_address)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--seed", action="append", default=[])
    ap.add_argument("--bookmark-interval", type=float, default=1.0)
    ap.add_argument("--chunking", choices=("odd", "event", "random"), default="odd")
    ap.add_argument("--no-chunked-lists", action="store_true")
    ap.add_argument("--history", type=int, default=0)
    ap.add_argument("--initial-rv", type=int, default=1000)
    ap.add_argument("--min-request-timeout", type=float, default=1800.0)
    ap.add_argument("--rng-seed", type=int, default=None)
    ap.add_argument("--no-gc", action="store_true")
    ap.add_argument("--token")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose

    app = App(args)
    app.make_pki()
    app.listener = app.bind()
    ctl = ThreadingHTTPServer(("127.0.0.1", args.control_port), make_control_handler(app))
    ctl.daemon_threads = True
    app.control_port = ctl.server_address[1]
    app.write_files()
    for s in args.seed:
        try:
            names, skipped = app.load_objects(read_seed(s))
            log("seed %s: %d objects, skipped %s" % (s, len(names), skipped))
        except ApiError as e:
            sys.exit("fake_apiserver: %s: %s" % (s, e.message))
    threading.Thread(target=app.accept_loop, daemon=True).start()
    threading.Thread(target=ctl.serve_forever, daemon=True).start()

    def stop(signum, frame):
        app.stopping.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    while not app.stopping.wait(0.5):
        pass
    ctl.shutdown()
    if app.listener is not None:
        app.listener.close()
    app.kill_all()
    import shutil
    shutil.rmtree(app.pki, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
