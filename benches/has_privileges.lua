-- wrk script: POST the _has_privileges body of BENCH_BODY_FILE with the Basic credentials
-- of BENCH_AUTH_HEADER (already base64-encoded by benches/http_has_privileges.sh).
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_AUTH_HEADER")
