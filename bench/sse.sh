#!/usr/bin/env bash
# Event-stream relay benchmark: N concurrent streams, one event per second each, from the simulator
# directly and N through Infergate, opened by one client in turn and measured over the same seconds.
# The simulator stamps every event with its send time (epoch microseconds); the client
# (SseLoad.java) subtracts it from the receive time. Reports the added latency per event, the
# gateway's RSS and heap with N streams open, heartbeat delivery, and how much the gateway's JIT
# compiled while measured.
#
# Every run lets its streams run WARMUP seconds before it measures, so that the gateway's first
# compiling of its relay path and the deoptimization that its first admin request causes fall
# outside the measured seconds. Each stream lasts 64 s (the simulator's longest answer), so the ramp
# (1,000 new streams a second), WARMUP and DURATION together must stay under that.
#
# Usage: bench/sse.sh
# Environment:
#   STREAMS="1000 10000"   stream counts to run, each directly and through the gateway (apart when
#                          the open-file limit cannot hold both sets of streams at once)
#   DURATION=20            seconds measured per run, after all streams are open and WARMUP has passed
#   WARMUP=10              seconds the streams run unmeasured first
#   HEARTBEAT=400ms        gateway heartbeat interval (below the 1 s between events, so each gap gets some)
#   JAVA_OPTS="-Xmx512m -XX:MaxDirectMemorySize=256m"   the gateway's JVM flags
set -euo pipefail

STREAMS=${STREAMS:-"1000 10000"}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
HEARTBEAT=${HEARTBEAT:-400ms}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m -XX:MaxDirectMemorySize=256m}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH/common.sh"
# shellcheck source=bench/jit.sh
source "$BENCH/jit.sh"
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
DIRECT_URL="http://127.0.0.1:$SIM_PORT/generate_stream"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/generate_stream"

# One SseLoad run of N streams to each URL, opened in turn and measured over the same seconds. Prints
# its result lines, the gateway's with jit_ms= added: what the gateway's JIT compilers used in the
# measured seconds. The gateway's memory is read halfway through them (the last run's reading
# stays); the admin port is asked once in the warm-up too, so that this reading is not the
# gateway's first admin request.
run_load() { # STREAMS URL[,URL]
  local line jit0=0 reader=""
  while read -r line; do
    case $line in
      open) curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" ;;
      measuring)
        jit0=$(jit_ticks "$GATEWAY_PID")
        ( sleep $((DURATION / 2)); echo "$(rss_mib $GATEWAY_PID) $(heap_mib)" >"$WORK/mem" ) &
        reader=$! ;;
      *url=$DIRECT_URL) echo "$line" ;;
      *url=$GATEWAY_URL) echo "$line jit_ms=$(ticks_ms $(($(jit_ticks "$GATEWAY_PID") - jit0)))" ;;
    esac
  done < <(java -Xmx2g "$BENCH/SseLoad.java" "$2" "$1" "$DURATION" "$WARMUP")
  [ -z "$reader" ] || wait "$reader" 2>/dev/null || true
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

printf '\n| streams | path | open | failed | events/s | added p50 (µs) | added p99 (µs) | latency p50 / p99 (µs) | heartbeats/stream/s | gateway RSS (MiB) | gateway heap (MiB) | gateway JIT (ms) |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n'
for n in $STREAMS; do
  # Direct and through the gateway in one client, so that the machine's stalls (the client's own
  # garbage collection, the host's scheduling) fall on both alike: measured apart, on this machine
  # the direct p99 alone moved between 1.2 and 5.2 ms from one run to the next. Apart only when the
  # client's open-file limit cannot hold both sets of streams.
  if [ $((2 * n + 1000)) -le "$(ulimit -n)" ]; then
    results=$(run_load "$n" "$DIRECT_URL,$GATEWAY_URL")
  else
    echo "$n streams: direct and through the gateway measured apart (open-file limit $(ulimit -n))" >&2
    results="$(run_load "$n" "$DIRECT_URL")"$'\n'"$(run_load "$n" "$GATEWAY_URL")"
  fi
  direct=$(grep "url=$DIRECT_URL\$" <<<"$results") || true
  via=$(grep "url=$GATEWAY_URL " <<<"$results") || true
  echo "direct    $n: $direct" >&2
  echo "infergate $n: $via" >&2
  # Requests the gateway answered itself, by cause, since it started.
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" | grep '^gateway_request_duration_seconds_count' \
    | grep -v 'outcome="success"' | sed 's/^/  gateway: /' >&2 || true
  read -r rss heap <"$WORK/mem"
  d50=$(field latency_us_p50 "$direct"); d99=$(field latency_us_p99 "$direct")
  g50=$(field latency_us_p50 "$via"); g99=$(field latency_us_p99 "$via")
  hb=$(awk -v h="$(field heartbeats "$via")" -v n="$n" -v d="$DURATION" 'BEGIN {printf "%.2f", h / n / d}')
  printf '| %s | direct | %s | %s | %s | — | — | %s / %s | — | — | — | — |\n' "$n" \
    "$(field open "$direct")" "$(field failed "$direct")" "$(field events_per_s "$direct")" "$d50" "$d99"
  printf '| %s | infergate | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s |\n' "$n" \
    "$(field open "$via")" "$(field failed "$via")" "$(field events_per_s "$via")" \
    "$((g50 - d50))" "$((g99 - d99))" "$g50" "$g99" "$hb" "$rss" "$heap" "$(field jit_ms "$via")"
done
