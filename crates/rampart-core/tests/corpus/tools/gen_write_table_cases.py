#!/usr/bin/env python3
"""One-off generator of the section 6.2 table cases (kept for review, not run by tests).

Every cell of the create_doc/create/index/delete/write table becomes one explicit case; the
denial messages are computed from privileges.json by gen_privilege_cases.py's helpers.
Usage: gen_write_table_cases.py /work/shared/spec/privileges.json > cases.yml
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
exec(open(os.path.join(here, "gen_privilege_cases.py")).read().split("\nout = []")[0])

PRIVS = ["create_doc", "create", "index", "delete", "write"]
# (row label, action, name, data stream?, granted by: the ✔ columns)
ROWS = [
    ("index op_type=create", "indices:data/write/index:op_type/create", "wt-1", False,
     {"create_doc", "create", "index", "write"}),
    ("index op_type=index", "indices:data/write/index:op_type/index", "wt-1", False, {"create", "index", "write"}),
    ("update", "indices:data/write/update", "wt-1", False, {"index", "write"}),
    ("delete", "indices:data/write/delete", "wt-1", False, {"delete", "write"}),
    ("dynamic mapping on an index (BWC)", "indices:admin/mapping/auto_put", "wt-1", False,
     {"create_doc", "create", "index", "write"}),
    ("dynamic mapping on a data stream", "indices:admin/mapping/auto_put", "wt-ds", True, {"write"}),
    ("auto create of a missing target", "indices:admin/auto_create", "wt-new", False, set()),
]
lines = []
for label, action, name, ds, ok in ROWS:
    for p in PRIVS:
        role = f"wt_{p}"
        streams = ', streams: {"wt-ds": [".ds-wt-ds-2024.01.01-000001"]}' if ds else ""
        lines += [f"- name: 6.2 {label} with {p}", "  user: tester", f"  roles: [{role}]",
                  f"  request: {{index: {{action: {q(action)}, names: [{q(name)}]{streams}}}}}"]
        if p in ok:
            lines.append("  expect: allow")
        else:
            msg = (f"action [{action}] is unauthorized for user [tester] with effective roles [{role}] "
                   f"on indices [{name}], this action is granted by the index privileges "
                   f"[{','.join(index_granted_by(action))}]")
            lines += ["  expect: deny", f"  message: {q(msg)}"]
print("\n".join(lines))
