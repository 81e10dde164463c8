#!/usr/bin/env bash
# HTTP benchmark: requests/s of POST /_security/user/_has_privileges on Rampart against the
# same wrk load on a bare axum handler that answers a fixed JSON body (the ceiling any axum
# server can reach on this machine), in the same run. Loopback only, bounded duration.
#
#   benches/http_has_privileges.sh                 # 2 alternating rounds of 15 s each
#   DURATION=30s CONNECTIONS=64 THREADS=2 ROUNDS=3 benches/http_has_privileges.sh
#   BARE_AXUM=/path/to/bare_axum benches/http_has_privileges.sh   # use a prebuilt baseline
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-2}"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "== building release binaries"
cargo build --release --locked -p rampart --bin rampart
# BARE_AXUM=path: an already-built bare_axum (building the example through cargo also
# builds rampart-bench's other dev-dependencies in release).
if [ -z "${BARE_AXUM:-}" ]; then
    cargo build --release --locked -p rampart-bench --example bare_axum
fi
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bare_axum="${BARE_AXUM:-$target_dir/release/examples/bare_axum}"

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-httpbench.XXXXXX")
pids=()
cleanup() {
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # url, pid
    for _ in $(seq 1 300); do
        kill -0 "$2" 2>/dev/null || { echo "server for $1 exited; logs in $work:" >&2; cat "$work"/*.log >&2; exit 1; }
        curl --silent --output /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1 within 30 s" >&2
    exit 1
}

admin_password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
rampart_port=$(free_port)
ELASTIC_PASSWORD="$admin_password" "$target_dir/release/rampart" serve --no-kibana --port "$rampart_port" \
    --data "$work/data" >"$work/rampart.log" 2>&1 &
pids+=($!)
rampart_url="http://127.0.0.1:$rampart_port"
wait_http "$rampart_url/" "${pids[-1]}"

bare_port=$(free_port)
"$bare_axum" "127.0.0.1:$bare_port" >"$work/bare.log" 2>&1 &
pids+=($!)
bare_url="http://127.0.0.1:$bare_port"
wait_http "$bare_url/" "${pids[-1]}"

# A realistic caller: a native user with a custom role (index patterns, application
# privileges) rather than the superuser, whose answers are trivially "yes".
admin() { # method, path, body
    curl --silent --show-error --fail-with-body --user "elastic:$admin_password" \
        -X "$1" -H 'Content-Type: application/json' "$rampart_url$2" -d "$3" >/dev/null
}
admin PUT /_security/privilege '{"bench_app":{"read":{"actions":["data:read/*"]},"write":{"actions":["data:write/*"]}}}'
admin PUT /_security/role/bench_role '{"cluster":["monitor","manage_own_api_key"],
  "indices":[{"names":["logs-*","metrics-*"],"privileges":["read","view_index_metadata"]},
             {"names":["audit-*"],"privileges":["all"],"query":"{\"term\":{\"team\":\"blue\"}}"}],
  "applications":[{"application":"bench_app","privileges":["read"],"resources":["space:*"]}]}'
bench_password="bench-user-password"
admin PUT /_security/user/bench_user "{\"password\":\"$bench_password\",\"roles\":[\"bench_role\"]}"

export BENCH_AUTH_HEADER BENCH_BODY_FILE="$repo/benches/has_privileges.json"
BENCH_AUTH_HEADER=$(printf '%s' "bench_user:$bench_password" | base64 -w0)
lua="$repo/benches/has_privileges.lua"
path=/_security/user/_has_privileges

echo "== the answer being measured (must be 200)"
curl --silent --show-error --fail-with-body -H "Authorization: Basic $BENCH_AUTH_HEADER" \
    -H 'Content-Type: application/json' "$rampart_url$path" --data-binary "@$BENCH_BODY_FILE"
echo

run_wrk() { # name, url -> prints req/s; fails on any non-2xx answer or socket error
    local out
    out=$(wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$lua" "$2$path")
    echo "$out" | sed "s/^/  [$1] /" >&2
    if echo "$out" | grep -q -e 'Non-2xx' -e 'Socket errors'; then
        echo "$1: wrk saw errors (above)" >&2
        exit 1
    fi
    echo "$out" | awk '/^Requests\/sec:/ { print $2 }'
}

echo "== warm-up (5 s each, not counted)"
DURATION=5s run_wrk warmup-bare "$bare_url" >/dev/null
DURATION=5s run_wrk warmup-rampart "$rampart_url" >/dev/null

calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }
bare_sum=0
rampart_sum=0
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
    bare=$(run_wrk bare "$bare_url")
    rampart=$(run_wrk rampart "$rampart_url")
    echo "round $round: bare axum $bare req/s, rampart $rampart req/s, ratio $(calc "100 * $rampart / $bare") %"
    bare_sum=$(calc "$bare_sum + $bare")
    rampart_sum=$(calc "$rampart_sum + $rampart")
done
echo
echo "mean of $ROUNDS rounds ($THREADS wrk threads, $CONNECTIONS connections, $DURATION each):"
echo "  bare axum handler:         $(calc "$bare_sum / $ROUNDS") req/s"
echo "  rampart _has_privileges:   $(calc "$rampart_sum / $ROUNDS") req/s"
echo "  ratio:                     $(calc "100 * $rampart_sum / $bare_sum") % (goal: >= 70 %)"
