-- wrk script of bench/run.sh. Settings come from the environment:
--   LOAD_METHOD (GET), LOAD_BODY (none), LOAD_UNIQUE_KEY=1 (a fresh Idempotency-Key per request, for POST /payments).
-- Prints one line for the script to parse:
--   RESULT requests=N seconds=S rps=R p50_ms=A p99_ms=B non2xx=N socket_errors=N status_202=N

wrk.method = os.getenv("LOAD_METHOD") or "GET"
wrk.body = os.getenv("LOAD_BODY")
local unique_key = os.getenv("LOAD_UNIQUE_KEY") == "1"

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  accepted = 0
  run = os.getenv("LOAD_RUN") or tostring(os.time())
end

-- Only POST /payments needs a per-request header; every other load sends one prebuilt request (cheaper for wrk).
if unique_key then
  request = function()
    sent = sent + 1
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Idempotency-Key"] = run .. "-" .. id .. "-" .. sent
    return wrk.format(nil, nil, headers, nil)
  end

  -- 202 is POST /payments saying "payment recorded, invoice pending": Billing was not reached in time.
  response = function(status, headers, body)
    if status == 202 then accepted = accepted + 1 end
  end
end

function done(summary, latency, requests)
  local status_202 = 0
  for _, thread in ipairs(threads) do status_202 = status_202 + (thread:get("accepted") or 0) end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d status_202=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, status_202))
end
