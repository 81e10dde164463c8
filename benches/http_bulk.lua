-- wrk script: POST the _bulk body of BENCH_BODY_FILE (1000 index actions, NDJSON), with Basic
-- credentials when BENCH_AUTH_HEADER is set (benches/http_bulk.sh sets it for the secured
-- server only). Fails loudly on an item error: a bulk answer is 200 even when items fail.
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"
local auth = os.getenv("BENCH_AUTH_HEADER")
if auth ~= nil and auth ~= "" then
    wrk.headers["Authorization"] = "Basic " .. auth
end

local item_errors = 0
response = function(status, headers, body)
    if status == 200 and string.find(body, '"errors":true', 1, true) then
        item_errors = item_errors + 1
    end
end

done = function(summary, latency, requests)
    if item_errors > 0 then
        io.write("Bulk item errors: " .. item_errors .. "\n")
    end
end
