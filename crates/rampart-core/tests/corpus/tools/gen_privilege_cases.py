#!/usr/bin/env python3
"""One-off generator of the per-privilege corpus cases (kept for review, not run by tests).

Reads privileges.json (the facts) and prints YAML cases: for every cluster and index privilege a
role holding only that privilege is allowed one of its actions and denied one it does not cover,
with the exact denial message. The expected message is computed here from the facts (denial
order, action patterns), independently of the engine. Usage:
    gen_privilege_cases.py /work/shared/spec/privileges.json > cases.yml
"""
import json
import re
import sys

facts = json.load(open(sys.argv[1]))
USER = "tester"


def pattern_re(p):
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\" and i + 1 < len(p):
            i += 1
            out.append(re.escape(p[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.S)


def grants(defn, action):
    ok = any(pattern_re(p).match(action) for p in defn["actions"])
    return ok and not any(pattern_re(p).match(action) for p in defn.get("excluded_actions") or [])


def kind(action):
    if action.startswith("cluster:") or action.startswith("indices:admin/template/") or action.startswith(
        "indices:admin/index_template/"
    ):
        return "cluster"
    if action.startswith("indices:") or action.startswith("internal:transport/proxy/indices:"):
        return "index"
    return "other"


def q(s):
    return json.dumps(s)


def cluster_granted_by(action, conditional_ok):
    out = []
    for name in facts["cluster_denial_order"]:
        d = facts["cluster"][name]
        if grants(d, action) and (not d.get("conditional") or conditional_ok):
            out.append(name)
    return out


def covers(selector, failures):
    return selector in ("failures", "data_and_failures", "all") if failures else selector != "failures"


def index_granted_by(action, failures=False):
    return [
        n
        for n in facts["index_denial_order"]
        if covers(facts["index"][n]["selector"], failures) and grants(facts["index"][n], action)
    ]


TSV = []
for line in open(sys.argv[1].replace("privileges.json", "actions.tsv")):
    cols = line.rstrip("\n").split("\t")
    if not line.startswith("#") and len(cols) > 2 and "*" not in cols[2] and cols[2] not in TSV:
        TSV.append(cols[2])


def literal(defn, want_kind):
    # Prefer an action the privilege names literally, then a real action from actions.tsv,
    # then a pattern with its trailing wildcard dropped.
    for a in defn["actions"]:
        if "*" not in a and kind(a) == want_kind and grants(defn, a):
            return a
    for a in TSV:
        if kind(a) == want_kind and grants(defn, a):
            return a
    for p in defn["actions"]:
        a = p.rstrip("*") if p.endswith("*") and "*" not in p[:-1] else p
        if "*" in a or "?" in a:
            continue
        if a.endswith("/"):
            a += "get"
        if kind(a) == want_kind and grants(defn, a):
            return a
    return None


CLUSTER_PROBES = [
    "cluster:admin/xpack/security/user/put",
    "cluster:admin/settings/update",
    "cluster:monitor/health",
    "internal:transport/handshake",
]
INDEX_PROBES = [
    "indices:admin/delete",
    "indices:data/read/search",
    "indices:data/write/index:op_type/index",
]
# Representative actions where the first match would be a poor example (e.g. authenticate,
# which the default role grants anyway).
SPECIAL_CLUSTER_ALLOW = {
    "manage_own_api_key": "cluster:admin/xpack/security/api_key/create",
    "manage_security": "cluster:admin/xpack/security/user/put",
    "all": "cluster:admin/xpack/security/user/put",
    "manage": "cluster:admin/settings/update",
    "monitor": "cluster:monitor/health",
    "manage_ccr": "cluster:admin/xpack/ccr/auto_follow_pattern/put",
}
SPECIAL_INDEX_ALLOW = {
    "manage_failure_store": "indices:admin/rollover",
    "read_failure_store": "indices:data/read/search",
    "read": "indices:data/read/search",
    "write": "indices:data/write/update",
    "all": "indices:admin/delete",
    "manage": "indices:admin/settings/update",
    "maintenance": "indices:admin/refresh",
}

out = []


def emit(lines):
    out.extend(lines)


def deny_msg(action, role, context, granted, kind_word):
    m = f"action [{action}] is unauthorized for user [{USER}] with effective roles [{role}]{context}"
    if granted:
        m += f", this action is granted by the {kind_word} privileges [{','.join(granted)}]"
    return m


for name in facts["cluster_denial_order"]:
    d = facts["cluster"][name]
    role = f"cluster_{name}"
    allow = SPECIAL_CLUSTER_ALLOW.get(name) or literal(d, "cluster")
    if allow:
        emit([f"- name: cluster privilege {name} allows {allow}", f"  user: {USER}", f"  roles: [{role}]",
              f"  request: {{cluster: {q(allow)}}}", "  expect: allow"])
    probes = [p for p in CLUSTER_PROBES if kind(p) != "cluster" or not grants(d, p)]
    if not allow:
        probes = probes[:2]  # privileges granting nothing get two denials
    else:
        probes = probes[:1]
    for deny in probes:
        msg = deny_msg(deny, role, "", cluster_granted_by(deny, False) if kind(deny) == "cluster" else [], "cluster")
        emit([f"- name: cluster privilege {name} denies {deny}", f"  user: {USER}", f"  roles: [{role}]",
              f"  request: {{cluster: {q(deny)}}}", "  expect: deny", f"  message: {q(msg)}"])

for name in facts["index_denial_order"]:
    d = facts["index"][name]
    role = f"index_{name}"
    idx = f"priv-{name}-1"
    failures = d["selector"] == "failures"
    allow = SPECIAL_INDEX_ALLOW.get(name) or literal(d, "index")
    if allow:
        target = f"priv-{name}-ds::failures" if failures else idx
        emit([f"- name: index privilege {name} allows {allow}", f"  user: {USER}", f"  roles: [{role}]",
              f"  request: {{index: {{action: {q(allow)}, names: [{q(target)}]}}}}", "  expect: allow"])
    if failures:
        # A failure-store privilege never grants data access: same action on the data stream.
        deny_cases = [(allow, f"priv-{name}-ds", False)]
    else:
        probes = [p for p in INDEX_PROBES if not grants(d, p)]
        deny_cases = [(p, idx, False) for p in (probes[:1] if allow else probes[:2])]
        if not probes:
            deny_cases = [("indices:admin/delete", ".security-7", True)]
    for action, target, restricted in deny_cases:
        ctx = f" on restricted indices [{target}]" if restricted else f" on indices [{target}]"
        msg = deny_msg(action, role, ctx, index_granted_by(action), "index")
        emit([f"- name: index privilege {name} denies {action} on {target}", f"  user: {USER}", f"  roles: [{role}]",
              f"  request: {{index: {{action: {q(action)}, names: [{q(target)}]}}}}", "  expect: deny",
              f"  message: {q(msg)}"])

print("\n".join(out))
roles = {}
for name in facts["cluster_denial_order"]:
    roles[f"cluster_{name}"] = {"cluster": [name]}
for name in facts["index_denial_order"]:
    roles[f"index_{name}"] = {"indices": [{"names": [f"priv-{name}-*"], "privileges": [name]}]}
with open("/tmp/privilege_roles.json", "w") as f:
    json.dump(roles, f)
