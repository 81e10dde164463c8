#!/usr/bin/env python3
"""Drive Rampart's Kibana port with the third-party `kibana-py` client (PyPI, alpha): role and
space CRUD through its `security` and `spaces` namespaces. Usage:
test_kibana_py_client.py KIBANA_URL USER PASSWORD. Exit 0 when all checks pass.

The client is pinned (KIBANA_PY) and installed on first use into a private virtual environment
(RAMPART_KIBANA_PY_VENV, default: <tmp>/rampart-kibana-py-<version>), so the system Python is
never modified. See README.md beside this file for what the client gets wrong and why."""

import os
import subprocess
import sys
import tempfile

KIBANA_PY = "kibana-py==0.6.0"


def ensure_client():
    """Import the client, or re-run this script inside a venv that has it."""
    try:
        import kibana  # noqa: F401

        return
    except ImportError:
        pass
    if os.environ.get("RAMPART_KIBANA_PY_REEXEC"):
        raise SystemExit("kibana-py is not importable even inside its venv")
    venv = os.environ.get("RAMPART_KIBANA_PY_VENV") or os.path.join(
        tempfile.gettempdir(), "rampart-" + KIBANA_PY.replace("==", "-"))
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([python, "-m", "pip", "install", "--quiet", KIBANA_PY])
    env = dict(os.environ, RAMPART_KIBANA_PY_REEXEC="1")
    os.execve(python, [python, *sys.argv], env)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def raises(exc, fn, **kwargs):
    """Call fn(**kwargs), expecting exception class exc; return the exception."""
    try:
        fn(**kwargs)
    except exc as e:  # noqa: PERF203
        return e
    raise AssertionError(f"{fn.__name__}({kwargs}) did not raise {exc.__name__}")


def body_message(e):
    body = getattr(e, "body", None)
    return body.get("message", "") if isinstance(body, dict) else str(body)


def main(url, user, password):
    from kibana import Kibana
    from kibana.exceptions import (BadRequestError, ConflictError, NotFoundError,
                                   SpaceNotFoundError)

    client = Kibana(url, basic_auth=(user, password))
    sec = client.security

    # == roles ==
    role_es = {"cluster": ["monitor"], "indices": [{"names": ["logs-*"], "privileges": ["read"]}]}
    role_kb = [{"base": ["read"], "spaces": ["*"]},
               {"feature": {"dashboard": ["all"]}, "spaces": ["kpy-space"]}]
    r = sec.create_or_update_role(name="kpy_role", elasticsearch=role_es, kibana=role_kb,
                                  description="from kibana-py", metadata={"version": 1})
    check(r.meta.status == 204, f"put role: {r.meta.status}")
    got = sec.get_role(name="kpy_role").body
    check(got["name"] == "kpy_role" and got["description"] == "from kibana-py", got)
    check(got["metadata"] == {"version": 1}, got)
    check(got["kibana"] == [{"base": ["read"], "feature": {}, "spaces": ["*"]},
                            {"base": [], "feature": {"dashboard": ["all"]},
                             "spaces": ["kpy-space"]}], got)
    check(got["elasticsearch"]["cluster"] == ["monitor"], got)
    names = [x["name"] for x in sec.get_all_roles().body]
    check("kpy_role" in names and "superuser" in names, names)

    e = raises(ConflictError, sec.create_or_update_role, name="kpy_role",
               elasticsearch=role_es, create_only=True)
    check("already exists" in body_message(e), body_message(e))
    e = raises(BadRequestError, sec.create_or_update_role, name="kpy_bad", elasticsearch={},
               kibana=[{"base": ["all"], "feature": {"discover": ["all"]}}])
    check("definition of [feature] isn't allowed" in body_message(e), body_message(e))
    # `_reserved` metadata is refused as ES refuses every `_` metadata key.
    e = raises(BadRequestError, sec.create_or_update_role, name="kpy_bad", elasticsearch={},
               metadata={"_reserved": True})
    check("metadata keys may not start with [_]" in body_message(e), body_message(e))
    # replaceDeprecatedPrivileges=true is refused with a clear message (see README).
    e = raises(BadRequestError, sec.get_role, name="kpy_role", replace_deprecated_privileges=True)
    check("replaceDeprecatedPrivileges" in body_message(e), body_message(e))
    got = sec.get_role(name="kpy_role", replace_deprecated_privileges=False).body
    check(got["name"] == "kpy_role", got)

    r = sec.bulk_create_or_update_roles(roles={
        "kpy_bulk_a": {"elasticsearch": {"cluster": ["monitor"]}},
        "kpy_role": {"elasticsearch": role_es, "kibana": role_kb,
                     "description": "from kibana-py", "metadata": {"version": 2}},
    })
    check(r.body.get("created") == ["kpy_bulk_a"], r.body)
    check(r.body.get("updated") == ["kpy_role"], r.body)
    q = sec.query_roles(query="kpy", sort={"field": "name", "direction": "asc"},
                        filters={"showReservedRoles": False}).body
    check([x["name"] for x in q["roles"]] == ["kpy_bulk_a", "kpy_role"], q)
    check(q["total"] == 2 and q["count"] == 2, q)

    # == spaces ==
    sp = client.spaces
    created = sp.create(id="kpy-space", name="Kibana Py", disabled_features=["ml"],
                        description="made by kibana-py").body
    check(created["id"] == "kpy-space" and created["disabledFeatures"] == ["ml"], created)
    e = raises(ConflictError, sp.create, id="kpy-space", name="again")
    check("kpy-space" in body_message(e), body_message(e))
    e = raises(BadRequestError, sp.create, id="Bad Id", name="x")
    check("lower case" in body_message(e), body_message(e))
    got = sp.get(id="kpy-space").body
    check(got["name"] == "Kibana Py" and got["description"] == "made by kibana-py", got)
    ids = [s["id"] for s in sp.get_all().body]
    check(ids[0] == "default" and "kpy-space" in ids, ids)
    ids = [s["id"] for s in sp.get_all(purpose="any").body]
    check("kpy-space" in ids, ids)
    listed = sp.get_all(include_authorized_purposes=True).body
    mine = [x for x in listed if x["id"] == "kpy-space"]
    check(len(mine) == 1 and mine[0]["authorizedPurposes"]["findSavedObjects"] is True, listed)
    # The space-scoped client checks the space exists (GET /api/spaces/space/<id>) when built;
    # it has no raw request method, so capabilities go through the root client's.
    check(client.space("kpy-space") is not None, "scoped client")
    caps = client.perform_request("POST", "/s/kpy-space/api/core/capabilities",
                                  body={"applications": []}).body
    check(caps["navLinks"]["ml"] is False and caps["dashboard"]["show"] is True, caps)
    raises(SpaceNotFoundError, client.space, space_id="no-such-space")
    updated = sp.update(id="kpy-space", name="Kibana Py 2", disabled_features=[]).body
    check(updated["name"] == "Kibana Py 2" and updated["disabledFeatures"] == [], updated)
    r = sp.delete(id="kpy-space")
    check(r.meta.status == 204, r.meta.status)
    raises(NotFoundError, sp.get, id="kpy-space")
    e = raises(BadRequestError, sp.delete, id="default")
    check("default space" in body_message(e).lower(), body_message(e))

    for name in ["kpy_role", "kpy_bulk_a"]:
        check(sec.delete_role(name=name).meta.status == 204, name)
    raises(NotFoundError, sec.get_role, name="kpy_role")
    raises(NotFoundError, sec.delete_role, name="kpy_role")
    print("all checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    ensure_client()
    main(*sys.argv[1:])
