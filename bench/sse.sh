#!/usr/bin/env bash
# Event-stream relay benchmark: N concurrent streams, one event per second each, from the simulator
# directly and through Infergate, in one run. The simulator stamps every event with its send time
# (epoch microseconds); the client (SseLoad.java) subtracts it from the receive time. Reports the
# added latency per event, the gateway's RSS and heap with N streams open, and heartbeat delivery.
#
# Each stream lasts 64 s (the simulator's longest answer), so DURATION plus the ramp (one second per
# 1,000 streams) must stay under that.
#
# Usage: bench/sse.sh
# Environment:
#   STREAMS="1000 10000"   stream counts to run, each directly and through the gateway
#   DURATION=20            seconds measured per run, after all streams are open
#   HEARTBEAT=400ms        gateway heartbeat interval (below the 1 s between events, so each gap gets some)
#   JAVA_OPTS="-Xmx512m -XX:MaxDirectMemorySize=256m"   the gateway's JVM flags
set -euo pipefail

STREAMS=${STREAMS:-"1000 10000"}
DURATION=${DURATION:-20}
HEARTBEAT=${HEARTBEAT:-400ms}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m -XX:MaxDirectMemorySize=256m}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH/common.sh"
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
heap_mib() {
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" \
    | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {sum += $NF} END {printf "%.0f", sum / 1048576}'
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SIM_PORT=$(free_port 24000)
java -Xmx1g -jar "$SIM_JAR" --port "$SIM_PORT" --seed 42 --tokens-per-second 1 --batch-slowdown 1 \
  --max-batch 50000 --max-queue 50000 --stamp-events >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
GATEWAY_PORT=$(free_port $((SIM_PORT + 1)))
ADMIN_PORT=$(free_port $((GATEWAY_PORT + 1)))
cat >"$WORK/gateway.yaml" <<YAML
server: { port: $GATEWAY_PORT, adminPort: $ADMIN_PORT }
defaults:
  heartbeat: { interval: $HEARTBEAT }
  # The relay is measured, not admission: every stream is let through at once, like nginx's.
  admission: { maxInFlightPerEndpoint: 10000 }
routes:
  - name: bench
    match: { pathPrefix: / }
    upstreams: [ { name: sim, endpoints: [ "http://127.0.0.1:$SIM_PORT" ] } ]
YAML
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$GATEWAY_JAR" run --config "$WORK/gateway.yaml" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
wait_for "http://127.0.0.1:$SIM_PORT/health"
wait_for "http://127.0.0.1:$ADMIN_PORT/readyz"

run_load() { # URL STREAMS -> prints SseLoad's result line
  java -Xmx2g "$BENCH/SseLoad.java" "$1" "$2" "$DURATION"
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

printf '\n| streams | path | open | failed | events/s | added p50 (µs) | added p99 (µs) | latency p50 / p99 (µs) | heartbeats/stream/s | gateway RSS (MiB) | gateway heap (MiB) |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n'
for n in $STREAMS; do
  direct=$(run_load "http://127.0.0.1:$SIM_PORT/generate_stream" "$n")
  echo "direct    $n: $direct" >&2
  # The gateway's memory is read while its streams are open, halfway through the measured time.
  ( sleep $((DURATION / 2 + 5)); echo "$(rss_mib $GATEWAY_PID) $(heap_mib)" >"$WORK/mem" ) &
  via=$(run_load "http://127.0.0.1:$GATEWAY_PORT/generate_stream" "$n")
  wait $! 2>/dev/null || true
  echo "infergate $n: $via" >&2
  # Requests the gateway answered itself, by cause, since it started.
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" | grep '^gateway_request_duration_seconds_count' \
    | grep -v 'outcome="success"' | sed 's/^/  gateway: /' >&2 || true
  read -r rss heap <"$WORK/mem"
  d50=$(field latency_us_p50 "$direct"); d99=$(field latency_us_p99 "$direct")
  g50=$(field latency_us_p50 "$via"); g99=$(field latency_us_p99 "$via")
  hb=$(awk -v h="$(field heartbeats "$via")" -v n="$n" -v d="$DURATION" 'BEGIN {printf "%.2f", h / n / d}')
  printf '| %s | direct | %s | %s | %s | — | — | %s / %s | — | — | — |\n' "$n" \
    "$(field open "$direct")" "$(field failed "$direct")" "$(field events_per_s "$direct")" "$d50" "$d99"
  printf '| %s | infergate | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s |\n' "$n" \
    "$(field open "$via")" "$(field failed "$via")" "$(field events_per_s "$via")" \
    "$((g50 - d50))" "$((g99 - d99))" "$g50" "$g99" "$hb" "$rss" "$heap"
done
