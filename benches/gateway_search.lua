-- wrk script: POST the search body of BENCH_BODY_FILE, with Basic credentials when
-- BENCH_AUTH_HEADER is set (already base64-encoded by benches/gateway_overhead.sh); the
-- direct runs against the upstream (security off there) send none.
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH_HEADER")
if auth ~= nil and auth ~= "" then
    wrk.headers["Authorization"] = "Basic " .. auth
end
