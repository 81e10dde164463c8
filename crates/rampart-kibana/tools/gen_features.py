#!/usr/bin/env python3
"""Generate crates/rampart-kibana/data/features.json (Rampart's own registry format) from the
facts file kibana-features.json.

Usage: python3 tools/gen_features.py ../../../shared/spec/kibana-features.json > data/features.json

Our format: snake_case keys, every optional list filled in, no helper fields (notes,
serialized names, conditions). Sub-features marked "since 9.x" are kept: the target is 8.17 plus
the 9.x deltas.
"""
import json
import sys


def lst(obj, key):
    return list(obj.get(key) or [])


def saved_object(p):
    so = p.get("savedObject") or {}
    return {"all": lst(so, "all"), "read": lst(so, "read")}


def alerting(p):
    a = p.get("alerting") or {}
    out = {}
    for kind in ("rule", "alert"):
        k = a.get(kind) or {}
        out[kind] = {"all": lst(k, "all"), "read": lst(k, "read")}
    return out


def actions_part(p):
    return {
        "app": lst(p, "app"),
        "catalogue": lst(p, "catalogue"),
        "management": dict(p.get("management") or {}),
        "ui": lst(p, "ui"),
        "api": lst(p, "api"),
        "saved_object": saved_object(p),
        "alerting": alerting(p),
        "cases": dict(p.get("cases") or {}),
    }


def privilege(p):
    out = actions_part(p)
    out["require_all_spaces"] = bool(p.get("requireAllSpaces", False))
    out["disabled"] = bool(p.get("disabled", False))
    out["exclude_from_base_privileges"] = bool(p.get("excludeFromBasePrivileges", False))
    return out


def sub_privilege(p):
    out = {"id": p["id"], "name": p["name"], "include_in": p["includeIn"]}
    out.update(actions_part(p))
    out["minimum_license"] = p.get("minimumLicense")
    out["disabled"] = bool(p.get("disabled", False))
    return out


def feature(f):
    privs = f.get("privileges")
    out = {
        "id": f["id"],
        "name": f["name"],
        "category": f.get("category"),
        "order": f.get("order"),
        "app": lst(f, "app"),
        "catalogue": lst(f, "catalogue"),
        "management": dict(f.get("management") or {}),
        "alerting": lst(f, "alerting"),
        "cases": lst(f, "cases"),
        "minimum_license": f.get("minimumLicense"),
        "privileges_tooltip": f.get("privilegesTooltip"),
        "hidden": bool(f.get("hidden", False)),
        "privileges": None if privs is None else {k: privilege(v) for k, v in privs.items()},
        "sub_features": [
            {
                "name": s["name"],
                "require_all_spaces": bool(s.get("requireAllSpaces", False)),
                "privilege_groups": [
                    {"group_type": g["groupType"], "privileges": [sub_privilege(p) for p in g["privileges"]]}
                    for g in s["privilegeGroups"]
                ],
            }
            for s in f.get("subFeatures") or []
        ],
        "reserved": None,
        "deprecated_in": f.get("deprecatedIn"),
        "replaced_by": lst(f, "replacedBy"),
    }
    r = f.get("reserved")
    if r:
        out["reserved"] = {
            "description": r.get("description", ""),
            "privileges": [{"id": p["id"], "privilege": privilege(p["privilege"])} for p in r["privileges"]],
        }
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        features = json.load(fh)
    json.dump([feature(f) for f in features], sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
