#!/usr/bin/env bash
# Side by side in one sitting: the load driver against two node builds (a baseline and the change), each a fresh
# Release node in dev mode (SQLite, audit on, rate limits off, Warning logging) on 127.0.0.1, alternating A B A B ...
# so drifts of a shared machine spread over both. Each node start runs every listed scenario in turn. Every run is
# bounded (driver --requests and --duration, plus an outer timeout).
#
#   bench/compare-nodes.sh <baseline-node.dll> <new-node.dll> <scenario[,scenario...]> [runs=2] [driver options...]
#   e.g. bench/compare-nodes.sh /tmp/base/src/Silo/bin/Release/net10.0/WorkloadFederation.Silo.dll \
#          src/Silo/bin/Release/net10.0/WorkloadFederation.Silo.dll client-credentials,client-assertion 2 \
#          --requests 6000 --concurrency 32 --warmup 600 --duration 120
#
# The node's dll is src/Silo/bin/Release/net10.0/WorkloadFederation.Silo.dll; builds from before the silo have
# src/Gateway/bin/Release/net10.0/WorkloadFederation.Gateway.dll instead. Extra node options (e.g. the PostgreSQL
# store) come from NODE_ARGS; the first port from PORT (default 5097).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="$1"; new="$2"; scenarios="$3"; runs="${4:-2}"; shift 4 || shift $#
driver="$root/bench/LoadDriver/bin/Release/net10.0/WorkloadFederation.LoadDriver.dll"
port="${PORT:-5097}"
for run in $(seq "$runs"); do
  for which in base new; do
    dll="$base"; [ "$which" = new ] && dll="$new"
    data="$(mktemp -d -t wif-cmp-XXXXXX)"
    # A fresh port per node start: the previous node's socket may still linger.
    port=$((port + 1))
    # shellcheck disable=SC2086
    dotnet "$dll" --dev --urls "http://127.0.0.1:$port" --data-dir "$data" --RateLimits:Enabled=false \
      --Logging:LogLevel:Default=Warning ${NODE_ARGS:-} > "$data/node.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null && break; sleep 0.1; done
    for scenario in ${scenarios//,/ }; do
      t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      echo "== $which run $run ($scenario) $(date -u +%H:%M:%S) $(uptime)"
      timeout 900 dotnet "$driver" "$scenario" --server "http://127.0.0.1:$port" --data-dir "$data" "$@" || echo "(driver exit $?)"
      t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      echo "node CPU seconds during setup, warm-up and run: $(( (t1 - t0) / $(getconf CLK_TCK) ))"
    done
    grep -c "Audit buffer full" "$data/node.log" | sed 's/^/node log "Audit buffer full" lines: /' || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
  done
done
