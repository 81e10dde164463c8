#!/usr/bin/env bash
# Load-independent companion of http_has_privileges.sh: user-space instructions per request
# of POST /_security/user/_has_privileges on Rampart and on the bare axum handler, counted by
# callgrind (deterministic, unaffected by other processes on the machine; the kernel's
# network path is not counted and is the same for both). Each server runs under valgrind;
# after a warm-up the counters are zeroed, N requests are sent over one keep-alive
# connection, and the counters are dumped.
#
#   benches/http_instructions.sh            # 2,000 requests each
#   REQUESTS=5000 benches/http_instructions.sh
#   KEEP=1 benches/http_instructions.sh     # keep rampart's callgrind dump (callgrind_annotate)
#   ONLY=rampart benches/http_instructions.sh  # skip the bare handler (its count does not
#                                              # change with Rampart's code; saves its build)
#   BARE_AXUM=/path/to/bare_axum benches/http_instructions.sh  # use a prebuilt baseline
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
REQUESTS="${REQUESTS:-2000}"
WARMUP="${WARMUP:-200}"
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }

echo "== building release binaries"
cargo build --release --locked -p rampart --bin rampart
if [ "${ONLY:-}" != rampart ] && [ -z "${BARE_AXUM:-}" ]; then
    cargo build --release --locked -p rampart-bench --example bare_axum
fi
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bare_axum="${BARE_AXUM:-$target_dir/release/examples/bare_axum}"

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-instr.XXXXXX")
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
import http.client, os, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
body = open(os.environ["BENCH_BODY_FILE"], "rb").read()
headers = {"Content-Type": "application/json",
           "Authorization": "Basic " + os.environ["BENCH_AUTH_HEADER"]}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for _ in range(n):
    c.request("POST", "/_security/user/_has_privileges", body, headers)
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"status {r.status}: {data[:300]!r}")
EOF

# Set up the caller on a normally running node first (bcrypt under valgrind is slow).
admin_password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
port=$(free_port)
ELASTIC_PASSWORD="$admin_password" "$target_dir/release/rampart" serve --no-kibana --port "$port" \
    --data "$work/data" >"$work/setup.log" 2>&1 &
pids+=($!)
url="http://127.0.0.1:$port"
wait_http "$url/" "${pids[-1]}"
admin() { # method, path, body
    curl --silent --show-error --fail-with-body --user "elastic:$admin_password" \
        -X "$1" -H 'Content-Type: application/json' "$url$2" -d "$3" >/dev/null
}
admin PUT /_security/privilege '{"bench_app":{"read":{"actions":["data:read/*"]},"write":{"actions":["data:write/*"]}}}'
admin PUT /_security/role/bench_role '{"cluster":["monitor","manage_own_api_key"],
  "indices":[{"names":["logs-*","metrics-*"],"privileges":["read","view_index_metadata"]},
             {"names":["audit-*"],"privileges":["all"],"query":"{\"term\":{\"team\":\"blue\"}}"}],
  "applications":[{"application":"bench_app","privileges":["read"],"resources":["space:*"]}]}'
admin PUT /_security/user/bench_user '{"password":"bench-user-password","roles":["bench_role"]}'
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true

export BENCH_AUTH_HEADER BENCH_BODY_FILE="$repo/benches/has_privileges.json"
BENCH_AUTH_HEADER=$(printf '%s' "bench_user:bench-user-password" | base64 -w0)

measure() { # name, port, command... -> prints instructions per request
    local name=$1 port=$2
    shift 2
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.callgrind" "$@" \
        >"$work/$name.log" 2>&1 &
    local pid=$!
    pids+=($pid)
    wait_http "http://127.0.0.1:$port/" "$pid"
    python3 "$work/client.py" "$port" "$WARMUP"
    callgrind_control -z "$pid" >/dev/null
    python3 "$work/client.py" "$port" "$REQUESTS"
    callgrind_control -d "$pid" >/dev/null
    local total
    total=$(awk '/^totals:/ { print $2 }' "$work/$name.callgrind".*)
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    awk "BEGIN { printf \"%.0f\", $total / $REQUESTS }"
}

echo "== counting ($WARMUP warm-up, then $REQUESTS requests each)"
rampart_port=$(free_port)
rampart=$(measure rampart "$rampart_port" "$target_dir/release/rampart" serve --no-kibana \
    --port "$rampart_port" --data "$work/data")
echo
echo "user-space instructions per request (callgrind, $REQUESTS requests, one connection):"
echo "  rampart _has_privileges:   $rampart"
if [ "${ONLY:-}" != rampart ]; then
    bare_port=$(free_port)
    bare=$(measure bare "$bare_port" "$bare_axum" "127.0.0.1:$bare_port")
    echo "  bare axum handler:         $bare"
    echo "  ratio bare/rampart:        $(awk "BEGIN { printf \"%.1f\", 100 * $bare / $rampart }") %"
fi
