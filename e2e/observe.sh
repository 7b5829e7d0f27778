#!/usr/bin/env bash
# A running gateway's observability, from the outside: the demo (the packaged jar, its simulated
# models in the same process) serves a few requests carrying credentials, then
#   - every response has a Server-Timing header;
#   - stdout has exactly one access-log line per request, each a JSON object, and no credential
#     appears on stdout or stderr;
#   - /metrics passes `promtool check metrics`. No lint is taken as harmless: the gateway's meters
#     all have help text and Prometheus names, and so do Micrometer's JVM ones, so any line promtool
#     prints fails the run.
# Needs the built jar, curl, jq and promtool (Debian: the prometheus package).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
[ -f "$GATEWAY_JAR" ] || { echo "build first: ./mvnw -B package" >&2; exit 2; }
for tool in curl jq promtool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found" >&2; exit 2; }
done

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

WORK=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(free_port 24000)
ADMIN_PORT=$(free_port $((PORT + 1)))
java -jar "$GATEWAY_JAR" demo --port "$PORT" --admin-port "$ADMIN_PORT" >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!
fail() {
  echo "$1" >&2
  echo "--- stdout" >&2; tail -20 "$WORK/stdout" >&2
  echo "--- stderr" >&2; tail -20 "$WORK/stderr" >&2
  exit 1
}
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || fail "the demo gateway did not get ready"

SECRETS=(E2E_BEARER_SECRET E2E_KEY_SECRET E2E_QUERY_SECRET)
request() { # path, body (empty: GET); prints the response head
  local args=(-sS -N -D - -o /dev/null -H "Authorization: Bearer ${SECRETS[0]}" -H "X-API-Key: ${SECRETS[1]}")
  [ -n "$2" ] && args+=(-H 'Content-Type: application/json' --data "$2")
  curl "${args[@]}" "http://127.0.0.1:$PORT$1"
}
BODY='{"inputs":"hi","parameters":{"max_new_tokens":3}}'
heads=$(
  request "/small/generate?token=${SECRETS[2]}" "$BODY"
  request "/small/generate_stream?api_key=${SECRETS[2]}" "$BODY"
  request "/small/no/such/page?token=${SECRETS[2]}" ""
)
requests=3
timings=$(grep -ci '^server-timing: .*total;dur=[0-9.]*' <<<"$heads" || true)
[ "$timings" -eq "$requests" ] || fail "Server-Timing on $timings of $requests responses:
$heads"

for _ in $(seq 1 50); do
  [ "$(grep -c '^{' "$WORK/stdout" || true)" -ge "$requests" ] && break
  sleep 0.1
done
lines=$(grep -c '^{' "$WORK/stdout" || true)
[ "$lines" -eq "$requests" ] || fail "$lines access-log lines for $requests requests"
grep '^{' "$WORK/stdout" | jq -e -s --argjson n "$requests" 'length == $n and all(.[]; .requestId and .route == "small" and (.status | type) == "number")' \
  >/dev/null || fail "an access-log line is not the expected JSON"
for secret in "${SECRETS[@]}"; do
  if grep -q "$secret" "$WORK/stdout" "$WORK/stderr"; then
    fail "a credential ($secret) was logged"
  fi
done
echo "access log: $lines JSON lines, no credential; Server-Timing on every response"

curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/metrics.txt"
if ! problems=$(promtool check metrics <"$WORK/metrics.txt" 2>&1) || [ -n "$problems" ]; then
  echo "$problems" >&2
  fail "promtool check metrics found problems in /metrics"
fi
echo "metrics: $(grep -c '^gateway_' "$WORK/metrics.txt") gateway_ series, promtool check metrics clean"
