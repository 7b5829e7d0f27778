#!/usr/bin/env bash
# A running gateway's observability, from the outside: the demo (the packaged jar, its simulated
# models in the same process) serves a few requests carrying credentials while a Prometheus scrapes
# it every second with the shipped rules loaded, then
#   - every response has a Server-Timing header;
#   - stdout has exactly one access-log line per request, each a JSON object, and no credential
#     appears on stdout or stderr;
#   - /metrics passes `promtool check metrics`. No lint is taken as harmless: the gateway's meters
#     all have help text and Prometheus names, and so do Micrometer's JVM ones, so any line promtool
#     prints fails the run;
#   - the shipped rules evaluate, the p99 recording rule gives a latency, and every query of the
#     shipped dashboard runs on the real series and finds some (the 5xx ratio excepted: none happened).
# Needs the built jar, curl, jq, promtool and prometheus (Debian: the prometheus package).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
[ -f "$GATEWAY_JAR" ] || { echo "build first: ./mvnw -B package" >&2; exit 2; }
for tool in curl jq promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found" >&2; exit 2; }
done

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

WORK=$(mktemp -d)
PID=
PROM_PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PROM_PID" ]; then kill "$PROM_PID" 2>/dev/null || true; wait "$PROM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "$1" >&2
  echo "--- gateway stdout" >&2; tail -20 "$WORK/stdout" >&2 || true
  echo "--- gateway stderr" >&2; tail -20 "$WORK/stderr" >&2 || true
  echo "--- prometheus" >&2; tail -20 "$WORK/prometheus.log" >&2 || true
  exit 1
}

PORT=$(free_port 24000)
ADMIN_PORT=$(free_port $((PORT + 1)))
java -jar "$GATEWAY_JAR" demo --port "$PORT" --admin-port "$ADMIN_PORT" >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || fail "the demo gateway did not get ready"

PROM_PORT=$(free_port $((ADMIN_PORT + 1)))
PROM="http://127.0.0.1:$PROM_PORT"
cat >"$WORK/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$ROOT/config/prometheus/alerts.yml" ]
scrape_configs:
  - job_name: infergate
    static_configs: [ { targets: [ "127.0.0.1:$ADMIN_PORT" ] } ]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
query() { # PromQL; prints the API's JSON answer
  curl -fsS "$PROM/api/v1/query" --data-urlencode "query=$1"
}
positive() { # PromQL; whether a series of its result is above 0
  query "$1" 2>/dev/null | jq -e '.data.result | map(.value[1] | tonumber) | any(. > 0)' >/dev/null 2>&1
}
await() { # PromQL, what
  for _ in $(seq 1 150); do
    positive "$1" && return 0
    sleep 0.2
  done
  fail "timed out waiting until $2"
}
await 'up{job="infergate"}' "Prometheus scrapes the gateway"

SECRETS=(E2E_BEARER_SECRET E2E_KEY_SECRET E2E_QUERY_SECRET)
request() { # path, body (empty: GET); prints the response head
  local args=(-sS -N -D - -o /dev/null -H "Authorization: Bearer ${SECRETS[0]}" -H "X-API-Key: ${SECRETS[1]}")
  [ -n "$2" ] && args+=(-H 'Content-Type: application/json' --data "$2")
  curl "${args[@]}" "http://127.0.0.1:$PORT$1"
}
BODY='{"inputs":"hi","parameters":{"max_new_tokens":3}}'
heads=$(
  for _ in 1 2 3; do request "/small/generate?token=${SECRETS[2]}" "$BODY"; done
  request "/small/generate_stream?api_key=${SECRETS[2]}" "$BODY"
  request "/small/no/such/page?token=${SECRETS[2]}" ""
)
requests=5
timings=$(grep -ci '^server-timing: .*total;dur=[0-9.]*' <<<"$heads" || true)
[ "$timings" -eq "$requests" ] || fail "Server-Timing on $timings of $requests responses:
$heads"

for _ in $(seq 1 50); do
  [ "$(grep -c '^{' "$WORK/stdout" || true)" -ge "$requests" ] && break
  sleep 0.1
done
lines=$(grep -c '^{' "$WORK/stdout" || true)
[ "$lines" -eq "$requests" ] || fail "$lines access-log lines for $requests requests"
grep '^{' "$WORK/stdout" \
  | jq -e -s --argjson n "$requests" 'length == $n and all(.[]; .requestId and .route == "small" and (.status | type) == "number")' \
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

# The traffic inside a rate, and the recording rules evaluated over it.
await 'route:gateway_request_duration_seconds:p99_5m{route="small"}' "the p99 recording rule has a value"
p99=$(query 'route:gateway_request_duration_seconds:p99_5m{route="small"}' | jq -r '.data.result[0].value[1]')
awk -v p="$p99" 'BEGIN { exit !(p + 0 > 0 && p + 0 < 10) }' || fail "p99 of route small from the recording rule: $p99"
rules=$(curl -fsS "$PROM/api/v1/rules")
unhealthy=$(jq -r '[.data.groups[].rules[] | select(.health != "ok") | .name] | join(", ")' <<<"$rules")
[ -z "$unhealthy" ] || fail "rules that do not evaluate: $unhealthy"

# Every dashboard query, with Grafana's variables given values, on the real series.
queries=0
while IFS= read -r expr; do
  queries=$((queries + 1))
  answer=$(query "$expr") || fail "the dashboard query does not run: $expr"
  # A 5xx panel may rightly be empty; the shared store's meters exist only with store.redis, which the demo has not.
  if [ "$(jq '.data.result | length' <<<"$answer")" -eq 0 ] && ! grep -qF 'status=~"5.."' <<<"$expr" \
      && ! grep -qF 'gateway_store_' <<<"$expr"; then
    fail "the dashboard query finds nothing: $expr"
  fi
done < <(jq -r '.panels[] | (., (.panels // [])[]) | .targets // [] | .[] | .expr' "$ROOT/config/grafana/infergate.json" \
  | sed -e 's/\$__rate_interval/30s/g' -e 's/\$__range/1h/g' -e 's/\$route/.*/g')
echo "prometheus: $(jq '[.data.groups[].rules[]] | length' <<<"$rules") rules evaluate, p99 of route small ${p99}s," \
  "$queries dashboard queries find series"
