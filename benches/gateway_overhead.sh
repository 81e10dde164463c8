#!/usr/bin/env bash
# Gateway overhead: latency of the same search sent directly to an upstream node and through a
# `rampart serve --upstream` gateway node in front of it, as an unrestricted user and as a
# DLS+FLS user, in one run. Both nodes are release builds on loopback; the upstream is a
# Rampart node in embedded mode with security disabled, loaded with DOCS documents.
#
# A restricted search makes the upstream do more work (the DLS filter), so its fair baseline
# is the direct search with the body the gateway sends for it ("direct-rewritten"): that
# body is taken from the gateway itself (a probe gateway node logging the rewritten search at
# debug level, `rampart::gateway::rewritten_search`), never written by hand. Ratios:
#   gateway / direct                       the unrestricted path
#   gateway-dls-fls / direct-rewritten     the gateway's own cost on a restricted search
# The machine is shared, so wall-clock numbers drift: after a fixed warm-up (WARMUP per
# target, not counted) the targets run in rounds, each gateway target right next to its
# baseline, in ABBA order (odd rounds direct first, even rounds gateway first, so a drift
# during a round favours neither). Each round gives one p50 ratio per pair; the result is
# the *median of the per-round ratios* (with their range), which one disturbed round cannot
# move. Goal: median p50 ratio <= 1.2x. For a load-independent measure of the gateway's own
# work see benches/gateway_instructions.sh.
#
#   benches/gateway_overhead.sh                   # 100k docs, 6 rounds of 10 s per target
#   DOCS=20000 DURATION=5s CONNECTIONS=4 ROUNDS=8 benches/gateway_overhead.sh
#   RAMPART_BIN=target/debug/rampart DOCS=2000 DURATION=2s ROUNDS=2 WARMUP=1s benches/gateway_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
DOCS="${DOCS:-100000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-4}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-6}"
WARMUP="${WARMUP:-5s}"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

if [ -n "${RAMPART_BIN:-}" ]; then
    bin="$RAMPART_BIN" # e.g. a debug build, to try the script itself
else
    echo "== building the release binary"
    cargo build --release --locked -p rampart --bin rampart
    bin="${CARGO_TARGET_DIR:-$repo/target}/release/rampart"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-gwbench.XXXXXX")
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
    for _ in $(seq 1 600); do
        kill -0 "$2" 2>/dev/null || { echo "server for $1 exited; logs in $work:" >&2; cat "$work"/*.log >&2; exit 1; }
        curl --silent --output /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1 within 60 s" >&2
    exit 1
}

upstream_port=$(free_port)
"$bin" serve --no-kibana --port "$upstream_port" --data "$work/upstream" \
    -E xpack.security.enabled=false >"$work/upstream.log" 2>&1 &
pids+=($!)
upstream_url="http://127.0.0.1:$upstream_port"
wait_http "$upstream_url/" "${pids[-1]}"

echo "== loading $DOCS documents into the upstream"
curl --silent --show-error --fail-with-body -X PUT "$upstream_url/bench" -H 'Content-Type: application/json' \
    -d '{"mappings":{"properties":{"title":{"type":"text"},"group":{"type":"keyword"},"n":{"type":"long"},"secret":{"type":"keyword"}}}}' >/dev/null
python3 - "$DOCS" "$work/docs" <<'PY'
import json, sys, os
docs, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
batch = 5000
for start in range(0, docs, batch):
    with open(f"{out}/{start:08d}.ndjson", "w") as f:
        for i in range(start, min(start + batch, docs)):
            f.write(json.dumps({"index": {"_id": str(i)}}) + "\n")
            title = " ".join(words[(i * k) % len(words)] for k in (1, 3, 5))
            f.write(json.dumps({"title": title, "group": f"g{i % 10}", "n": i, "secret": f"s{i % 97}"}) + "\n")
PY
for file in "$work"/docs/*.ndjson; do
    curl --silent --show-error --fail-with-body -X POST "$upstream_url/bench/_bulk" \
        -H 'Content-Type: application/x-ndjson' --data-binary "@$file" \
        | python3 -c 'import json, sys; b = json.load(sys.stdin); sys.exit(1 if b.get("errors") else 0)'
done
curl --silent --show-error --fail-with-body -X POST "$upstream_url/bench/_refresh" >/dev/null
count=$(curl --silent --show-error "$upstream_url/bench/_count" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')
echo "   upstream holds $count documents"

admin_password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
gateway_port=$(free_port)
ELASTIC_PASSWORD="$admin_password" "$bin" serve --no-kibana --port "$gateway_port" --data "$work/gateway" \
    --upstream "$upstream_url" >"$work/gateway.log" 2>&1 &
pids+=($!)
gateway_url="http://127.0.0.1:$gateway_port"
wait_http "$gateway_url/" "${pids[-1]}"

admin() { # method, path, body
    curl --silent --show-error --fail-with-body --user "elastic:$admin_password" \
        -X "$1" -H 'Content-Type: application/json' "$gateway_url$2" -d "$3" >/dev/null
}
user_password="bench-user-password"
admin PUT /_security/role/bench_all '{"indices":[{"names":["bench"],"privileges":["read"]}]}'
admin PUT /_security/role/bench_dls '{"indices":[{"names":["bench"],"privileges":["read"],
  "query":{"terms":{"group":["g0","g1","g2","g3","g4","g5","g6","g7"]}},
  "field_security":{"grant":["title","group","n"]}}]}'
admin PUT /_security/user/bench_all "{\"password\":\"$user_password\",\"roles\":[\"bench_all\"]}"
admin PUT /_security/user/bench_dls "{\"password\":\"$user_password\",\"roles\":[\"bench_dls\"]}"

body_file="$repo/benches/gateway_search.json"
export BENCH_BODY_FILE BENCH_AUTH_HEADER
lua="$repo/benches/gateway_search.lua"
auth_of() { # user -> base64 Basic credentials ("" for none)
    [ -z "$1" ] && return 0
    printf '%s' "$1:$user_password" | base64 -w0
}

echo "== the rewritten DLS+FLS body, from a probe gateway node logging it"
probe_port=$(free_port)
RUST_LOG=warn,rampart::gateway::rewritten_search=debug NO_COLOR=1 "$bin" serve --no-kibana \
    --port "$probe_port" --data "$work/probe" --upstream "$upstream_url" >"$work/probe.log" 2>&1 &
probe_pid=$!
pids+=($probe_pid)
wait_http "http://127.0.0.1:$probe_port/" "$probe_pid"
curl --silent --show-error --fail-with-body -H 'Content-Type: application/json' \
    -H "Authorization: Basic $(auth_of bench_dls)" --data-binary "@$body_file" \
    "http://127.0.0.1:$probe_port/bench/_search" >/dev/null
kill "$probe_pid" && wait "$probe_pid" 2>/dev/null || true
rewritten="$work/rewritten.json"
python3 - "$work/probe.log" "$rewritten" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if "rewritten_search" in l and " body=" in l]
if len(lines) != 1:
    sys.exit(f"expected one rewritten search in the probe's log, found {len(lines)}")
head, body = lines[0].rstrip("\n").split(" body=", 1)
if " path=bench" not in head:
    sys.exit(f"the rewritten search went elsewhere than [bench]: {head}")
json.dump(json.loads(body), open(sys.argv[2], "w"))
PY
echo "   $(head -c 300 "$rewritten")..."

targets=("direct||$upstream_url|$body_file" "gateway|bench_all|$gateway_url|$body_file"
    "direct-rewritten||$upstream_url|$rewritten" "gateway-dls-fls|bench_dls|$gateway_url|$body_file")

echo "== the answers being measured (must be 200)"
for t in "${targets[@]}"; do
    IFS='|' read -r name user url body <<<"$t"
    auth=$(auth_of "$user")
    args=(--silent --show-error --fail-with-body -H 'Content-Type: application/json' --data-binary "@$body")
    [ -n "$auth" ] && args+=(-H "Authorization: Basic $auth")
    echo "  [$name] $(curl "${args[@]}" "$url/bench/_search" | python3 -c 'import json, sys; b = json.load(sys.stdin); print("total", b["hits"]["total"], "hits", len(b["hits"]["hits"]), "fields", sorted(b["hits"]["hits"][0]["_source"]))')"
done

to_ms() { # wrk latency ("812.00us", "1.20ms", "2.01s") -> milliseconds
    awk -v v="$1" 'BEGIN { u = v; sub(/[0-9.]+/, "", u); n = v + 0;
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.3f", n }'
}
run_wrk() { # name, user, url, body file -> "p50 p99" in ms; fails on any non-2xx answer or socket error
    local out
    BENCH_AUTH_HEADER=$(auth_of "$2")
    BENCH_BODY_FILE="$4"
    out=$(wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$lua" "$3/bench/_search")
    echo "$out" | sed "s/^/  [$1] /" >&2
    if echo "$out" | grep -q -e 'Non-2xx' -e 'Socket errors'; then
        echo "$1: wrk saw errors (above)" >&2
        exit 1
    fi
    echo "$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')") $(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")"
}

echo "== warm-up ($WARMUP each, not counted)"
for t in "${targets[@]}"; do
    IFS='|' read -r name user url body <<<"$t"
    DURATION="$WARMUP" run_wrk "warmup-$name" "$user" "$url" "$body" >/dev/null
done

results="$work/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
    order=("${targets[@]}")
    if (( round % 2 == 0 )); then
        order=()
        for (( i = ${#targets[@]} - 1; i >= 0; i-- )); do order+=("${targets[i]}"); done
    fi
    echo "== round $round of $ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
    for t in "${order[@]}"; do
        IFS='|' read -r name user url body <<<"$t"
        read -r p50 p99 <<<"$(run_wrk "$name" "$user" "$url" "$body")"
        printf '%s\t%s\t%s\t%s\n' "$round" "$name" "$p50" "$p99" >>"$results"
        echo "   $name: p50 $p50 ms, p99 $p99 ms"
    done
done

echo
echo "$ROUNDS rounds ($DOCS docs, $THREADS wrk threads, $CONNECTIONS connections, $DURATION each, $WARMUP warm-up; load: $(uptime | sed 's/.*load average/load average/')):"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
p50, p99 = {}, {}
for rnd, name, a, b in rows:
    p50.setdefault(name, {})[int(rnd)] = float(a)
    p99.setdefault(name, {})[int(rnd)] = float(b)
for name in p50:
    print(f"  {name:17} median p50 {statistics.median(p50[name].values()):.3f} ms"
          f"  median p99 {statistics.median(p99[name].values()):.3f} ms")
for gw, base in (("gateway", "direct"), ("gateway-dls-fls", "direct-rewritten")):
    ratios = [p50[gw][r] / p50[base][r] for r in sorted(p50[gw])]
    med = statistics.median(ratios)
    print(f"  {gw}/{base}: median of per-round p50 ratios {med:.3f}x"
          f" (rounds: {', '.join(f'{x:.2f}' for x in ratios)}; range {min(ratios):.2f}-{max(ratios):.2f})"
          f" {'meets' if med <= 1.2 else 'misses'} the 1.2x goal")
PY
