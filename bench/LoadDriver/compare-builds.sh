#!/usr/bin/env bash
# Before/after HTTP load: the same driver against two builds of the node, alternating, ROUNDS rounds; a fresh data
# directory, dev mode, rate limits off and Warning logging each time. Loopback only; every run is bounded.
#   BEFORE=<old node dll> AFTER=<new node dll> bench/LoadDriver/compare-builds.sh
# The node's dll is src/Silo/bin/Release/net10.0/WorkloadFederation.Silo.dll; builds from before the silo have
# src/Gateway/bin/Release/net10.0/WorkloadFederation.Gateway.dll instead.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
driver="$root/bench/LoadDriver/bin/Release/net10.0/WorkloadFederation.LoadDriver.dll"
declare -A node=([before]="${BEFORE:?path of the former build's node dll (WorkloadFederation.Silo.dll, or .Gateway.dll before the silo)}" [after]="${AFTER:?path of the new build's node dll (WorkloadFederation.Silo.dll)}")
requests="${REQUESTS:-6000}" concurrency="${CONCURRENCY:-32}" rounds="${ROUNDS:-2}" port="${PORT:-5191}"
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    data="$(mktemp -d -t wif-load-XXXXXX)"
    port=$((port + 1))
    dotnet "${node[$which]}" --dev --urls "http://127.0.0.1:$port" --data-dir "$data/data" --RateLimits:Enabled=false \
      --Logging:LogLevel:Default=Warning >"$data/node.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
    for scenario in client-credentials client-assertion; do
      echo "== round $round $which $scenario $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
      timeout 300 dotnet "$driver" "$scenario" --server "http://127.0.0.1:$port" --data-dir "$data/data" \
        --requests "$requests" --concurrency "$concurrency" --warmup $((requests / 10)) --duration 120 2>&1 | grep -E '^\||status counts'
    done
    kill "$pid"; wait "$pid" 2>/dev/null
    rm -rf "$data"
  done
done
