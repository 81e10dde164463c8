#!/usr/bin/env bash
# Load-independent companion of gateway_overhead.sh: user-space instructions (and heap
# allocations) per search executed by the *gateway node* only, counted by callgrind
# (deterministic, unaffected by other processes on the machine). The upstream runs natively
# and is not counted; neither is the kernel's network path.
#
# The gateway runs under valgrind with one callgrind output per thread. Its security-store
# poller (a thread polling the upstream every 100 ms) and the store's private runtime do work
# per unit of *time*, not per search, and valgrind slows time down ~50x, so their threads are
# left out: a thread is counted when it ran any `rampart_server` code or the gateway's search
# path (the main runtime's workers and blocking threads). The index metadata cache is refreshed
# by age on the request path; the node runs with `rampart.gateway.metadata.max_age: 1h` so
# that per-time refresh does not leak into the per-search count either (it is one
# `_resolve/index` + `_remote/info` per second natively, i.e. well under 1 % of searches).
#
# After a warm-up the counters are zeroed, N searches are sent over one keep-alive connection
# (unrestricted user, then the DLS+FLS user of gateway_overhead.sh, same body), and dumped.
#
#   benches/gateway_instructions.sh              # 1,000 searches per user
#   REQUESTS=2000 benches/gateway_instructions.sh
#   KEEP=1 benches/gateway_instructions.sh       # keep the dumps (callgrind_annotate)
#   RAMPART_BIN=/path/to/rampart benches/gateway_instructions.sh   # a prebuilt binary
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
REQUESTS="${REQUESTS:-1000}"
WARMUP="${WARMUP:-100}"
DOCS="${DOCS:-10000}"
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }

if [ -n "${RAMPART_BIN:-}" ]; then
    bin="$RAMPART_BIN"
else
    echo "== building the release binary"
    cargo build --release --locked -p rampart --bin rampart
    bin="${CARGO_TARGET_DIR:-$repo/target}/release/rampart"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-gwinstr.XXXXXX")
pids=()
cleanup() {
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # url, pid
    for _ in $(seq 1 3000); do
        kill -0 "$2" 2>/dev/null || { echo "server for $1 exited; logs in $work" >&2; cat "$work"/*.log >&2; exit 1; }
        curl --silent --output /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1 within 300 s" >&2
    exit 1
}

# The fixed-count client: one keep-alive connection, fails on any non-200 answer.
cat >"$work/client.py" <<'EOF'
import base64, http.client, sys
port, n, user = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = open(sys.argv[4], "rb").read()
headers = {"Content-Type": "application/json",
           "Authorization": "Basic " + base64.b64encode(f"{user}:bench-user-password".encode()).decode()}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for _ in range(n):
    c.request("POST", "/bench/_search", body, headers)
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"status {r.status}: {data[:300]!r}")
EOF

upstream_port=$(free_port)
"$bin" serve --no-kibana --port "$upstream_port" --data "$work/upstream" \
    -E xpack.security.enabled=false >"$work/upstream.log" 2>&1 &
pids+=($!)
upstream_url="http://127.0.0.1:$upstream_port"
wait_http "$upstream_url/" "${pids[-1]}"

echo "== loading $DOCS documents into the upstream"
curl --silent --show-error --fail-with-body -X PUT "$upstream_url/bench" -H 'Content-Type: application/json' \
    -d '{"mappings":{"properties":{"title":{"type":"text"},"group":{"type":"keyword"},"n":{"type":"long"},"secret":{"type":"keyword"}}}}' >/dev/null
python3 - "$DOCS" >"$work/docs.ndjson" <<'PY'
import json, sys
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"index": {"_id": str(i)}}))
    title = " ".join(words[(i * k) % len(words)] for k in (1, 3, 5))
    print(json.dumps({"title": title, "group": f"g{i % 10}", "n": i, "secret": f"s{i % 97}"}))
PY
curl --silent --show-error --fail-with-body -X POST "$upstream_url/bench/_bulk?refresh=true" \
    -H 'Content-Type: application/x-ndjson' --data-binary "@$work/docs.ndjson" \
    | python3 -c 'import json, sys; b = json.load(sys.stdin); sys.exit(1 if b.get("errors") else 0)'

# Users and roles go into the upstream's security store through a native gateway node
# (password hashing under valgrind is slow); the measured node reads them from there.
admin_password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
setup_port=$(free_port)
ELASTIC_PASSWORD="$admin_password" "$bin" serve --no-kibana --port "$setup_port" --data "$work/setup" \
    --upstream "$upstream_url" >"$work/setup.log" 2>&1 &
pids+=($!)
setup_url="http://127.0.0.1:$setup_port"
wait_http "$setup_url/" "${pids[-1]}"
admin() { # method, path, body
    curl --silent --show-error --fail-with-body --user "elastic:$admin_password" \
        -X "$1" -H 'Content-Type: application/json' "$setup_url$2" -d "$3" >/dev/null
}
admin PUT /_security/role/bench_all '{"indices":[{"names":["bench"],"privileges":["read"]}]}'
admin PUT /_security/role/bench_dls '{"indices":[{"names":["bench"],"privileges":["read"],
  "query":{"terms":{"group":["g0","g1","g2","g3","g4","g5","g6","g7"]}},
  "field_security":{"grant":["title","group","n"]}}]}'
admin PUT /_security/user/bench_all '{"password":"bench-user-password","roles":["bench_all"]}'
admin PUT /_security/user/bench_dls '{"password":"bench-user-password","roles":["bench_dls"]}'
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true

body="$repo/benches/gateway_search.json"
gateway_args=(serve --no-kibana --data "$work/gateway" --upstream "$upstream_url"
    -E rampart.gateway.metadata.max_age=1h)

# Sums the per-thread dumps of one measurement, leaving out threads that ran none of the
# request path (the store poller and the store's private runtime): instructions, and calls
# of the Rust allocator (`__rust_alloc`, `__rust_alloc_zeroed`, `__rust_realloc`; the node's
# allocator is mimalloc, linked in, which heap profilers such as dhat do not see).
count() { # dump prefix -> "instructions allocations" of the request-serving threads
    python3 - "$1" <<'PY'
import glob, re, sys
total = allocs = 0
alloc_fns = {"__rustc::__rust_alloc", "__rustc::__rust_alloc_zeroed", "__rustc::__rust_realloc",
             "__rust_alloc", "__rust_alloc_zeroed", "__rust_realloc"}
for path in sorted(glob.glob(sys.argv[1] + "*")):
    text = open(path, errors="replace").read()
    m = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
    cost = int(m.group(1)) if m else 0
    serving = "rampart_server::" in text or "rampart_gateway::rewrite" in text
    calls, names, target = 0, {}, None
    for line in text.splitlines():
        fm = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if fm:
            if fm.group(2):
                names[fm.group(1)] = fm.group(2)
            if line.startswith("cfn="):
                target = names.get(fm.group(1))
            continue
        if line.startswith("calls=") and target in alloc_fns:
            calls += int(line.split("=")[1].split()[0])
    print(f"   thread dump {path.rsplit('/', 1)[-1]}: {cost} instructions, {calls} allocations"
          f" ({'counted' if serving else 'left out: no request-path code'})", file=sys.stderr)
    if serving:
        total += cost
        allocs += calls
print(total, allocs)
PY
}

echo "== counting instructions ($WARMUP warm-up, then $REQUESTS searches per user)"
port=$(free_port)
valgrind --tool=callgrind --separate-threads=yes --dump-instr=no \
    --callgrind-out-file="$work/gw.%p" "$bin" "${gateway_args[@]}" --port "$port" \
    >"$work/gateway.log" 2>&1 &
pid=$!
pids+=($pid)
wait_http "http://127.0.0.1:$port/" "$pid"
declare -A instr allocs
for user in bench_all bench_dls; do
    python3 "$work/client.py" "$port" "$WARMUP" "$user" "$body"
    callgrind_control -z "$pid" >/dev/null
    rm -f "$work/gw.$pid".*
    python3 "$work/client.py" "$port" "$REQUESTS" "$user" "$body"
    callgrind_control -d "$user" "$pid" >/dev/null
    mkdir -p "$work/$user"
    mv "$work/gw.$pid".* "$work/$user/"
    read -r total calls <<<"$(count "$work/$user/gw.")"
    instr[$user]=$(awk "BEGIN { printf \"%.0f\", $total / $REQUESTS }")
    allocs[$user]=$(awk "BEGIN { printf \"%.1f\", $calls / $REQUESTS }")
done
kill "$pid"
wait "$pid" 2>/dev/null || true

echo
echo "gateway node, user-space instructions per search (callgrind, $REQUESTS searches, one connection):"
echo "  unrestricted:  ${instr[bench_all]}"
echo "  DLS+FLS:       ${instr[bench_dls]}"
echo "heap allocations (allocator calls) per search, same run:"
echo "  unrestricted:  ${allocs[bench_all]}"
echo "  DLS+FLS:       ${allocs[bench_dls]}"
