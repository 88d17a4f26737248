#!/usr/bin/env bash
# Measures the demo's first impression: from `dotnet run --project AppHost` (already built) to every resource healthy.
#   bench/startup.sh            3 runs, Embedded mode; prints when each resource's /health first answered 200
#   RUNS=5 bench/startup.sh
# Each run uses a fresh copy of nothing: the AppHost keeps its secrets and the services their databases, as a second
# `dotnet run` by a newcomer would.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '[startup %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
[ "${SKIP_BUILD:-0}" = 1 ] || { log "building"; dotnet build AppHost -nologo -v q >/dev/null; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

declare -A URL=([idp]=http://localhost:8080/health [billing-api]=http://localhost:5100/health [payments-api]=http://localhost:5200/health)
results=()
for run in $(seq "$RUNS"); do
  out=$(mktemp)
  start=$(now)
  dotnet run --project AppHost --no-build --launch-profile http -- IdentityProvider=Embedded >"$out" 2>&1 &
  pid=$!
  declare -A at=()
  dashboard=""
  deadline=$((SECONDS + 120))
  while [ ${#at[@]} -lt 3 ] && [ $SECONDS -lt $deadline ]; do
    [ -z "$dashboard" ] && grep -q 'Login to the dashboard' "$out" && dashboard=$(since "$start" "$(now)")
    for name in "${!URL[@]}"; do
      [ -n "${at[$name]:-}" ] && continue
      curl -fsS -o /dev/null --max-time 1 "${URL[$name]}" 2>/dev/null && at[$name]=$(since "$start" "$(now)")
    done
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pkill -TERM -f 'dcp(ctrl)? ' 2>/dev/null || true
  line="run $run: dashboard ${dashboard:-?} s, idp ${at[idp]:-timeout} s, billing-api ${at[billing-api]:-timeout} s, payments-api ${at[payments-api]:-timeout} s"
  log "$line"; results+=("$line")
  unset at
  rm -f "$out"
  # Let the ports close before the next run.
  for name in "${!URL[@]}"; do
    for _ in $(seq 50); do curl -fsS -o /dev/null --max-time 1 "${URL[$name]}" 2>/dev/null || break; sleep 0.1; done
  done
done
printf '%s\n' "${results[@]}"
