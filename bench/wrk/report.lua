-- wrk script for the tsgi benchmark harness.
-- BENCH_BODY_BYTES > 0 turns every request into a POST with that many bytes of body (the echo workload).
-- done() prints wrk's summary as one JSON line, prefixed with BENCH_JSON, which bench/src/wrk.mjs parses:
-- wrk's human-readable output rounds and changes units, JSON does not.

local bodyBytes = tonumber(os.getenv("BENCH_BODY_BYTES") or "0") or 0
if bodyBytes > 0 then
  wrk.method = "POST"
  wrk.body = string.rep("x", bodyBytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
