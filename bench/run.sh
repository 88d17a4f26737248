#!/usr/bin/env bash
# Measures what authentication costs, side by side in one run, and writes
# bench/results/YYYY-MM-DD-<commit>.md and bench/results/latest.md. See bench/README.md.
#   bench/run.sh                      everything, about 8 minutes on 2 cores
#   DURATION=5 ROUNDS=1 bench/run.sh  a quicker, noisier pass (SKIP_BUILD=1 SKIP_VALIDATION=1: quicker still, for work on the script)
# Exits non-zero only when a run itself fails (a service does not start, a request errors), never for a missed target.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${DURATION:-6}         # seconds per wrk run
ROUNDS=${ROUNDS:-3}             # runs per variant, alternating variants; the best of each is compared
WARMUP=${WARMUP:-5}             # seconds per warm-up step (all variants at once) before the measured runs...
WARMUP_MAX=${WARMUP_MAX:-40}    # ...repeated until throughput stops growing, at most this long
CONNECTIONS=${CONNECTIONS:-32}  # wrk connections for the GET and token loads
POST_CONNECTIONS=${POST_CONNECTIONS:-16}  # POST /payments writes two SQLite databases per request
BURST_GETS=800 BURST_POSTS=200  # measurement 3: 1,000 calls at once
TOKEN_LIFESPAN=30               # seconds; payments-service tokens in the bench realm, so a rollover happens within the run

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# --- tools ---------------------------------------------------------------------------------------
install_tools() {
  local missing=()
  for tool in wrk curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }
}
install_tools

# --- workspace, processes, cleanup ---------------------------------------------------------------
# Data folders in memory when possible: a disk's fsync (about 10 ms here) would otherwise hide every CPU cost, auth included.
SCRATCH=${TMPDIR:-/tmp}; [ -d /dev/shm ] && [ -w /dev/shm ] && SCRATCH=/dev/shm
WORK=$(mktemp -d "$SCRATCH/m2m-bench.XXXXXX")
LOGS=$WORK/logs; mkdir -p "$LOGS"
declare -A PID=()

cleanup() {
  local status=$?
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
  for name in "${!PID[@]}"; do wait "${PID[$name]}" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    mkdir -p "$ROOT/bench/results/raw" && cp -r "$LOGS" "$ROOT/bench/results/raw/failed-$(date -u +%H%M%S)" || true
    log "logs kept in bench/results/raw/"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME PORT COMMAND [KEY=VALUE...] -- ARGS...: runs `dotnet ARGS...` from bin/Release/net10.0 with that configuration.
# DOTNET_TC_CallCountingDelayMs=0 lets the JIT tier up during the warm-up instead of minutes later on a busy machine;
# the optimized code it ends with is the same as by default.
start() {
  local name=$1 port=$2 settings=(); shift 2
  while [ "$1" != "--" ]; do settings+=("$1"); shift; done; shift
  (cd "$ROOT/$1/bin/Release/net10.0" \
    && exec env ASPNETCORE_ENVIRONMENT=Benchmark ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
         DOTNET_TC_CallCountingDelayMs=0 \
         "${settings[@]}" dotnet "${@:2}") >"$LOGS/$name.log" 2>&1 &
  PID[$name]=$!
}
# idp PORT [KEY=VALUE...]: EmbeddedIdp on 127.0.0.1:PORT.
idp() { local port=$1; shift; start idp "$port" "$@" -- EmbeddedIdp EmbeddedIdp.dll; }
# serve NAME SERVICE PORT auth-on|auth-off [KEY=VALUE...]: Billing.Api or Payments.Api hosted by the bench program, which alone
# can switch authentication off (bench/M2MDemo.Benchmarks/AuthenticationOff.cs); both modes run through the same host.
serve() {
  local name=$1 service=$2 port=$3 mode=$4; shift 4
  start "$name" "$port" "$@" -- bench/M2MDemo.Benchmarks M2MDemo.Benchmarks.dll serve "$service" "$port" "$mode"
}

stop() { kill "${PID[$1]}" 2>/dev/null || true; wait "${PID[$1]}" 2>/dev/null || true; unset "PID[$1]"; }

# wait_ready NAME URL: polls until the URL answers 2xx (at most 90 s), or the process died.
wait_ready() {
  local deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    kill -0 "${PID[$1]}" 2>/dev/null || { tail -30 "$LOGS/$1.log" >&2; fail "$1 exited during startup"; }
    [ $SECONDS -lt $deadline ] || { tail -30 "$LOGS/$1.log" >&2; fail "$1 not ready at $2 after 90 s"; }
    sleep 0.3
  done
}

# CPU time (user + system) of processes, in clock ticks.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

# --- build -------------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- . ':!bench/results' || COMMIT="$COMMIT+uncommitted"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building (Release)"
  dotnet build bench/bench.slnf -c Release -nologo -v q >"$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log" >&2; fail "build"; }
fi
BENCH_DLL=$ROOT/bench/M2MDemo.Benchmarks/bin/Release/net10.0/M2MDemo.Benchmarks.dll

# --- measurement 1: validation cost (BenchmarkDotNet, in-process, no services needed) --------------
log "measurement 1: token validation (BenchmarkDotNet)"
BDN_ARTIFACTS=$WORK/bdn
BDN_FILTER=("*"); [ "${SKIP_VALIDATION:-0}" = 1 ] && BDN_FILTER=("*RsaSignatureCheck")  # a quick pass while working on the script
dotnet "$BENCH_DLL" validation --artifacts "$BDN_ARTIFACTS" --filter "${BDN_FILTER[@]}" >"$LOGS/validation.log" 2>&1 \
  || { tail -40 "$LOGS/validation.log" >&2; fail "BenchmarkDotNet"; }
BDN_TABLE=$(sed -n '/^| Method/,/^$/p' "$BDN_ARTIFACTS"/results/*-report-github.md | sed "s/&#39;//g")
BDN_ENV=$(sed -n '/^```$/,/^```$/p' "$BDN_ARTIFACTS"/results/*-report-github.md | grep -v '^```')

# --- services ----------------------------------------------------------------------------------
BASE_PORT=$((20000 + RANDOM % 20000))
IDP_PORT=$BASE_PORT PROXY_PORT=$((BASE_PORT + 1))
BILLING_AUTH=$((BASE_PORT + 10)) BILLING_NOCACHE=$((BASE_PORT + 11)) BILLING_NOAUTH=$((BASE_PORT + 12))
BILLING_INTROSPECT=$((BASE_PORT + 13)) BILLING_INTROSPECT_NOCACHE=$((BASE_PORT + 14))
PAYMENTS_AUTH=$((BASE_PORT + 20)) PAYMENTS_NOAUTH=$((BASE_PORT + 21)) PAYMENTS_M3=$((BASE_PORT + 22))
ISSUER=http://127.0.0.1:$IDP_PORT/realms/m2m

declare -A SECRET=()
for client in payments-service checkout-service billing-api payments-api; do
  SECRET[$client]=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
done

# The realm as committed, except that payments-service tokens live TOKEN_LIFESPAN seconds (measurement 3's rollover).
jq --arg lifespan "$TOKEN_LIFESPAN" \
  '(.clients[] | select(.clientId == "payments-service") | .attributes["access.token.lifespan"]) = $lifespan' \
  keycloak-realm/m2m-realm.json >"$WORK/realm.json"

log "starting EmbeddedIdp, 5 x Billing.Api, 2 x Payments.Api on 127.0.0.1:$BASE_PORT+"
idp "$IDP_PORT" Realm__Path="$WORK/realm.json" EmbeddedIdp__DataPath="$WORK/idp" EmbeddedIdp__Issuer="$ISSUER" \
  PAYMENTS_SERVICE_SECRET="${SECRET[payments-service]}" CHECKOUT_SERVICE_SECRET="${SECRET[checkout-service]}" \
  BILLING_API_SECRET="${SECRET[billing-api]}" PAYMENTS_API_SECRET="${SECRET[payments-api]}"
wait_ready idp "http://127.0.0.1:$IDP_PORT/health"

BILLING_SETTINGS=(ResourceServer__Authority="$ISSUER" ResourceServer__Audience=billing-api ResourceServer__RequireHttpsMetadata=false
  "ConnectionStrings__billing-db=Data Source=$WORK/billing.db")
serve billing-auth Billing.Api "$BILLING_AUTH" auth-on "${BILLING_SETTINGS[@]}"
wait_ready billing-auth "http://127.0.0.1:$BILLING_AUTH/health"   # creates the database the other two share
serve billing-nocache Billing.Api "$BILLING_NOCACHE" auth-on "${BILLING_SETTINGS[@]}" ResourceServer__TokenCacheSize=0
serve billing-noauth Billing.Api "$BILLING_NOAUTH" auth-off "${BILLING_SETTINGS[@]}"
# Measurement 6: Billing validating by introspection at the IdP, as its own client billing-api, with and without its cache.
INTROSPECTION_SETTINGS=(ResourceServer__TokenValidation=Introspection ResourceServer__Introspection__ClientSecret="${SECRET[billing-api]}")
serve billing-introspect Billing.Api "$BILLING_INTROSPECT" auth-on "${BILLING_SETTINGS[@]}" "${INTROSPECTION_SETTINGS[@]}"
serve billing-introspect-nocache Billing.Api "$BILLING_INTROSPECT_NOCACHE" auth-on "${BILLING_SETTINGS[@]}" "${INTROSPECTION_SETTINGS[@]}" \
  ResourceServer__Introspection__CacheDuration=00:00:00

# Payments runs as Development: only there may its token client send a secret or a token over plain http.
PAYMENTS_SETTINGS=(ASPNETCORE_ENVIRONMENT=Development ResourceServer__Authority="$ISSUER" ResourceServer__Audience=payments-api ResourceServer__RequireHttpsMetadata=false
  TokenClient__billing__ClientId=payments-service TokenClient__billing__ClientSecret="${SECRET[payments-service]}"
  TokenClient__billing__RequireHttps=false)
serve payments-auth Payments.Api "$PAYMENTS_AUTH" auth-on "${PAYMENTS_SETTINGS[@]}" TokenClient__billing__Authority="$ISSUER" \
  "ConnectionStrings__payments-db=Data Source=$WORK/payments-auth.db" services__billing-api__http__0="http://127.0.0.1:$BILLING_AUTH"
serve payments-noauth Payments.Api "$PAYMENTS_NOAUTH" auth-off "${PAYMENTS_SETTINGS[@]}" TokenClient__billing__Authority="$ISSUER" \
  "ConnectionStrings__payments-db=Data Source=$WORK/payments-noauth.db" services__billing-api__http__0="http://127.0.0.1:$BILLING_NOAUTH"
for name in billing-nocache:$BILLING_NOCACHE billing-noauth:$BILLING_NOAUTH billing-introspect:$BILLING_INTROSPECT \
    billing-introspect-nocache:$BILLING_INTROSPECT_NOCACHE payments-auth:$PAYMENTS_AUTH payments-noauth:$PAYMENTS_NOAUTH; do
  wait_ready "${name%%:*}" "http://127.0.0.1:${name##*:}/health"
done

# token CLIENT SCOPE: a fresh access token from the IdP (never written to the results).
token() {
  curl -fsS -u "$1:${SECRET[$1]}" -d grant_type=client_credentials --data-urlencode "scope=$2" \
    "$ISSUER/protocol/openid-connect/token" | jq -er .access_token
}

# load NAME PIDS... -- WRK_ARGS...: one wrk run; appends "NAME RESULT-fields cpu_us_per_request=X" to $RUNS.
RUNS=$WORK/runs.txt; : >"$RUNS"
load() {
  local name=$1; shift
  local pids=(); while [ "$1" != "--" ]; do pids+=("$1"); shift; done; shift
  local before after line
  before=$(cpu_ticks "${pids[@]}")
  line=$(LOAD_RUN="$name-$RANDOM$RANDOM" wrk --latency -s "$ROOT/bench/wrk/load.lua" "$@" | tee -a "$LOGS/wrk.log" | grep '^RESULT') \
    || fail "wrk $name"
  after=$(cpu_ticks "${pids[@]}")
  local requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  [ "$requests" -gt 0 ] || fail "$name: no request completed"
  grep -q 'non2xx=0 socket_errors=0' <<<"$line" || fail "$name: some requests failed: $line (see $LOGS/wrk.log)"
  local cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  echo "$name ${line#RESULT } cpu_us_per_request=$cpu" >>"$RUNS"
  log "  $name: ${line#RESULT } cpu_us_per_request=$cpu"
}

# field NAME KEY: the best run's value of KEY (best = highest rps) for variant NAME.
best() { grep "^$1 " "$RUNS" | sed -E 's/.* rps=([0-9.]+).*/\1 &/' | sort -k1,1nr | head -1 | cut -d' ' -f2-; }
field() { best "$1" | grep -oE "(^| )$2=[^ ]+" | cut -d= -f2; }
# median_cpu NAME: the median CPU µs/request over the variant's runs (steadier than any single run on a busy machine).
median_cpu() {
  grep "^$1 " "$RUNS" | grep -oE 'cpu_us_per_request=[0-9.]+' | cut -d= -f2 | sort -n \
    | awk '{ v[NR] = $1 } END { printf "%.0f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# shown ARGS...: the arguments as one would type them (quoted where needed, secrets masked), for the report.
shown() {
  local out=() arg
  for arg in "$@"; do
    arg=$(sed -E 's/Bearer [^ ]+/Bearer $TOKEN/; s/Basic [^ ]+/Basic $CREDENTIALS/; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/' <<<"$arg")
    [[ "$arg" == *" "* ]] && arg="'$arg'"
    out+=("$arg")
  done
  echo "${out[*]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "**missed**") }'; }

# warm_up NAME URL [-H HEADER]... URL ...: loads every URL at once (the variants warm up under the same conditions)
# in steps of WARMUP seconds, at least 3, until the total throughput stops growing by 10% (at most WARMUP_MAX seconds): the JIT
# keeps recompiling hot code for the first tens of seconds, longer on a busy machine. Nothing is recorded.
warm_up() {
  local name=$1 targets=() args best=0 total step=0 i; shift
  while [ $# -gt 0 ]; do
    args=("$1"); shift
    while [ "${1:-}" = -H ]; do args+=(-H "$2"); shift 2; done
    # One request first: the very first one pays for JIT and model building, seconds on a busy machine.
    curl -fsS -o /dev/null --max-time 60 -X "${LOAD_METHOD:-GET}" ${LOAD_BODY:+--data-raw "$LOAD_BODY"} "${args[@]:1}" \
      ${LOAD_UNIQUE_KEY:+-H "Idempotency-Key: prime-$RANDOM$RANDOM"} "${args[0]}" || fail "first request to ${args[0]}"
    targets+=("$(printf '%q ' "${args[@]:1}" "${args[0]}")")
  done
  while :; do
    step=$((step + 1))
    local jobs=()
    for i in "${!targets[@]}"; do
      eval "wrk -t1 -c8 -d${WARMUP}s --timeout 10s -s \"\$ROOT/bench/wrk/load.lua\" ${targets[$i]}" >"$LOGS/warm-up-$name-$i.log" 2>&1 &
      jobs+=($!)
    done
    wait "${jobs[@]}" || fail "warm-up $name"
    total=$(cat "$LOGS"/warm-up-"$name"-*.log | sed -n 's/^RESULT.* rps=\([0-9.]*\).*/\1/p' | awk '{ t += $1 } END { printf "%.0f", t }')
    log "  warm-up $name, step $step: $total requests/s"
    [ "$step" -ge 3 ] && awk -v t="$total" -v b="$best" 'BEGIN { exit !(t < b * 1.1) }' && break
    [ $((step * WARMUP)) -ge "$WARMUP_MAX" ] && break
    best=$(awk -v t="$total" -v b="$best" 'BEGIN { print (t > b ? t : b) }')
  done
}

# rounds FUNCTION VARIANT...: ROUNDS measured runs of each variant, each round starting with the next variant,
# so a trend during the run (the JIT still tiering up, other load on the machine) does not favour one of them.
rounds() {
  local run=$1 round i; shift
  local variants=("$@")
  for round in $(seq 0 $((ROUNDS - 1))); do
    for i in $(seq 0 $((${#variants[@]} - 1))); do
      "$run" "${variants[$(((i + round) % ${#variants[@]}))]}"
    done
  done
}

# --- measurement 2: Billing GET with and without auth ------------------------------------------------
log "measurement 2: GET /invoices/{id} with and without authentication"
INVOICE_ID=$(curl -fsS -H "Authorization: Bearer $(token payments-service billing:write)" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: bench-invoice' -d '{"paymentId":"bench-payment","amount":10.00,"currency":"EUR","description":"bench"}' \
  "http://127.0.0.1:$BILLING_AUTH/invoices" | jq -er .id)
M2_PATH=/invoices/$INVOICE_ID
M2_WRK=(-t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s)
m2_run() {  # m2_run noauth|auth|nocache: one measured run against that Billing
  local port=$BILLING_NOAUTH headers=()
  [ "$1" = auth ] && port=$BILLING_AUTH
  [ "$1" = nocache ] && port=$BILLING_NOCACHE
  [ "$1" = noauth ] || headers=(-H "Authorization: Bearer $(token payments-service billing:read)")
  load "billing-$1" "${PID[billing-$1]}" -- "${M2_WRK[@]}" "${headers[@]}" "http://127.0.0.1:$port$M2_PATH"
}
warm_up billing-read "http://127.0.0.1:$BILLING_NOAUTH$M2_PATH" \
  "http://127.0.0.1:$BILLING_AUTH$M2_PATH" -H "Authorization: Bearer $(token payments-service billing:read)" \
  "http://127.0.0.1:$BILLING_NOCACHE$M2_PATH" -H "Authorization: Bearer $(token payments-service billing:read)"
rounds m2_run noauth auth nocache
stop billing-nocache

# --- measurement 6: introspection with and without its cache against local JWT validation ------------
log "measurement 6: GET /invoices/{id} validated by introspection (cache on, cache off) and as a JWT"
m6_run() {  # m6_run jwt|introspect|introspect-nocache: one measured run; CPU counted for that Billing and the IdP
  local name=billing-$1
  [ "$1" = jwt ] && name=billing-auth
  local port=$BILLING_AUTH
  [ "$1" = introspect ] && port=$BILLING_INTROSPECT
  [ "$1" = introspect-nocache ] && port=$BILLING_INTROSPECT_NOCACHE
  load "m6-$1" "${PID[$name]}" "${PID[idp]}" -- "${M2_WRK[@]}" -H "Authorization: Bearer $(token payments-service billing:read)" \
    "http://127.0.0.1:$port$M2_PATH"
}
M6_TOKEN=$(token payments-service billing:read)
warm_up introspection "http://127.0.0.1:$BILLING_AUTH$M2_PATH" -H "Authorization: Bearer $M6_TOKEN" \
  "http://127.0.0.1:$BILLING_INTROSPECT$M2_PATH" -H "Authorization: Bearer $M6_TOKEN" \
  "http://127.0.0.1:$BILLING_INTROSPECT_NOCACHE$M2_PATH" -H "Authorization: Bearer $M6_TOKEN"
rounds m6_run jwt introspect introspect-nocache
stop billing-introspect; stop billing-introspect-nocache

# --- measurement 5: POST /payments end to end with and without auth ---------------------------------
log "measurement 5: POST /payments end to end with and without authentication"
CHECKOUT_TOKEN=$(token checkout-service "payments:read payments:write")
PAYMENT_BODY='{"amount":12.50,"currency":"EUR","description":"bench"}'
M5_WRK=(-t1 -c"$POST_CONNECTIONS" -d"${DURATION}s" --timeout 10s -H 'Content-Type: application/json')
export LOAD_METHOD=POST LOAD_BODY=$PAYMENT_BODY LOAD_UNIQUE_KEY=1
m5_run() {  # m5_run noauth|auth: one measured run against that Payments (and its Billing)
  if [ "$1" = noauth ]; then
    load payments-noauth "${PID[payments-noauth]}" "${PID[billing-noauth]}" -- "${M5_WRK[@]}" "http://127.0.0.1:$PAYMENTS_NOAUTH/payments"
  else
    load payments-auth "${PID[payments-auth]}" "${PID[billing-auth]}" -- "${M5_WRK[@]}" -H "Authorization: Bearer $CHECKOUT_TOKEN" \
      "http://127.0.0.1:$PAYMENTS_AUTH/payments"
  fi
}
warm_up payments "http://127.0.0.1:$PAYMENTS_NOAUTH/payments" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$PAYMENTS_AUTH/payments" -H 'Content-Type: application/json' -H "Authorization: Bearer $CHECKOUT_TOKEN"
rounds m5_run noauth auth
unset LOAD_METHOD LOAD_BODY LOAD_UNIQUE_KEY
stop payments-noauth; stop billing-noauth

# --- measurement 4: IdP throughput ---------------------------------------------------------------
log "measurement 4: EmbeddedIdp client-credentials tokens per second"
export LOAD_METHOD=POST LOAD_BODY='grant_type=client_credentials&scope=billing%3Aread'
M4_WRK=(-t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -H 'Content-Type: application/x-www-form-urlencoded'
  -H "Authorization: Basic $(printf '%s:%s' payments-service "${SECRET[payments-service]}" | base64 -w0)")
warm_up idp "$ISSUER/protocol/openid-connect/token" "${M4_WRK[@]:5}"
for round in $(seq "$ROUNDS"); do
  load idp "${PID[idp]}" -- "${M4_WRK[@]}" "$ISSUER/protocol/openid-connect/token"
done
unset LOAD_METHOD LOAD_BODY
stop payments-auth

# --- measurement 3: token requests under concurrency -----------------------------------------------
log "measurement 3: 1,000 concurrent calls through Payments on a cold token cache"
dotnet "$BENCH_DLL" token-proxy "$PROXY_PORT" "http://127.0.0.1:$IDP_PORT" >"$LOGS/token-proxy.log" 2>&1 &
PID[token-proxy]=$!
wait_ready token-proxy "http://127.0.0.1:$PROXY_PORT/counts"
start_payments_m3() {
  serve payments-m3 Payments.Api "$PAYMENTS_M3" auth-on "${PAYMENTS_SETTINGS[@]}" \
    TokenClient__billing__Authority= TokenClient__billing__TokenEndpoint="http://127.0.0.1:$PROXY_PORT/realms/m2m/protocol/openid-connect/token" \
    "ConnectionStrings__payments-db=Data Source=$WORK/payments-m3.db" services__billing-api__http__0="http://127.0.0.1:$BILLING_AUTH"
  wait_ready payments-m3 "http://127.0.0.1:$PAYMENTS_M3/health"
}
start_payments_m3
# One payment to read back (its creation warms the billing:write token), then a restart: both token caches cold.
PAYMENT_ID=$(curl -fsS -H "Authorization: Bearer $CHECKOUT_TOKEN" -H 'Content-Type: application/json' -H 'Idempotency-Key: bench-m3' \
  -d "$PAYMENT_BODY" "http://127.0.0.1:$PAYMENTS_M3/payments" | jq -er 'select(.invoice != null) | .id')
stop payments-m3
start_payments_m3
curl -fsS -X POST "http://127.0.0.1:$PROXY_PORT/counts/reset"
WAVE1=$(dotnet "$BENCH_DLL" burst "http://127.0.0.1:$PAYMENTS_M3" "$CHECKOUT_TOKEN" "$PAYMENT_ID" $BURST_GETS $BURST_POSTS)
PROXY1=$(curl -fsS "http://127.0.0.1:$PROXY_PORT/counts")
COUNTS1=$(jq -c . <<<"$PROXY1")
log "  cold cache: $WAVE1 token requests: $COUNTS1"
curl -fsS -X POST "http://127.0.0.1:$PROXY_PORT/counts/reset"
# Payments refreshes a token at the smaller of 60 s and 20% of its lifetime before expiry: start the second wave
# 1 s past that point, counted from the last token request of the first wave (so inside the refresh window).
REFRESH_AFTER=$(awk -v l="$TOKEN_LIFESPAN" 'BEGIN { r = l * 0.2; if (r > 60) r = 60; print l - r + 1 }')
sleep "$(awk -v last="$(jq .lastRequestAt <<<"$PROXY1")" -v r="$REFRESH_AFTER" -v now="$(date +%s.%N)" \
  'BEGIN { w = last / 1000 + r - now; print (w > 0 ? w : 0) }')"
WAVE2=$(dotnet "$BENCH_DLL" burst "http://127.0.0.1:$PAYMENTS_M3" "$CHECKOUT_TOKEN" "$PAYMENT_ID" $BURST_GETS $BURST_POSTS)
COUNTS2=$(curl -fsS "http://127.0.0.1:$PROXY_PORT/counts" | jq -c .)
log "  rollover:   $WAVE2 token requests: $COUNTS2"
stop payments-m3

# --- measurement 7: the payment path with token exchange against client credentials ------------------
# Two Payments.Api, tokens through the counting proxy, the same Billing: one with its own client-credentials token
# (Billing__Authorization=ClientCredentials, the default), one exchanging each caller's token as payments-api (TokenExchange).
log "measurement 7: POST /payments with token exchange against client credentials"
M7_CC=$((BASE_PORT + 23)) M7_EXCHANGE=$((BASE_PORT + 24))
PROXY_TOKEN_ENDPOINT="http://127.0.0.1:$PROXY_PORT/realms/m2m/protocol/openid-connect/token"
M7_SETTINGS=("${PAYMENTS_SETTINGS[@]}" TokenClient__billing__Authority= TokenClient__billing__TokenEndpoint="$PROXY_TOKEN_ENDPOINT"
  TokenClient__billing-exchange__Authority= TokenClient__billing-exchange__TokenEndpoint="$PROXY_TOKEN_ENDPOINT"
  TokenClient__billing-exchange__ClientId=payments-api TokenClient__billing-exchange__ClientSecret="${SECRET[payments-api]}"
  TokenClient__billing-exchange__RequireHttps=false services__billing-api__http__0="http://127.0.0.1:$BILLING_AUTH")
start_m7() {  # start_m7 cc|exchange: that Payments, freshly started (cold token caches)
  local port=$M7_CC mode=ClientCredentials
  [ "$1" = exchange ] && port=$M7_EXCHANGE mode=TokenExchange
  serve "m7-$1" Payments.Api "$port" auth-on "${M7_SETTINGS[@]}" Billing__Authorization=$mode \
    "ConnectionStrings__payments-db=Data Source=$WORK/payments-m7-$1.db"
  wait_ready "m7-$1" "http://127.0.0.1:$port/health"
}
start_m7 cc; start_m7 exchange
# A caller token of its own: the earlier measurements' one may be near its 300 s expiry by now.
M7_CALLER=$(token checkout-service "payments:read payments:write")

# 7a: throughput and CPU (Payments + Billing + IdP) with one caller token, so the exchange is cached as a client-credentials token is.
export LOAD_METHOD=POST LOAD_BODY=$PAYMENT_BODY LOAD_UNIQUE_KEY=1
m7_run() {  # m7_run cc|exchange
  local port=$M7_CC; [ "$1" = exchange ] && port=$M7_EXCHANGE
  load "m7-$1" "${PID[m7-$1]}" "${PID[billing-auth]}" "${PID[idp]}" -- "${M5_WRK[@]}" -H "Authorization: Bearer $M7_CALLER" \
    "http://127.0.0.1:$port/payments"
}
warm_up m7 "http://127.0.0.1:$M7_CC/payments" -H 'Content-Type: application/json' -H "Authorization: Bearer $M7_CALLER" \
  "http://127.0.0.1:$M7_EXCHANGE/payments" -H 'Content-Type: application/json' -H "Authorization: Bearer $M7_CALLER"
rounds m7_run cc exchange
unset LOAD_METHOD LOAD_BODY LOAD_UNIQUE_KEY

# 7b: IdP requests per 1,000 payments from 1, 10 and 100 distinct callers (distinct checkout-service tokens, round robin),
# each mode freshly restarted per count so every cache starts cold.
M7_PAYMENTS=${M7_PAYMENTS:-1000}
declare -A M7_IDP=() M7_CALLS=()
for callers in 1 10 100; do
  : >"$WORK/callers-$callers.txt"
  for i in $(seq "$callers"); do token checkout-service payments:write >>"$WORK/callers-$callers.txt"; done
  for mode in cc exchange; do
    stop "m7-$mode"; start_m7 "$mode"
    port=$M7_CC; [ "$mode" = exchange ] && port=$M7_EXCHANGE
    curl -fsS -X POST "http://127.0.0.1:$PROXY_PORT/counts/reset"
    M7_CALLS[$mode-$callers]=$(dotnet "$BENCH_DLL" callers "http://127.0.0.1:$port" "$WORK/callers-$callers.txt" "$M7_PAYMENTS" "$POST_CONNECTIONS")
    M7_IDP[$mode-$callers]=$(curl -fsS "http://127.0.0.1:$PROXY_PORT/counts" | jq -c .)
    log "  $mode, $callers caller(s): ${M7_CALLS[$mode-$callers]} IdP: ${M7_IDP[$mode-$callers]}"
  done
done
stop m7-cc; stop m7-exchange
stop token-proxy

# --- report --------------------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
DATE=$(date -u +%Y-%m-%d)
REPORT=bench/results/$DATE-${COMMIT%%+*}.md
mkdir -p bench/results

A_RPS=$(field billing-auth rps) N_RPS=$(field billing-noauth rps) C_RPS=$(field billing-nocache rps)
P_RPS=$(field payments-auth rps) PN_RPS=$(field payments-noauth rps)
M2_RATIO=$(ratio "$A_RPS" "$N_RPS") M2_NOCACHE_RATIO=$(ratio "$C_RPS" "$N_RPS") M5_RATIO=$(ratio "$P_RPS" "$PN_RPS")
# The same ratio from CPU time: a CPU-bound service serves (cores ÷ CPU per request) requests per second. Other
# processes on the machine move throughput from run to run far more than the CPU a request costs, so this one decides.
M2_CPU_RATIO=$(ratio "$(median_cpu billing-noauth)" "$(median_cpu billing-auth)")
M2_NOCACHE_CPU_RATIO=$(ratio "$(median_cpu billing-noauth)" "$(median_cpu billing-nocache)")
M5_CPU_RATIO=$(ratio "$(median_cpu payments-noauth)" "$(median_cpu payments-auth)")
IDP_RPS=$(field idp rps) IDP_CPU=$(median_cpu idp)
M6_RATIO=$(ratio "$(field m6-introspect rps)" "$(field m6-jwt rps)") M6_NOCACHE_RATIO=$(ratio "$(field m6-introspect-nocache rps)" "$(field m6-jwt rps)")
M6_CPU_RATIO=$(ratio "$(median_cpu m6-jwt)" "$(median_cpu m6-introspect)")
M7_RATIO=$(ratio "$(field m7-exchange rps)" "$(field m7-cc rps)") M7_CPU_RATIO=$(ratio "$(median_cpu m7-cc)" "$(median_cpu m7-exchange)")
# idp_requests MODE CALLERS: all token-endpoint requests that run caused, per 1,000 payments.
idp_requests() { jq -r --argjson n "$M7_PAYMENTS" '[.scopeSets[]] | add // 0 | . * 1000 / $n | floor' <<<"${M7_IDP[$1-$2]}"; }
M6_NOCACHE_CPU_RATIO=$(ratio "$(median_cpu m6-jwt)" "$(median_cpu m6-introspect-nocache)")
IDP_PER_CORE=$(awk -v c="$IDP_CPU" 'BEGIN { printf "%.0f", 1e6 / c }')
CORES=$(nproc)
# scope_sets PROXY_JSON: "billing:read: 1, billing:write: 1", noting requests the caller abandoned (timed out) and retried.
scope_sets() {
  jq -r '.abandoned as $gone | .scopeSets | to_entries
    | map("\(.key): \(.value)" + (if ($gone[.key] // 0) > 0 then " (\($gone[.key]) abandoned by a client-side timeout, then retried)" else "" end))
    | join(", ")' <<<"$1"
}
M3_OK=$(jq -n -r --argjson a "$COUNTS1" --argjson b "$COUNTS2" \
  'if ([$a.scopeSets[], $b.scopeSets[]] | all(. == 1)) and ($a.scopeSets | length) == 2 and ($b.scopeSets | length) == 2 then "met" else "**missed**" end')
wave_summary() { jq -r '"\(.calls) calls (\(.statuses | to_entries | map("\(.value)× \(.key)") | join(", "))) in \(.seconds) s"' <<<"$1"; }
bdn_row() {  # bdn_row TEXT: "Mean (Ratio× the floor, Allocated)" of the BenchmarkDotNet row whose name contains TEXT
  awk -F'|' -v name="$1" '{ for (i = 1; i <= NF; i++) { c[i] = $i; gsub(/^ +| +$/, "", c[i]) } }
    NR == 1 { for (i = 1; i <= NF; i++) col[c[i]] = i; next }
    index($0, name) { printf "%s (%s× the RSA floor, %s allocated)", c[col["Mean"]], c[col["Ratio"]], c[col["Allocated"]] }' <<<"$BDN_TABLE"
}
row() {  # row NAME LABEL: throughput and latency of the best run, CPU as the median of all runs
  best "$1" | awk -v label="$2" -v cpu="$(median_cpu "$1")" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "| %s | %.0f | %.2f | %.2f | %s |\n", label, v["rps"], v["p50_ms"], v["p99_ms"], cpu }'
}
# cpu_delta AUTH NOAUTH: "+X µs (+Y%)" of median CPU per request.
cpu_delta() {
  awk -v a="$(median_cpu "$1")" -v n="$(median_cpu "$2")" 'BEGIN { printf "%+.0f µs (%+.0f%%)", a - n, (a - n) * 100 / n }'
}

{
  echo "# What authentication costs — $DATE, commit \`$COMMIT\`"
  echo
  echo "Machine: $CORES cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(uname -sr), .NET SDK $(dotnet --version)," \
    "runtime $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -1)." \
    "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER (other processes share these cores: compare ratios, not absolutes)."
  echo
  echo "Rerun: \`bench/run.sh\` (DURATION=$DURATION s per load run after WARMUP=$WARMUP s, ROUNDS=$ROUNDS alternating runs per variant, best run compared," \
    "CONNECTIONS=$CONNECTIONS, POST_CONNECTIONS=$POST_CONNECTIONS). Services: \`dotnet <Project>.dll\` from \`bin/Release/net10.0\`," \
    "ASPNETCORE_ENVIRONMENT=Benchmark, DOTNET_TC_CallCountingDelayMs=0, plain http on 127.0.0.1, log level Warning, data folders in $SCRATCH, random secrets."
  echo
  echo "## Summary"
  echo
  echo "| # | measurement | result | target | |"
  echo "|---|---|---|---|---|"
  echo "| 1 | validating a Keycloak-shaped RS256 token, per request (JwtBearer) | cache hit: $(bdn_row 'per request, cache hit'); full validation: $(bdn_row 'per request, cache off') | — | |"
  echo "| 2 | Billing \`GET /invoices/{id}\`, authenticated ÷ unauthenticated throughput | **${M2_CPU_RATIO}×** by CPU per request (best runs' requests/s: ${M2_RATIO}×); validated-token cache off: ${M2_NOCACHE_CPU_RATIO}× (${M2_NOCACHE_RATIO}×) | ≥ 0.85× | $(meets "$M2_CPU_RATIO" 0.85) |"
  echo "| 3 | token requests the IdP received for 1,000 concurrent calls through Payments | cold cache: $(scope_sets "$COUNTS1"); after rollover: $(scope_sets "$COUNTS2") | 1 per scope set | $M3_OK |"
  echo "| 4 | EmbeddedIdp client-credentials tokens | **$(printf '%.0f' "$IDP_RPS")/s** on $CORES cores shared with wrk; $(awk -v c="$IDP_CPU" 'BEGIN { printf "%.2f", c / 1000 }') ms CPU/token, so $IDP_PER_CORE/s per core and $((IDP_PER_CORE * CORES))/s if the IdP had all $CORES cores | ≥ 1,000/s | $(meets "$IDP_RPS" 1000) |"
  echo "| 5 | \`POST /payments\` end to end, with auth ÷ auth switched off | **${M5_CPU_RATIO}×** by CPU per request (best runs' requests/s: ${M5_RATIO}×) | ≥ 0.8× | $(meets "$M5_CPU_RATIO" 0.8) |"
  echo "| 6 | Billing \`GET /invoices/{id}\` validated by introspection ÷ as a JWT (CPU of Billing + IdP) | cache on: **${M6_CPU_RATIO}×** by CPU per request (requests/s: ${M6_RATIO}×); cache off: **${M6_NOCACHE_CPU_RATIO}×** (${M6_NOCACHE_RATIO}×) | — | |"
  echo "| 7 | \`POST /payments\` with token exchange ÷ client credentials (CPU of Payments + Billing + IdP); IdP requests per 1,000 payments from 1 / 10 / 100 callers | **${M7_CPU_RATIO}×** by CPU per request (requests/s: ${M7_RATIO}×); client credentials: $(idp_requests cc 1) / $(idp_requests cc 10) / $(idp_requests cc 100), exchange: $(idp_requests exchange 1) / $(idp_requests exchange 10) / $(idp_requests exchange 100) | — | |"
  echo
  echo "Ratios 2 and 5 are judged on CPU time per request (median of the runs), which is what the service itself spends;"
  echo "requests/s of the best runs are shown beside them but swing with whatever else runs on the machine."
  echo
  echo "## 1. Validation cost (BenchmarkDotNet)"
  echo
  echo "\`dotnet bench/M2MDemo.Benchmarks/bin/Release/net10.0/M2MDemo.Benchmarks.dll validation\` — the token validation parameters and token handler"
  echo "come from the real \`AddResourceServer()\` (audience billing-api); keys from a static OpenID configuration (no network)."
  echo "Ratio = multiple of one bare RSA-2048 signature check."
  echo
  echo '```'
  echo "$BDN_ENV"
  echo '```'
  echo
  echo "$BDN_TABLE"
  echo
  echo "## 2. Auth overhead on the wire: Billing \`GET $M2_PATH\`"
  echo
  echo "Three Billing.Api processes on one SQLite file, the same endpoint: *unauthenticated* (\`serve Billing.Api PORT auth-off\`, no token sent),"
  echo "*authenticated* (the shipped configuration, billing:read token), *authenticated, cache off* (\`ResourceServer__TokenCacheSize=0\`: every request validated in full)."
  echo "Requests/s and latency: the best of the runs; CPU = user+system time of the Billing process per request, median of the runs."
  echo
  echo "| variant | requests/s | p50 ms | p99 ms | CPU µs/request |"
  echo "|---|---|---|---|---|"
  row billing-noauth "unauthenticated"
  row billing-auth "authenticated"
  row billing-nocache "authenticated, cache off"
  echo
  echo "Ratio authenticated ÷ unauthenticated, from median CPU per request: **${M2_CPU_RATIO}×** (target ≥ 0.85×), cache off: ${M2_NOCACHE_CPU_RATIO}×;"
  echo "from the best runs' requests/s: ${M2_RATIO}×, cache off: ${M2_NOCACHE_RATIO}×."
  echo "CPU per request, authenticated: $(cpu_delta billing-auth billing-noauth); cache off: $(cpu_delta billing-nocache billing-noauth)."
  echo
  echo "\`wrk $(shown "${M2_WRK[@]}") --latency -s bench/wrk/load.lua [-H 'Authorization: Bearer \$TOKEN'] http://127.0.0.1:PORT$M2_PATH\`"
  echo
  echo "## 3. Token requests under concurrency"
  echo
  echo "Payments.Api (freshly restarted: empty token cache) gets its tokens through a counting proxy in front of the IdP"
  echo "(\`M2MDemo.Benchmarks token-proxy\`). Each wave: $BURST_GETS \`GET /payments/{id}\` (Billing read with a billing:read token) and"
  echo "$BURST_POSTS \`POST /payments\` (invoice created with a billing:write token), released at once"
  echo "(\`M2MDemo.Benchmarks burst\`). payments-service tokens live $TOKEN_LIFESPAN s in the bench realm; the second wave starts"
  echo "$REFRESH_AFTER s after the first wave's last token request: past the refresh point, before expiry, so every cached token must be replaced."
  echo "Calls that fail under this burst (503: Billing did not answer in time, 202: invoice left pending) are reported, not retried."
  echo
  echo "| wave | calls | token requests per scope set | target |"
  echo "|---|---|---|---|"
  echo "| cold cache | $(wave_summary "$WAVE1") | $(scope_sets "$COUNTS1") | 1 per scope set |"
  echo "| token rollover | $(wave_summary "$WAVE2") | $(scope_sets "$COUNTS2") | 1 per scope set |"
  echo
  echo "## 4. IdP throughput: EmbeddedIdp client credentials"
  echo
  echo "| requests/s (best run) | p50 ms | p99 ms | CPU µs/token (median) |"
  echo "|---|---|---|---|"
  best idp | awk -v cpu="$IDP_CPU" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } printf "| %.0f | %.2f | %.2f | %s |\n", v["rps"], v["p50_ms"], v["p99_ms"], cpu }'
  echo
  echo "$(printf '%.0f' "$IDP_RPS") tokens/s with wrk on the same $CORES cores (target ≥ 1,000/s); by CPU time, $IDP_PER_CORE tokens/s per core"
  echo "(Keycloak's sizing guide plans 120/s per vCPU)."
  echo
  echo "\`wrk $(shown "${M4_WRK[@]}") --latency -s bench/wrk/load.lua $(shown "$ISSUER")/protocol/openid-connect/token\`"
  echo "with LOAD_METHOD=POST LOAD_BODY='grant_type=client_credentials&scope=billing%3Aread' (client payments-service)."
  echo
  echo "## 5. End to end: \`POST /payments\`"
  echo
  echo "*With auth*: Payments validates the checkout-service token, gets (cached) a billing:write token, Billing validates it."
  echo "*Auth off*: a second Payments and Billing pair served with \`auth-off\`: no token sent or validated anywhere."
  echo "Each request writes the payment and the invoice (two SQLite databases). Requests/s and latency: the best run;"
  echo "CPU = Payments + Billing per request, median of the runs."
  echo
  echo "| variant | requests/s | p50 ms | p99 ms | CPU µs/request |"
  echo "|---|---|---|---|---|"
  row payments-noauth "auth off"
  row payments-auth "with auth"
  echo
  echo "CPU per request with auth: $(cpu_delta payments-auth payments-noauth)."
  echo "Ratio with auth ÷ auth off, from median CPU per request: **${M5_CPU_RATIO}×** (target ≥ 0.8×); from the best runs' requests/s: ${M5_RATIO}×. Invoices left pending (202) — auth off: $(field payments-noauth status_202), with auth: $(field payments-auth status_202)."
  echo
  echo "\`wrk $(shown "${M5_WRK[@]}") --latency -s bench/wrk/load.lua [-H 'Authorization: Bearer \$TOKEN'] http://127.0.0.1:PORT/payments\`"
  echo "with LOAD_METHOD=POST LOAD_BODY='$PAYMENT_BODY' LOAD_UNIQUE_KEY=1 (a fresh Idempotency-Key per request)."
  echo
  echo "## 6. Introspection against JWT validation: Billing \`GET $M2_PATH\`"
  echo
  echo "The same endpoint on three Billing.Api processes: *JWT* (the shipped configuration: local validation, validated-token cache on),"
  echo "*introspection* (\`ResourceServer__TokenValidation=Introspection\`, as client billing-api; answers cached 30 s, at most until \`exp\`),"
  echo "*introspection, cache off* (\`ResourceServer__Introspection__CacheDuration=00:00:00\`: one call to the IdP per request)."
  echo "A fresh billing:read token per run. Requests/s and latency: the best of the runs; CPU = user+system time of that Billing"
  echo "and the IdP per request, median of the runs (the IdP's share is the cost introspection moves to it)."
  echo
  echo "| variant | requests/s | p50 ms | p99 ms | CPU µs/request (Billing + IdP) |"
  echo "|---|---|---|---|---|"
  row m6-jwt "JWT, validated locally"
  row m6-introspect "introspection, cache on"
  row m6-introspect-nocache "introspection, cache off"
  echo
  echo "Introspection ÷ JWT, from median CPU per request: cache on **${M6_CPU_RATIO}×**, cache off **${M6_NOCACHE_CPU_RATIO}×**;"
  echo "from the best runs' requests/s: ${M6_RATIO}× and ${M6_NOCACHE_RATIO}×."
  echo "CPU per request against JWT, cache on: $(cpu_delta m6-introspect m6-jwt); cache off: $(cpu_delta m6-introspect-nocache m6-jwt)."
  echo
  echo "\`wrk $(shown "${M2_WRK[@]}") --latency -s bench/wrk/load.lua -H 'Authorization: Bearer \$TOKEN' http://127.0.0.1:PORT$M2_PATH\`"
  echo
  echo "## 7. Token exchange against client credentials: \`POST /payments\`"
  echo
  echo "Two Payments.Api on the same Billing, their tokens through the counting proxy: *client credentials* (\`Billing__Authorization=ClientCredentials\`,"
  echo "its own payments-service token) and *token exchange* (\`Billing__Authorization=TokenExchange\`: the caller's token exchanged by payments-api for a"
  echo "billing:write token, cached per caller token). 7a: one caller token, so both caches hit; CPU = Payments + Billing + IdP per request, median of the runs."
  echo
  echo "| variant | requests/s | p50 ms | p99 ms | CPU µs/request (Payments + Billing + IdP) |"
  echo "|---|---|---|---|---|"
  row m7-cc "client credentials"
  row m7-exchange "token exchange"
  echo
  echo "Exchange ÷ client credentials, from median CPU per request: **${M7_CPU_RATIO}×**; from the best runs' requests/s: ${M7_RATIO}×."
  echo
  echo "7b: $M7_PAYMENTS \`POST /payments\` ($POST_CONNECTIONS at a time, \`M2MDemo.Benchmarks callers\`) from 1, 10 and 100 distinct callers (distinct"
  echo "checkout-service tokens, round robin); each Payments freshly started per count (cold caches). IdP requests per 1,000 payments, and what they were:"
  echo
  echo "| callers | client credentials: IdP requests / 1,000 | token exchange: IdP requests / 1,000 | calls (client credentials; exchange) |"
  echo "|---|---|---|---|"
  for callers in 1 10 100; do
    echo "| $callers | $(idp_requests cc $callers) ($(scope_sets "${M7_IDP[cc-$callers]}")) | $(idp_requests exchange $callers) ($(scope_sets "${M7_IDP[exchange-$callers]}")) | $(wave_summary "${M7_CALLS[cc-$callers]}"); $(wave_summary "${M7_CALLS[exchange-$callers]}") |"
  done
  echo
  echo "## All load runs"
  echo
  echo '```'
  cat "$RUNS"
  echo '```'
} >"$REPORT"
cp "$REPORT" bench/results/latest.md
log "wrote $REPORT and bench/results/latest.md"
sed -n '/^## Summary/,/^## 1\./p' "$REPORT" | head -n -1
