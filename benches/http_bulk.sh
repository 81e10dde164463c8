#!/usr/bin/env bash
# HTTP benchmark: documents/s indexed through POST /{index}/_bulk (1000-document bodies) on
# the same release binary with security on (a native user whose role grants `create_doc`
# and `create_index` on `bench-*`) and off (`-E xpack.security.enabled=false`), two servers
# side by side, measured in alternating rounds (secured, unsecured, secured, unsecured, ...)
# so that load from other processes hits both alike. Loopback only, bounded duration.
#
#   benches/http_bulk.sh                                  # 2 rounds of 15 s each
#   DURATION=30s CONNECTIONS=4 THREADS=2 ROUNDS=3 DOCS=1000 benches/http_bulk.sh
#
# Durability is Elasticsearch's default (`index.translog.durability: request`: every bulk
# request is fsynced before it is acknowledged), on both servers.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-4}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-2}"
DOCS="${DOCS:-1000}"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "== building the release binary"
cargo build --release --locked -p rampart --bin rampart
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
binary="$target_dir/release/rampart"

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-bulkbench.XXXXXX")
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
wait_http() { # url, pid, curl auth args...
    local url=$1 pid=$2
    shift 2
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || { echo "server for $url exited; logs in $work:" >&2; cat "$work"/*.log >&2; exit 1; }
        curl --silent --fail --output /dev/null "$@" "$url/" && return 0
        sleep 0.1
    done
    echo "no answer from $url within 30 s" >&2
    exit 1
}

admin_password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
secured_port=$(free_port)
ELASTIC_PASSWORD="$admin_password" "$binary" serve --no-kibana --port "$secured_port" \
    --data "$work/secured" >"$work/secured.log" 2>&1 &
pids+=($!)
secured_url="http://127.0.0.1:$secured_port"
wait_http "$secured_url" "${pids[-1]}" --user "elastic:$admin_password"

open_port=$(free_port)
"$binary" serve --no-kibana --port "$open_port" --data "$work/open" \
    -E xpack.security.enabled=false >"$work/open.log" 2>&1 &
pids+=($!)
open_url="http://127.0.0.1:$open_port"
wait_http "$open_url" "${pids[-1]}"

# A realistic writer: a native user with a write-only role, not the superuser.
admin() { # method, path, body
    curl --silent --show-error --fail-with-body --user "elastic:$admin_password" \
        -X "$1" -H 'Content-Type: application/json' "$secured_url$2" -d "$3" >/dev/null
}
admin PUT /_security/role/bench_writer \
    '{"indices":[{"names":["bench-*"],"privileges":["create_doc","create_index"]}]}'
bench_password="bench-user-password"
admin PUT /_security/user/bench_writer "{\"password\":\"$bench_password\",\"roles\":[\"bench_writer\"]}"
secured_auth=$(printf '%s' "bench_writer:$bench_password" | base64 -w0)

body="$work/bulk.ndjson"
python3 - "$DOCS" >"$body" <<'PY'
import json, sys
n = int(sys.argv[1])
for i in range(n):
    print(json.dumps({"create": {}}))
    print(json.dumps({"@timestamp": f"2026-11-22T10:{i // 60 % 60:02d}:{i % 60:02d}Z",
                      "host": f"web-{i % 17}", "status": 200 + i % 5,
                      "bytes": 512 + i * 7 % 4096,
                      "message": f"GET /api/items/{i} served in {i % 97} ms"}))
PY
export BENCH_BODY_FILE="$body"
lua="$repo/benches/http_bulk.lua"
path=/bench-bulk/_bulk

echo "== one request each (must be 200 without item errors)"
check() { # url, auth header or empty
    local args=(--silent --show-error --fail-with-body -H 'Content-Type: application/x-ndjson')
    [ -n "$2" ] && args+=(-H "Authorization: Basic $2")
    local answer
    answer=$(curl "${args[@]}" "$1$path" --data-binary "@$body")
    if echo "$answer" | grep -q '"errors":true'; then
        echo "bulk on $1 reported item errors: ${answer:0:400}" >&2
        exit 1
    fi
    echo "  $1: ok (${#answer} bytes)"
}
check "$secured_url" "$secured_auth"
check "$open_url" ""

run_wrk() { # name, url, auth -> prints docs/s; fails on any non-2xx answer, socket or item error
    local out
    out=$(BENCH_AUTH_HEADER="$3" wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$lua" "$2$path")
    echo "$out" | sed "s/^/  [$1] /" >&2
    if echo "$out" | grep -q -e 'Non-2xx' -e 'Socket errors' -e 'Bulk item errors'; then
        echo "$1: wrk saw errors (above)" >&2
        exit 1
    fi
    echo "$out" | awk -v docs="$DOCS" '/^Requests\/sec:/ { printf "%.0f", $2 * docs }'
}

echo "== warm-up (5 s each, not counted)"
DURATION=5s run_wrk warmup-secured "$secured_url" "$secured_auth" >/dev/null
DURATION=5s run_wrk warmup-open "$open_url" "" >/dev/null

calc() { awk "BEGIN { printf \"%.1f\", $1 }"; }
secured_sum=0
open_sum=0
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $DOCS docs per request"
    secured=$(run_wrk secured "$secured_url" "$secured_auth")
    open=$(run_wrk open "$open_url" "")
    echo "round $round: security on $secured docs/s, security off $open docs/s, ratio $(calc "100 * $secured / $open") %"
    secured_sum=$(calc "$secured_sum + $secured")
    open_sum=$(calc "$open_sum + $open")
done
echo
echo "mean of $ROUNDS rounds ($THREADS wrk threads, $CONNECTIONS connections, $DURATION each, $DOCS docs per bulk):"
echo "  security on  (bench_writer): $(calc "$secured_sum / $ROUNDS") docs/s"
echo "  security off:                $(calc "$open_sum / $ROUNDS") docs/s"
echo "  ratio:                       $(calc "100 * $secured_sum / $open_sum") %"
