"""A realistic security flow driven by the official Python client (elasticsearch 9.x).

Run by crates/rampart/tests/clients.rs with RAMPART_URL and RAMPART_PASSWORD (elastic's)
set and the client on PYTHONPATH. Any failed check raises, so the exit code is the verdict.
"""

import os
import sys

import elasticsearch
from elasticsearch import AuthenticationException, AuthorizationException, Elasticsearch

URL = os.environ["RAMPART_URL"]
ADMIN_PASSWORD = os.environ["RAMPART_PASSWORD"]
PREFIX = "py"
APP = "pyclientapp"  # ES wants an application-name prefix of 3+ characters
ROLE = PREFIX + "_analyst"
USER = PREFIX + "_alice"
USER_PASSWORD = "alice-password-1"
RUNAS_ROLE = PREFIX + "_impersonator"
RUNAS_ADMIN = PREFIX + "_support"
RUNAS_PASSWORD = "support-password-1"


def check(condition, what, got=None):
    if not condition:
        raise AssertionError("%s (got: %r)" % (what, got))
    print("ok -", what)


def client(**auth):
    return Elasticsearch(URL, request_timeout=30, **auth)


def main():
    print("elasticsearch-py", elasticsearch.__versionstr__)
    check(elasticsearch.__versionstr__.startswith("9."), "client is 9.x", elasticsearch.__versionstr__)
    admin = client(basic_auth=("elastic", ADMIN_PASSWORD))

    who = admin.security.authenticate()
    check(who["username"] == "elastic", "elastic authenticates", who.body)

    # Application privileges that the role below refers to.
    put = admin.security.put_privileges(
        privileges={APP: {"read": {"actions": ["data:read/*"]}, "write": {"actions": ["data:write/*"]}}}
    )
    check(put["%s" % APP]["read"]["created"] is True, "application privilege created", put.body)

    # A role with DLS (query) and FLS (field_security) on logs-*, plus an application privilege.
    role = admin.security.put_role(
        name=ROLE,
        cluster=["monitor", "manage_own_api_key"],
        indices=[
            {
                "names": ["logs-*"],
                "privileges": ["read", "view_index_metadata"],
                "query": '{"term": {"team": "blue"}}',
                "field_security": {"grant": ["@timestamp", "message", "team"]},
            }
        ],
        applications=[{"application": APP, "privileges": ["read"], "resources": ["*"]}],
        metadata={"owner": "clients-test"},
    )
    check(role["role"]["created"] is True, "role with DLS and FLS created", role.body)
    got = admin.security.get_role(name=ROLE)[ROLE]
    check(got["indices"][0]["field_security"]["grant"] == ["@timestamp", "message", "team"],
          "role keeps its field_security", got)
    check("query" in got["indices"][0], "role keeps its query", got)

    user = admin.security.put_user(username=USER, password=USER_PASSWORD, roles=[ROLE], full_name="Alice")
    check(user["created"] is True, "user created", user.body)

    alice = client(basic_auth=(USER, USER_PASSWORD))
    me = alice.security.authenticate()
    check(me["username"] == USER and me["roles"] == [ROLE], "user authenticates with her role", me.body)
    check(me["authentication_realm"]["type"] == "native", "user is in the native realm", me.body)

    try:
        client(basic_auth=(USER, "wrong-password")).security.authenticate()
        check(False, "a wrong password is rejected")
    except AuthenticationException as e:
        check(e.meta.status == 401, "a wrong password is rejected with 401", e.meta.status)

    key = alice.security.create_api_key(name=PREFIX + "-key", expiration="1d")
    check(bool(key["id"]) and bool(key["encoded"]), "user creates an API key", key.body)
    keyed = client(api_key=key["encoded"])
    as_key = keyed.security.authenticate()
    check(as_key["username"] == USER and as_key["authentication_type"] == "api_key",
          "the API key authenticates as the user", as_key.body)
    check(as_key["api_key"]["id"] == key["id"], "authenticate reports the key id", as_key.body)

    hp = alice.security.has_privileges(
        cluster=["monitor", "manage_security"],
        index=[{"names": ["logs-2024"], "privileges": ["read", "write"]}],
        application=[{"application": APP, "privileges": ["read", "write"], "resources": ["doc/1"]}],
    )
    check(hp["username"] == USER, "has_privileges names the user", hp.body)
    check(hp["has_all_requested"] is False, "has_privileges: not everything", hp.body)
    check(hp["cluster"] == {"monitor": True, "manage_security": False}, "has_privileges: cluster", hp.body)
    check(hp["index"] == {"logs-2024": {"read": True, "write": False}}, "has_privileges: index", hp.body)
    check(hp["application"] == {APP: {"doc/1": {"read": True, "write": False}}},
          "has_privileges: application", hp.body)

    # run_as: a support user whose role may impersonate alice (and nobody else).
    admin.security.put_role(name=RUNAS_ROLE, cluster=["monitor"], run_as=[USER])
    admin.security.put_user(username=RUNAS_ADMIN, password=RUNAS_PASSWORD, roles=[RUNAS_ROLE])
    support = client(basic_auth=(RUNAS_ADMIN, RUNAS_PASSWORD))
    as_alice = support.options(headers={"es-security-runas-user": USER}).security.authenticate()
    check(as_alice["username"] == USER, "run_as: the effective user is alice", as_alice.body)
    check(as_alice["authentication_realm"]["name"] == "default_native"
          and as_alice["lookup_realm"]["type"] == "native", "run_as: realms", as_alice.body)
    try:
        support.options(headers={"es-security-runas-user": "elastic"}).security.authenticate()
        check(False, "run_as elastic is refused")
    except AuthorizationException as e:
        check(e.meta.status == 403, "run_as elastic is refused with 403", e.meta.status)

    privs = alice.security.get_user_privileges()
    check(set(privs["cluster"]) == {"monitor", "manage_own_api_key"}, "user privileges: cluster", privs.body)
    index = privs["indices"][0]
    check(index["names"] == ["logs-*"], "user privileges: index names", privs.body)
    check(index["field_security"] == [{"grant": ["@timestamp", "message", "team"]}],
          "user privileges: field_security", privs.body)
    check(index["query"] == ['{"term": {"team": "blue"}}'], "user privileges: query", privs.body)
    check(privs["applications"] == [{"application": APP, "privileges": ["read"], "resources": ["*"]}],
          "user privileges: applications", privs.body)

    # manage_own_api_key covers invalidation only when the request says owner=true (as in ES).
    try:
        alice.security.invalidate_api_key(ids=[key["id"]])
        check(False, "invalidation without owner=true is refused")
    except AuthorizationException as e:
        check(e.meta.status == 403, "invalidation without owner=true is refused with 403", e.meta.status)
    inv = alice.security.invalidate_api_key(ids=[key["id"]], owner=True)
    check(inv["invalidated_api_keys"] == [key["id"]] and inv["error_count"] == 0, "API key invalidated", inv.body)
    try:
        keyed.security.authenticate()
        check(False, "the invalidated key no longer authenticates")
    except AuthenticationException as e:
        check(e.meta.status == 401, "the invalidated key is rejected with 401", e.meta.status)

    print("python flow: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the test prints our output; make the cause obvious
        print("FAILED: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        raise
