#!/usr/bin/env bash
# Plays Elasticsearch's YAML REST tests (categories security-api and data-plane) against a freshly started
# release build of Rampart and compares the result with the committed baseline.
#
#   conformance/run.sh            check: exit 1 when a test of the baseline no longer passes
#   conformance/run.sh --record   re-record the baseline from this run
#   any other arguments go to the runner (e.g. --verbose); a --filter run is not a
#   substitute for a full run when checking or recording (see conformance/README.md)
#
# Environment: RAMPART_SHARED (default: ../shared beside the clone), CARGO_TARGET_DIR,
# RAMPART_CONFORMANCE_CATEGORIES (default: "security-api data-plane").
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

shared="${RAMPART_SHARED:-$repo/../shared}"
conformance="$shared/conformance"
if [ ! -f "$conformance/es-yaml-run" ]; then
    echo "conformance/run.sh: no runner at $conformance/es-yaml-run (set RAMPART_SHARED)" >&2
    exit 2
fi

record=()
runner_args=()
for arg in "$@"; do
    case "$arg" in
        --record) record=(--record-baseline) ;;
        *) runner_args+=("$arg") ;;
    esac
done

if ! python3 -c 'import yaml, requests' 2>/dev/null; then
    echo "== installing the runner's Python dependencies (pyyaml, requests)"
    python3 -m pip install --quiet pyyaml requests
fi

echo "== building the release binary"
cargo build --release --locked -p rampart
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
binary="$target_dir/release/rampart"

data_dir=$(mktemp -d "${TMPDIR:-/tmp}/rampart-conformance.XXXXXX")
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$data_dir"
}
trap cleanup EXIT

# The kernel picks a free port; the tiny window before the server binds it is acceptable
# on a machine that runs one CI job at a time.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="conformance-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
url="http://127.0.0.1:$port"

echo "== starting rampart on $url (data in $data_dir)"
ELASTIC_PASSWORD="$password" "$binary" serve --port "$port" --data "$data_dir/data" \
    -E rampart.testing.reset_api=true \
    -E xpack.security.authc.password_hashing.algorithm=bcrypt4 \
    >"$data_dir/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "conformance/run.sh: rampart exited before it was ready; its log:" >&2
        cat "$data_dir/server.log" >&2
        exit 2
    fi
    if curl --silent --fail --output /dev/null --user "elastic:$password" "$url/"; then
        ready=yes
        break
    fi
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "conformance/run.sh: rampart did not answer on $url within 30 s; its log:" >&2
    cat "$data_dir/server.log" >&2
    exit 2
fi

# Each category is checked against its own baseline; a regression in either fails the run.
status=0
for category in ${RAMPART_CONFORMANCE_CATEGORIES:-security-api data-plane}; do
    echo "== es-yaml-run --category $category"
    baseline="conformance/baseline-$category.txt"
    if [ ! -f "$baseline" ] && [ ${#record[@]} -eq 0 ]; then
        echo "conformance/run.sh: no $baseline; record it with --record" >&2
        status=1
        continue
    fi
    python3 "$conformance/es-yaml-run" --url "$url" --user elastic --password "$password" \
        --api-dir "$conformance/es-yaml/api" --tests "$conformance/es-yaml/tests" \
        --category "$category" --bootstrap-test-user \
        --reset-endpoint /_rampart/_reset \
        --baseline "$baseline" \
        ${record[@]+"${record[@]}"} ${runner_args[@]+"${runner_args[@]}"} || status=$?
done

if [ "$status" -ne 0 ]; then
    echo "conformance/run.sh: the runner exited with $status; the last lines of the server log:" >&2
    tail -n 40 "$data_dir/server.log" >&2
fi
exit "$status"
