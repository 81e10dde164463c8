#!/usr/bin/env python3
"""Drive Rampart's Kibana port with plain HTTP (requests): role and space CRUD, as a Kibana
client would. Usage: test_kibana.py KIBANA_URL ES_URL USER PASSWORD. Exit 0 when all pass."""

import subprocess
import sys

try:
    import requests
except ImportError:  # CI images may lack it: install, then import again.
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "requests"])
    import requests


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main(kibana, es, user, password):
    s = requests.Session()
    s.auth = (user, password)
    s.headers["kbn-xsrf"] = "python-test"

    # Writes without kbn-xsrf are refused in Kibana's error shape.
    r = requests.put(f"{kibana}/api/security/role/py_role", auth=(user, password),
                     json={"elasticsearch": {}})
    check(r.status_code == 400, f"no xsrf: {r.status_code} {r.text}")
    check(r.json() == {"statusCode": 400, "error": "Bad Request",
                       "message": "Request must contain a kbn-xsrf header."}, r.text)

    # Role CRUD.
    role = {"description": "from python", "elasticsearch": {"cluster": ["monitor"], "indices": [
        {"names": ["logs-*"], "privileges": ["read"]}]},
        "kibana": [{"base": ["read"], "spaces": ["*"]},
                   {"feature": {"dashboard": ["all"]}, "spaces": ["py-space"]}]}
    r = s.put(f"{kibana}/api/security/role/py_role", json=role)
    check(r.status_code == 204, f"put role: {r.status_code} {r.text}")
    r = s.get(f"{kibana}/api/security/role/py_role")
    check(r.status_code == 200, r.text)
    got = r.json()
    check(got["kibana"] == [{"base": ["read"], "feature": {}, "spaces": ["*"]},
                            {"base": [], "feature": {"dashboard": ["all"]}, "spaces": ["py-space"]}],
          got)
    check(got["elasticsearch"]["cluster"] == ["monitor"], got)
    r = s.get(f"{es}/_security/role/py_role")
    check(r.json()["py_role"]["applications"][1]["privileges"] == ["feature_dashboard.all"], r.text)
    r = s.get(f"{kibana}/api/security/role")
    check("py_role" in [x["name"] for x in r.json()], r.text)
    r = s.put(f"{kibana}/api/security/role/py_role?createOnly=true", json=role)
    check(r.status_code == 409, r.text)
    r = s.put(f"{kibana}/api/security/role/bad_role",
              json={"elasticsearch": {}, "kibana": [{"base": ["all"], "feature": {"discover": ["all"]}}]})
    check(r.status_code == 400 and "definition of [feature] isn't allowed" in r.json()["message"], r.text)

    # Space CRUD.
    r = s.post(f"{kibana}/api/spaces/space", json={"id": "py-space", "name": "Python", "disabledFeatures": ["ml"]})
    check(r.status_code == 200, f"create space: {r.text}")
    r = s.get(f"{kibana}/api/spaces/space/py-space")
    check(r.json()["disabledFeatures"] == ["ml"], r.text)
    r = s.put(f"{kibana}/api/spaces/space/py-space", json={"id": "py-space", "name": "Python 2", "color": "#123456"})
    check(r.status_code == 200 and r.json()["name"] == "Python 2", r.text)
    r = s.get(f"{kibana}/api/spaces/space")
    check([x["id"] for x in r.json()] == ["default", "py-space"], r.text)
    r = s.post(f"{kibana}/s/py-space/api/core/capabilities", json={"applications": []})
    check(r.status_code == 200 and r.json()["dashboard"]["show"] is True, r.text)
    r = s.delete(f"{kibana}/api/spaces/space/default")
    check(r.status_code == 400, r.text)
    r = s.delete(f"{kibana}/api/spaces/space/py-space")
    check(r.status_code == 204, r.text)
    r = s.get(f"{kibana}/api/spaces/space/py-space")
    check(r.status_code == 404, r.text)

    r = s.delete(f"{kibana}/api/security/role/py_role")
    check(r.status_code == 204, r.text)
    r = s.get(f"{kibana}/api/security/role/py_role")
    check(r.status_code == 404, r.text)
    print("kibana_py: all checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:5])
