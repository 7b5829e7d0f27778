#!/usr/bin/env bash
# Overload benchmark: the simulator at a fixed capacity C, offered 0.5x, 1x, 2x and 4x C by an
# open-loop client (Overload.java: requests start on schedule whatever the answers), first directly,
# then through Infergate with admission control and two tenants (premium and free) sharing the load.
# Reports per class: served, shed (429 with Retry-After) and how fast, the gateway's 504s, client
# timeouts, the latency of what was served, and the goodput against C.
#
# Every run gets a fresh simulator (and a fresh gateway), so no run inherits another's backlog. The
# simulator queues like a real TGI (a large --max-queue, no 429 of its own); with a batch slowdown of 1
# a request takes the same time whatever the batch. C is measured at the start: MAX_BATCH clients
# sending back to back for 15 s; C = MAX_BATCH / the mean time of a request.
#
# Usage: bench/overload.sh
# Environment:
#   DURATION=60          seconds of load per run (8 runs)
#   LEVELS="0.5 1 2 4"   offered load, in multiples of C
#   MAX_BATCH=8          the simulator's batch, and the gateway's maxInFlightPerEndpoint
#   TOKENS_PER_SECOND=20 per sequence; with TOKENS=10 about half a second a request
#   TOKENS=10            max_new_tokens of every request
#   DEADLINE=5           the client's deadline in seconds, from each request's scheduled start (what is
#                        left of it when sent is its timeout and its X-Request-Timeout)
#   QUEUE=256            the gateway's admission queue
#   MAX_QUEUE_WAIT=2s    the gateway's maxQueueWait (below DEADLINE, with room for the service time)
#   ARRIVALS=poisson     or "even"
#   PREMIUM_SHARE=0.5    share of the requests that are premium (the rest are free)
#   SEED=1               the arrival schedule's seed (the same schedule directly and through the gateway)
#   TARGETS="direct infergate"
#   JAVA_OPTS="-Xmx512m" the gateway's JVM flags
#   KEEP=0               1 keeps the work directory (configs, logs, metrics, raw client output)
set -euo pipefail

DURATION=${DURATION:-60}
LEVELS=${LEVELS:-"0.5 1 2 4"}
MAX_BATCH=${MAX_BATCH:-8}
TOKENS_PER_SECOND=${TOKENS_PER_SECOND:-20}
TOKENS=${TOKENS:-10}
DEADLINE=${DEADLINE:-5}
QUEUE=${QUEUE:-256}
MAX_QUEUE_WAIT=${MAX_QUEUE_WAIT:-2s}
ARRIVALS=${ARRIVALS:-poisson}
PREMIUM_SHARE=${PREMIUM_SHARE:-0.5}
SEED=${SEED:-1}
TARGETS=${TARGETS:-"direct infergate"}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
KEEP=${KEEP:-0}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH/common.sh"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

metric() { # FILE SAMPLE -> the sum of the lines that start with SAMPLE (a name and its labels)
  awk -v s="$2" 'index($0, s " ") == 1 {sum += $NF} END {printf "%.0f", sum + 0}' "$1"
}

WORK=$(mktemp -d)
trap cleanup EXIT

# The tenants' keys; the gateway gets only their digests.
PREMIUM_KEY=bench-premium-key-0000000001
FREE_KEY=bench-free-key-00000000000001
PREMIUM_SHA=$(printf %s "$PREMIUM_KEY" | sha256sum | cut -d' ' -f1)
FREE_SHA=$(printf %s "$FREE_KEY" | sha256sum | cut -d' ' -f1)

start_sim() { # -> SIM_PORT, SIM_PID
  SIM_PORT=$(free_port 26000)
  java -Xmx512m -jar "$SIM_JAR" --port "$SIM_PORT" --seed 42 --max-batch "$MAX_BATCH" --max-queue 100000 \
    --tokens-per-second "$TOKENS_PER_SECOND" --batch-slowdown 1 >"$WORK/sim-$1.log" 2>&1 &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_for "http://127.0.0.1:$SIM_PORT/health"
}

start_gateway() { # NAME -> GATEWAY_PORT, ADMIN_PORT, GATEWAY_PID
  GATEWAY_PORT=$(free_port $((SIM_PORT + 1)))
  ADMIN_PORT=$(free_port $((GATEWAY_PORT + 1)))
  cat >"$WORK/gateway-$1.yaml" <<YAML
server: { port: "\${GATEWAY_PORT}", adminPort: "\${ADMIN_PORT}" }
auth: { required: true }
tenants:
  - { name: premium-client, keySha256: "$PREMIUM_SHA", tier: premium }
  - { name: free-client, keySha256: "$FREE_SHA", tier: free }
routes:
  - name: model
    match: { pathPrefix: / }
    admission: { maxInFlightPerEndpoint: $MAX_BATCH, queue: $QUEUE, maxQueueWait: $MAX_QUEUE_WAIT }
    upstreams: [ { name: sim, endpoints: [ "http://127.0.0.1:\${SIM_PORT}" ] } ]
YAML
  run_gateway "$1"
}

# Samples, once a second, the simulator's queue and batch and, through the gateway, its requests in
# flight to the endpoint as /admin/upstreams shows them (the last answer is kept for the report).
sample() { # NAME
  while true; do
    q=$(curl -fsS -m 1 "http://127.0.0.1:$SIM_PORT/metrics" 2>/dev/null \
      | awk '/^tgi_queue_size / {q = $2} /^tgi_batch_current_size / {b = $2} END {print q + 0, b + 0}') || q="- -"
    f="-"
    if [ -n "${ADMIN_PORT:-}" ] && curl -fsS -m 1 "http://127.0.0.1:$ADMIN_PORT/admin/upstreams" \
        >"$WORK/upstreams-$1.json.new" 2>/dev/null; then
      mv "$WORK/upstreams-$1.json.new" "$WORK/upstreams-$1.json"
      f=$(awk -F: '/"inFlight"/ {gsub(/[^0-9]/, "", $2); n += $2} END {print n + 0}' "$WORK/upstreams-$1.json")
    fi
    echo "$(date +%s) $q $f" >>"$WORK/samples-$1"
    sleep 1
  done
}
max_col() { awk -v c="$2" '$c != "-" && $c > m {m = $c} END {print m + 0}' "$1"; }

# The capacity: MAX_BATCH clients back to back against a fresh simulator; MAX_BATCH / mean time.
start_sim calibrate
calibration=$(java "$BENCH/Overload.java" calibrate "http://127.0.0.1:$SIM_PORT/generate" "$MAX_BATCH" \
  "tokens=$TOKENS" "deadline=$DEADLINE")
stop "$SIM_PID"
CAPACITY=$(field capacity_per_s "$calibration")
SERVICE_MS=$(field service_ms_p50 "$calibration")
echo "calibration: $calibration -> C = $CAPACITY requests/s" >&2

SUMMARY="$WORK/summary.md"
CLASSES="$WORK/classes.md"
GATEWAY="$WORK/gateway.md"
: >"$SUMMARY"
: >"$CLASSES"
: >"$GATEWAY"
for target in $TARGETS; do
  for level in $LEVELS; do
    name="$target-${level}x"
    rate=$(awk -v l="$level" -v c="$CAPACITY" 'BEGIN {printf "%.2f", l * c}')
    ADMIN_PORT=
    start_sim "$name"
    keys=()
    url="http://127.0.0.1:$SIM_PORT/generate"
    if [ "$target" = infergate ]; then
      start_gateway "$name"
      url="http://127.0.0.1:$GATEWAY_PORT/generate"
      keys=("premiumKey=$PREMIUM_KEY" "freeKey=$FREE_KEY")
      # One request off the measured run: the key works, and the gateway has seen one service time.
      curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "X-API-Key: $PREMIUM_KEY" \
        -d "{\"inputs\":\"warm-up\",\"parameters\":{\"max_new_tokens\":$TOKENS}}" "$url"
    fi
    echo "$name: $rate requests/s for $DURATION s against $url" >&2
    sample "$name" &
    SAMPLER=$!
    PIDS+=("$SAMPLER")
    java -Xmx512m "$BENCH/Overload.java" run "$url" "$rate" "$DURATION" "$CAPACITY" "tokens=$TOKENS" \
      "deadline=$DEADLINE" "arrivals=$ARRIVALS" "seed=$SEED" "premiumShare=$PREMIUM_SHARE" "${keys[@]}" >"$WORK/result-$name" 2>"$WORK/client-$name.log" \
      || { cat "$WORK/client-$name.log" >&2; exit 1; }
    stop "$SAMPLER"
    sed 's/^/  /' "$WORK/result-$name" "$WORK/client-$name.log" >&2
    curl -fsS "http://127.0.0.1:$SIM_PORT/metrics" >"$WORK/sim-metrics-$name"
    sim_429=$(metric "$WORK/sim-metrics-$name" 'tgi_request_failure{err="overloaded"}')
    sim_queue_max=$(max_col "$WORK/samples-$name" 2)
    sim_batch_max=$(max_col "$WORK/samples-$name" 3)
    sim_queue_ms=$(awk '/^tgi_request_queue_duration_sum / {s = $2} /^tgi_request_queue_duration_count / {n = $2}
      END {printf "%.0f", (n > 0 ? s * 1000 / n : 0)}' "$WORK/sim-metrics-$name")
    echo "  simulator: queue max $sim_queue_max, batch max $sim_batch_max (1 s samples), mean queue time" \
      "$sim_queue_ms ms, own 429s $sim_429" >&2
    if [ "$target" = infergate ]; then
      curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/gateway-metrics-$name"
      # The gateway's own count of how its requests ended (the warm-up request included).
      outcomes=$(awk -F'[{}]' '/^gateway_request_duration_seconds_count\{/ {
          split($2, labels, ","); o = ""; st = ""
          for (i in labels) { split(labels[i], kv, "="); gsub(/"/, "", kv[2])
            if (kv[1] == "outcome") o = kv[2]; if (kv[1] == "status") st = kv[2] }
          n[o " " st] += $3 }
        END {for (k in n) printf "%s%s %d", (sep++ ? ", " : ""), k, n[k]}' "$WORK/gateway-metrics-$name")
      inflight_max=$(max_col "$WORK/samples-$name" 4)
      echo "  gateway: $outcomes; in flight to the endpoint max $inflight_max (1 s samples)" >&2
      echo "  /admin/upstreams (last sample): $(tr -d '\n ' <"$WORK/upstreams-$name.json" 2>/dev/null)" >&2
      printf '| %s× | %s | %s |\n' "$level" "$outcomes" "$inflight_max" >>"$GATEWAY"
      stop "$GATEWAY_PID"
    fi
    stop "$SIM_PID"

    all=$(grep '^class=all ' "$WORK/result-$name")
    f() { field "$1" "$all"; }
    printf '| %s× | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$level" "$target" "$rate" \
      "$(f sent)" "$(f served)" "$(f goodput_per_s)" "$(f goodput_of_c)" "$(f shed)" "$(f gateway_504)" \
      "$(f timeouts)" "$(( $(f other_429) + $(f errors) ))" "$sim_queue_max" "$sim_queue_ms" >>"$SUMMARY"
    for class in premium free; do
      line=$(grep "^class=$class " "$WORK/result-$name")
      g() { field "$1" "$line"; }
      printf '| %s× | %s | %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |\n' "$level" "$target" "$class" \
        "$(g sent)" "$(g served)" "$(g latency_ms_p50)" "$(g latency_ms_p99)" "$(g shed)" "$(g shed_ms_p50)" \
        "$(g shed_ms_p99)" "$(g retry_after_s_p50)" "$(g gateway_504)" "$(g timeouts)" >>"$CLASSES"
    done
  done
done

printf '\nC = %s requests/s (%s slots full, %s ms a request at p50); %s s per run, %s arrivals, deadline %s s\n' \
  "$CAPACITY" "$MAX_BATCH" "$SERVICE_MS" "$DURATION" "$ARRIVALS" "$DEADLINE"
printf '\n| load | path | offered/s | sent | served | goodput/s | goodput / C | shed (429) | 504 | client timeouts | other | simulator queue max | simulator mean queue time (ms) |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
cat "$SUMMARY"
printf '\n| load | path | class | sent | served | latency p50 / p99 (ms) | shed (429) | time-to-shed p50 / p99 (ms) | Retry-After p50 (s) | 504 | client timeouts |\n'
printf '|---:|---|---|---:|---:|---|---:|---|---:|---:|---:|\n'
cat "$CLASSES"
if [ -s "$GATEWAY" ]; then
  printf '\n| load | the gateway'"'"'s requests by outcome and status (/metrics) | in flight to the endpoint, max (/admin/upstreams) |\n'
  printf '|---:|---|---:|\n'
  cat "$GATEWAY"
fi
