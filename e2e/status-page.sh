#!/usr/bin/env bash
# The status page in a real browser: starts the demo from the built jar, then e2e/status-page.mjs
# drives it with Debian's chromium through puppeteer-core (pinned in package-lock.json). The
# screenshot goes to target/e2e/status-page.png, the run's artifact (never committed).
set -euo pipefail
E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E/.." && pwd)
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
[ -f "$GATEWAY_JAR" ] || { echo "build first: ./mvnw -B package" >&2; exit 2; }
command -v "${CHROMIUM:-chromium}" >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 2; }

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

WORK=$(mktemp -d)
cleanup() {
  [ -n "${DEMO:-}" ] && kill "$DEMO" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$E2E" && npm ci --no-audit --no-fund --silent)
GATEWAY_PORT=$(free_port 24000)
ADMIN_PORT=$(free_port $((GATEWAY_PORT + 1)))
# A cold start long enough for a browser started after the demo to see it, shorter than the demo's
# 20 s hold, so the first request waits for the large model rather than falling back.
java -jar "$GATEWAY_JAR" demo --port "$GATEWAY_PORT" --admin-port "$ADMIN_PORT" --cold-start 15 >"$WORK/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break
  sleep 0.2
done
mkdir -p "$ROOT/target/e2e"
if ! node "$E2E/status-page.mjs" "http://127.0.0.1:$GATEWAY_PORT" "http://127.0.0.1:$ADMIN_PORT" \
    "$ROOT/target/e2e/status-page.png"; then
  echo "--- demo log (last 40 lines)" >&2
  tail -40 "$WORK/demo.log" >&2
  exit 1
fi
