#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing (PostgreSQL and Redis from Debian's
# packages, the Azurite storage emulator from npm), starts a throw-away PostgreSQL, Redis and Azurite on loopback in
# temporary folders (the cluster modes' backends), builds, runs every test project and the CEL conformance runner,
# stops them, and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
shared="${WIF_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}"
export WIF_SHARED_DIR="$shared"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
logdir="$(mktemp -d -t wif-test-XXXXXX)"

log() { printf '== %s\n' "$*"; }

# --- Tools the tests call (the GitHub action script uses curl and jq; PostgreSQL runs through runuser) ----------
missing=()
for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} from Debian's packages"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
fi

# --- PostgreSQL --------------------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  log "installing PostgreSQL from Debian's packages"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing Redis from Debian's packages"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; fi
fi
if ! command -v azurite-table >/dev/null 2>&1; then
  log "installing the Azurite storage emulator from npm"
  if [ "$(id -u)" = 0 ]; then npm install -g --silent azurite >/dev/null 2>&1; else sudo npm install -g --silent azurite >/dev/null 2>&1; fi
fi
PGBIN="$(pg_bin)"
pgdir="$(mktemp -d -t wif-pg-XXXXXX)"
pgport="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdir"; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop_pg() { as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
redis_pid=""; azurite_pid=""; svcdir="$(mktemp -d -t wif-svc-XXXXXX)"
# Azurite ignores SIGTERM when started with --debug, so it is killed outright if it has not gone after a moment.
stop_services() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  if [ -n "$azurite_pid" ]; then
    kill "$azurite_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$azurite_pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$azurite_pid" 2>/dev/null
  fi
  stop_pg; rm -rf "$svcdir"
}
trap stop_services EXIT
log "starting PostgreSQL ($PGBIN) on 127.0.0.1:$pgport"
as_pg "$PGBIN/initdb" -D "$pgdir/data" -A trust -U wif -E UTF8 >"$logdir/initdb.log" 2>&1 || { cat "$logdir/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-h 127.0.0.1 -p $pgport -k $pgdir -c fsync=off -c max_connections=300" start >/dev/null \
  || { cat "$pgdir/server.log"; echo "0 passed, 1 failed"; exit 1; }
export WIF_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=wif;Database=postgres;Pooling=true"

# --- Redis and Azurite (the backends of the Redis and Azure Table clustering modes) -----------------------------
redisport="$(free_port)"
log "starting Redis on 127.0.0.1:$redisport"
redis-server --bind 127.0.0.1 --port "$redisport" --save '' --appendonly no --dir "$svcdir" >"$svcdir/redis.log" 2>&1 &
redis_pid=$!
export WIF_TEST_REDIS="127.0.0.1:$redisport"
if command -v azurite-table >/dev/null 2>&1; then
  tableport="$(free_port)"
  log "starting Azurite (table service) on 127.0.0.1:$tableport"
  azurite-table --tableHost 127.0.0.1 --tablePort "$tableport" --location "$svcdir/azurite" --silent --skipApiVersionCheck \
    >"$svcdir/azurite.log" 2>&1 &
  azurite_pid=$!
  # Azurite's well-known development account (public, documented with the emulator).
  export WIF_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$tableport/devstoreaccount1;"
fi

# --- Build ---------------------------------------------------------------------------------------------
log "restoring and building"
if ! dotnet build WorkloadFederation.sln -c Debug -nologo -clp:ErrorsOnly >"$logdir/build.log" 2>&1; then
  cat "$logdir/build.log" | tail -n 60
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0; skipped=0
add_counts() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3)); }

# --- Test projects ---------------------------------------------------------------------------------------
for proj in $(ls tests/*/*.csproj | sort); do
  name="$(basename "$(dirname "$proj")")"
  case "$name" in TestSupport|Cel.Conformance) continue ;; esac
  log "dotnet test $name"
  out="$logdir/$name.log"
  dotnet test "$proj" --no-build -nologo >"$out" 2>&1
  rc=$?
  line="$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$out" | tail -n 1)"
  if [ -n "$line" ]; then
    f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$line")
    p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$line")
    s=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$line")
    add_counts "$p" "$f" "$s"
    echo "   $name: $p passed, $f failed, $s skipped"
    if [ "$f" != 0 ]; then grep -E '^\s+Failed |Error Message|Assert\.|Expected|Actual' "$out" | head -n 80; fi
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then add_counts 0 1 0; echo "   $name: test run exited $rc"; tail -n 40 "$out"; fi
  elif grep -q "No test is available" "$out" && [ "$rc" = 0 ]; then
    echo "   $name: no tests yet"
  else
    add_counts 0 1 0
    echo "   $name: no test summary (exit $rc)"; tail -n 40 "$out"
  fi
done

# --- CEL conformance --------------------------------------------------------------------------------------
if [ -d tests/Cel.Conformance ] && [ -d "$shared/conformance/cel" ]; then
  log "CEL conformance"
  out="$logdir/cel-conformance.log"
  dotnet run --project tests/Cel.Conformance --no-build -- "$shared/conformance/cel" >"$out" 2>&1
  rc=$?
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)"
  if [ -n "$line" ]; then
    read -r p _ f _ s _ <<<"$(sed -E 's/,//g' <<<"$line")"
    add_counts "$p" "$f" "${s:-0}"
    echo "   conformance: $line"
    if [ "$rc" != 0 ]; then grep -v -E '^[0-9]+ passed' "$out" | head -n 40; [ "$f" = 0 ] && add_counts 0 1 0; fi
  else
    add_counts 0 1 0; echo "   conformance: no summary (exit $rc)"; tail -n 20 "$out"
  fi
fi

echo "logs: $logdir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
