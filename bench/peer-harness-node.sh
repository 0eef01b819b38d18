#!/usr/bin/env bash
# The peers' harness (../shared/peers/run-bench.sh: wrk -t2 -c32, 5 s warm-up, 20 s accept, 20 s reject) against
# one node build, configured through the admin API with the harness's contract (provider on the peers' issuer at
# http://127.0.0.1:9400, trust audience wif-bench, 900 s tokens, max_token_age_seconds 3600 since the harness mints
# its tokens once), then the trust's token.* audit events counted through the admin API.
#
#   PEERS=<copy of shared/peers with issuer running and .data/tokens-*.txt> bench/peer-harness-node.sh <node.dll> <label> <out-dir>
set -euo pipefail
PEERS="${PEERS:?set PEERS to the peers harness folder}"
DLL="$1"; LABEL="$2"; OUT="$3"; PORT=5095; URL=http://127.0.0.1:$PORT
DATA="$(mktemp -d -t wif-harness-XXXXXX)"
dotnet "$DLL" --dev --urls "$URL" --data-dir "$DATA" --RateLimits:Enabled=false --Logging:LogLevel:Default=Warning > "$DATA/node.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 300); do curl -fsS -o /dev/null --max-time 1 "$URL/readyz" 2>/dev/null && break; sleep 0.1; done
admin=$(curl -fsS "$URL/auth/v1/token" -d grant_type=client_credentials \
  --data-urlencode client_id="$(jq -r .client_id "$DATA/bootstrap-admin.json")" \
  --data-urlencode client_secret="$(jq -r .client_secret "$DATA/bootstrap-admin.json")" | jq -r .access_token)
H="Authorization: Bearer $admin"
sp=$(curl -fsS -H "$H" -H 'content-type: application/json' "$URL/api/v1/service-principals" \
  -d '{"display_name":"harness","roles":["Basic User"],"owners":[]}' | jq -r .id)
prov=$(curl -fsS -H "$H" -H 'content-type: application/json' "$URL/api/v1/providers" \
  -d '{"display_name":"peers-issuer","preset":"custom","issuer_url":"http://127.0.0.1:9400","allowed_algorithms":["RS256"],"max_token_age_seconds":3600,"development_issuer":true}' | jq -r .id)
cid=$(curl -fsS -H "$H" -H 'content-type: application/json' "$URL/api/v1/service-principals/$sp/trusts" \
  -d "{\"display_name\":\"harness\",\"provider_id\":\"$prov\",\"condition\":\"claims.repository == \\\"acme/infra\\\" && claims.environment == \\\"production\\\"\",\"audience\":\"wif-bench\",\"ip_allowlist\":[],\"scoped_roles\":[],\"enabled\":true,\"token_lifetime_seconds\":900}" | jq -r .client_id)
echo "== $LABEL trust $cid $(uptime)"
TOKEN_PATH=/auth/v1/token timeout 200 "$PEERS/run-bench.sh" "$URL" "$cid" --pid "$PID" --label "$LABEL" --out "$OUT" 2>&1 | grep -E "SUMMARY|FAIL|unexpected|check" || true
# the audit count of this trust against the accepted + rejected requests wrk reported
sleep 3
count=0; cursor=""
while :; do
  page=$(curl -fsS -H "$H" "$URL/api/v1/audit-events?limit=500${cursor:+&after=$cursor}")
  count=$((count + $(jq --arg c "$cid" '[.events[] | select((.type|startswith("token.")) and .client_id == $c)] | length' <<<"$page")))
  cursor=$(jq -r '.next // empty' <<<"$page"); [ -n "$cursor" ] || break
done
echo "audit token events for $cid: $count; node 'Audit buffer full' lines: $(grep -c 'Audit buffer full' "$DATA/node.log" || true)"
