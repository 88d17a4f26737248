#!/usr/bin/env bash
# Regenerates docs/images/trace.png: starts the AppHost (EmbeddedIdp), makes one POST /payments as checkout-service,
# and screenshots the dashboard's waterfall of that payment's trace with headless chromium.
# Needs: the .NET SDK, curl, jq, chromium (CHROMIUM=/path/to/chrome to use another). Usage: scripts/trace-screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DASHBOARD=http://localhost:15080
IDP=http://localhost:8080/realms/m2m
PAYMENTS=http://localhost:5200
OUT=docs/images/trace.png

echo "Building the AppHost and the screenshot tool"
dotnet build AppHost -v q -nologo >/dev/null
dotnet build scripts/TraceScreenshot.cs -v q -nologo >/dev/null

# Secrets of this run only (the AppHost takes them as parameters); the dashboard without login, as in the http profile.
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
CHECKOUT_SECRET=$(secret)
export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS=$DASHBOARD \
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
  ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:19080 ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:20080
log=$(mktemp)
(cd AppHost && exec dotnet bin/Debug/net10.0/AppHost.dll IdentityProvider=Embedded \
  "Parameters:checkout-service-secret=$CHECKOUT_SECRET" "Parameters:payments-service-secret=$(secret)" \
  "Parameters:billing-api-secret=$(secret)" "Parameters:payments-api-secret=$(secret)") >"$log" 2>&1 &
apphost=$!
# SIGTERM lets the AppHost stop every resource it started; also when this script is interrupted.
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true' EXIT
trap 'exit 143' TERM INT
echo "Starting the AppHost (log: $log)"

wait_for() {
  for _ in $(seq 1 180); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
  echo "$1 did not answer within 180 s; AppHost output: $log" >&2; exit 1
}
wait_for "$PAYMENTS/health"
wait_for "http://localhost:5100/health"

echo "Paying once"
TOKEN=$(curl -sf -u "checkout-service:$CHECKOUT_SECRET" -d grant_type=client_credentials -d scope=payments:write \
  "$IDP/protocol/openid-connect/token" | jq -r .access_token)
# The script is the caller: it names the trace, so it can open exactly that trace in the dashboard.
TRACE_ID=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
curl -sf -o /dev/null "$PAYMENTS/payments" -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: trace-$TRACE_ID" \
  -H "traceparent: 00-$TRACE_ID-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')-01" \
  -H "Content-Type: application/json" -d '{"amount": 42.50, "currency": "EUR", "description": "trace screenshot"}'

echo "Taking the screenshot"
dotnet run --no-build scripts/TraceScreenshot.cs -- "$DASHBOARD/traces/detail/$TRACE_ID" "$OUT" "${CHROMIUM:-$(command -v chromium)}"
echo "Wrote $OUT (trace $TRACE_ID)"
