-- wrk script: POSTs pre-generated signed callbacks read from a file (one `target<TAB>body` a line).
-- usage: wrk -t T -c C -d D -s callbacks.lua URL -- DATAFILE T
-- Thread t sends lines t, t+T, t+2T, ... in order, so the threads never send the same line;
-- done() prints how many each thread sent, so the benchmark can check what reached the inbox.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  local headers = { ["Content-Type"] = "text/xml" }
  reqs = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local target, body = line:match("^([^\t]*)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", target, headers, body)
    end
    i = i + 1
  end
  count = #reqs
  sent = 0
end

function request()
  sent = sent + 1
  return reqs[(sent - 1) % count + 1]
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("BENCH thread %d sent %d of %d\n", t:get("tid"), t:get("sent"), t:get("count")))
  end
  local e = summary.errors
  io.write(string.format("BENCH summary requests %d duration_us %d connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("BENCH latency_us p50 %d p99 %d max %d\n",
    latency:percentile(50), latency:percentile(99), latency.max))
end
