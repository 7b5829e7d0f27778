#!/usr/bin/env bash
# Learned concurrency limits: the gateway in front of the simulator with the route's admission left at
# its defaults (no maxInFlightPerEndpoint: each endpoint's limit is learned), offered open-loop load by
# Overload.java with a client deadline. Four scenarios, each run on a fresh simulator and gateway:
#
#   batch     a batch-limited endpoint (batch BATCH, a deep queue of its own) at LEVELS x its capacity
#   wide      a wide endpoint (batch WIDE_BATCH) at WIDE_LEVEL x its capacity, learned and with the
#             old fixed default (maxInFlightPerEndpoint: 8) side by side
#   fixed     the batch-limited endpoint at FIXED_LEVELS with the route's limit fixed at its batch
#             (maxInFlightPerEndpoint: BATCH) and the rest of admission at its defaults: the control
#   halving   an endpoint whose batch halves (HALVING_BATCH -> HALVING_BATCH / 2, through the
#             simulator's /_sim/batch) HALVE_AT seconds into a run at HALVING_LEVEL x its first capacity
#
# Before each run, WARM_UP rounds of 8 concurrent requests warm the JVMs and the gateway's estimate of
# the service time (a single cold request can take 3 times the steady one, and the first observation
# sets the estimate). The capacity C of each batch size is measured first, as bench/overload.sh does: BATCH clients back to
# back for 15 s; C = BATCH / the mean time of a request. Once a second the script samples the learned
# limit (/admin/upstreams) and the simulator's queue (/metrics); it reports the client's results, the
# simulator's mean queue time after the first SETTLE seconds, and the limit over time.
#
# Usage: bench/capacity.sh
# Environment:
#   DURATION=60            seconds of load per run
#   SCENARIOS="batch wide halving fixed"
#   FIXED_LEVELS="2 4"     the control's loads
#   BATCH=8 LEVELS="1 2 4" the batch-limited scenario
#   WIDE_BATCH=64 WIDE_LEVEL=0.75
#   HALVING_BATCH=16 HALVING_LEVEL=0.9 HALVE_AT=30
#   TOKENS_PER_SECOND=20 TOKENS=10   per sequence; about half a second a request
#   DEADLINE=5             the client's deadline in seconds, from each request's scheduled start (what is
#                          left of it when sent is its timeout and its X-Request-Timeout)
#   SETTLE=10              seconds after which the simulator's own queue time is judged
#   WARM_UP=3              rounds of 8 requests at once through the gateway before each run
#   ARRIVALS=poisson SEED=1
#   JAVA_OPTS="-Xmx512m"   the gateway's JVM flags
#   KEEP=0                 1 keeps the work directory (configs, logs, samples, raw client output)
set -euo pipefail

DURATION=${DURATION:-60}
SCENARIOS=${SCENARIOS:-"batch wide halving fixed"}
FIXED_LEVELS=${FIXED_LEVELS:-"2 4"}
BATCH=${BATCH:-8}
LEVELS=${LEVELS:-"1 2 4"}
WIDE_BATCH=${WIDE_BATCH:-64}
WIDE_LEVEL=${WIDE_LEVEL:-0.75}
HALVING_BATCH=${HALVING_BATCH:-16}
HALVING_LEVEL=${HALVING_LEVEL:-0.9}
HALVE_AT=${HALVE_AT:-30}
TOKENS_PER_SECOND=${TOKENS_PER_SECOND:-20}
TOKENS=${TOKENS:-10}
DEADLINE=${DEADLINE:-5}
SETTLE=${SETTLE:-10}
ARRIVALS=${ARRIVALS:-poisson}
SEED=${SEED:-1}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
KEEP=${KEEP:-0}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH/common.sh"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d)
trap cleanup EXIT


start_sim() { # NAME BATCH -> SIM_PORT, SIM_PID
  SIM_PORT=$(free_port 26500)
  java -Xmx512m -jar "$SIM_JAR" --port "$SIM_PORT" --seed 42 --max-batch "$2" --max-queue 100000 \
    --tokens-per-second "$TOKENS_PER_SECOND" --batch-slowdown 1 >"$WORK/sim-$1.log" 2>&1 &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_for "http://127.0.0.1:$SIM_PORT/health"
}

start_gateway() { # NAME ADMISSION -> GATEWAY_PORT, ADMIN_PORT, GATEWAY_PID; ADMISSION empty: the defaults
  GATEWAY_PORT=$(free_port $((SIM_PORT + 1)))
  ADMIN_PORT=$(free_port $((GATEWAY_PORT + 1)))
  local admission=""
  [ -n "$2" ] && admission="    admission: $2"
  cat >"$WORK/gateway-$1.yaml" <<YAML
server: { port: "\${GATEWAY_PORT}", adminPort: "\${ADMIN_PORT}" }
routes:
  - name: model
    match: { pathPrefix: / }
$admission
    upstreams: [ { name: sim, endpoints: [ "http://127.0.0.1:\${SIM_PORT}" ] } ]
YAML
  run_gateway "$1"
}

# Once a second: seconds since START, the simulator's queue, batch, cumulative queue time (s) and
# requests, and the route's learned limit with what set it and its proven part.
sample() { # NAME START
  while true; do
    s=$(curl -fsS -m 1 "http://127.0.0.1:$SIM_PORT/metrics" 2>/dev/null | awk '
      /^tgi_queue_size / {q = $2} /^tgi_batch_current_size / {b = $2}
      /^tgi_request_queue_duration_sum / {qs = $2} /^tgi_request_queue_duration_count / {qn = $2}
      END {print q + 0, b + 0, qs + 0, qn + 0}') || s="- - - -"
    l=$(curl -fsS -m 1 "http://127.0.0.1:$ADMIN_PORT/admin/upstreams" 2>/dev/null | tr -d ' \n' \
      | sed -n 's/.*"limit":\([0-9]*\),"proven":\([0-9]*\),"learned":[a-z]*,"setBy":"\([a-z]*\)".*/\1 \3 \2/p') || true
    echo "$(($(date +%s) - $2)) $s ${l:-- - -}" >>"$WORK/samples-$1"
    sleep 1
  done
}

# Requests the simulator has taken into its batch so far.
sim_requests() {
  curl -fsS -m 1 "http://127.0.0.1:$SIM_PORT/metrics" 2>/dev/null \
    | awk '/^tgi_request_queue_duration_count / {n = $2} END {print n + 0}'
}
# Whether the measured load has reached the simulator: more requests than the warm-up's (WARMED).
load_started() {
  [ "$(sim_requests)" -gt "$WARMED" ]
}

# Off the measured run: WARM_UP rounds of 8 requests at once, so the JVMs have compiled the request
# path and the gateway's service-time estimate is not the first, cold request's.
warm_up() { # URL
  local round i pids
  for round in $(seq 1 "${WARM_UP:-3}"); do
    pids=()
    for i in 1 2 3 4 5 6 7 8; do
      curl -fsS -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"inputs\":\"warm-up $i\",\"parameters\":{\"max_new_tokens\":$TOKENS}}" "$1" &
      pids+=("$!")
    done
    wait "${pids[@]}"
  done
}

calibrate() { # BATCH -> CAPACITY, SERVICE_MS
  start_sim "calibrate-$1" "$1"
  local line
  line=$(java "$BENCH/Overload.java" calibrate "http://127.0.0.1:$SIM_PORT/generate" "$1" "tokens=$TOKENS" "deadline=$DEADLINE")
  stop "$SIM_PID"
  CAPACITY=$(field capacity_per_s "$line")
  SERVICE_MS=$(field service_ms_p50 "$line")
  echo "calibration, batch $1: $line" >&2
}

# The limit over time, one "second:limit/proven" a LIMIT_EVERY seconds.
timeline() { # SAMPLES
  awk -v every="${LIMIT_EVERY:-5}" '$6 != "-" && $1 % every == 0 {printf "%s%s:%s/%s", (n++ ? " " : ""), $1, $6, $8}' "$1"
}
settled_queue_ms() { # SAMPLES FROM: the simulator's mean queue time (ms) of the requests queued after FROM s
  awk -v from="$2" '$4 != "-" {if ($1 <= from) {s0 = $4; n0 = $5} s1 = $4; n1 = $5}
    END {printf "%.0f", (n1 > n0 ? (s1 - s0) * 1000 / (n1 - n0) : 0)}' "$1"
}

RESULTS="$WORK/results.md"
TIMELINES="$WORK/timelines.md"
: >"$RESULTS"
: >"$TIMELINES"

run() { # SCENARIO BATCH LEVEL ADMISSION LABEL [HALVE_AT]
  local name="$1-$5-${3}x" rate
  rate=$(awk -v l="$3" -v c="$CAPACITY" 'BEGIN {printf "%.2f", l * c}')
  start_sim "$name" "$2"
  start_gateway "$name" "$4"
  local url="http://127.0.0.1:$GATEWAY_PORT/generate"
  warm_up "$url"
  WARMED=$(sim_requests)
  echo "$name: $rate requests/s for $DURATION s (batch $2, C $CAPACITY/s, admission: ${4:-defaults}); $(uptime | sed 's/.*load/load/')" >&2
  local start halver=""
  start=$(date +%s)
  sample "$name" "$start" &
  local sampler=$!
  PIDS+=("$sampler")
  if [ -n "${6:-}" ]; then
    (until load_started; do sleep 0.1; done; sleep "$6" && curl -fsS -o /dev/null -X POST -d "{\"maxBatch\": $(($2 / 2))}" \
      "http://127.0.0.1:$SIM_PORT/_sim/batch" && echo "  batch $2 -> $(($2 / 2)) at $6 s" >&2) &
    halver=$!
    PIDS+=("$halver")
  fi
  (until load_started; do sleep 0.1; done; echo "$(date +%s)" >"$WORK/load-start-$name") &
  local starter=$!
  PIDS+=("$starter")
  java -Xmx512m "$BENCH/Overload.java" run "$url" "$rate" "$DURATION" "$CAPACITY" "tokens=$TOKENS" \
    "deadline=$DEADLINE" "arrivals=$ARRIVALS" "seed=$SEED" >"$WORK/result-$name" 2>"$WORK/client-$name.log" \
    || { cat "$WORK/client-$name.log" >&2; exit 1; }
  [ -n "$halver" ] && stop "$halver"
  stop "$starter"
  stop "$sampler"
  # How the gateway's requests ended (the warm-up included), and why it shed.
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/gateway-metrics-$name"
  awk -F'[{}]' '/^gateway_shed_total\{/ && $3 + 0 > 0 {print "  shed: " $2 " " $3 + 0}' "$WORK/gateway-metrics-$name" >&2
  # Seconds from the start of the load, not of the sampling (the client takes a while to start).
  local offset=$(( $(cat "$WORK/load-start-$name") - start ))
  awk -v o="$offset" '{$1 = $1 - o; print}' "$WORK/samples-$name" >"$WORK/samples-$name.tmp"
  mv "$WORK/samples-$name.tmp" "$WORK/samples-$name"
  stop "$GATEWAY_PID"
  stop "$SIM_PID"
  local all queue_ms limits proven
  all=$(grep '^class=all ' "$WORK/result-$name")
  queue_ms=$(settled_queue_ms "$WORK/samples-$name" "$SETTLE")
  limits=$(awk '$6 != "-" && $1 > 10 {print $6}' "$WORK/samples-$name" | sort -n | sed -n '1p;$p' | paste -sd- -)
  proven=$(awk '$8 != "-" && $1 > 10 {print $8}' "$WORK/samples-$name" | sort -n | sed -n '1p;$p' | paste -sd- -)
  [ -n "$limits" ] && limits="$limits (proven $proven)"
  echo "  $all; simulator mean queue time after ${SETTLE} s: $queue_ms ms; limit after 10 s: $limits" >&2
  f() { field "$1" "$all"; }
  printf '| %s | %s | %s× | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s |\n' "$1" "$5" "$3" "$2" \
    "$rate" "$(f sent)" "$(f served)" "$(f goodput_of_c)" "$(f shed)" "$(f gateway_504)" "$(f timeouts)" \
    "$(f timeouts_answered_by_gateway_in_time)" "$(f send_lag_ms_max)" "$(f outside_gateway_ms_p99)" \
    "$(f outside_gateway_ms_max)" "$queue_ms" "${limits:--}" >>"$RESULTS"
  printf '| %s | %s | %s× | %s |\n' "$1" "$5" "$3" "$(timeline "$WORK/samples-$name")" >>"$TIMELINES"
  if [ -n "${6:-}" ]; then
    # The first sample after the halving where the limit is within a quarter of the new batch, and the
    # simulator's mean queue time over the 10 s after the halving.
    local followed
    followed=$(awk -v at="$6" -v top="$(( ($2 / 2) * 5 / 4 ))" '$1 > at && $6 != "-" && $6 <= top {print $1 - at; exit}' \
      "$WORK/samples-$name")
    echo "  limit within 1.25x of the new batch ${followed:-never} s after the halving" >&2
    HALVING_NOTE="the limit reached <= $(( ($2 / 2) * 5 / 4 )) (1.25 x the new batch of $(($2 / 2))) ${followed:-never} s after the halving"
  fi
}

HALVING_NOTE=""
for scenario in $SCENARIOS; do
  case "$scenario" in
    batch)
      calibrate "$BATCH"
      for level in $LEVELS; do run batch "$BATCH" "$level" "" learned; done ;;
    wide)
      calibrate "$WIDE_BATCH"
      run wide "$WIDE_BATCH" "$WIDE_LEVEL" "" learned
      run wide "$WIDE_BATCH" "$WIDE_LEVEL" "{ maxInFlightPerEndpoint: 8 }" fixed-8 ;;
    halving)
      calibrate "$HALVING_BATCH"
      run halving "$HALVING_BATCH" "$HALVING_LEVEL" "" learned "$HALVE_AT" ;;
    fixed)
      calibrate "$BATCH"
      for level in $FIXED_LEVELS; do run batch "$BATCH" "$level" "{ maxInFlightPerEndpoint: $BATCH }" "fixed-$BATCH"; done ;;
    *) echo "capacity.sh: unknown scenario $scenario (expected: batch, wide, halving, fixed)" >&2; exit 2 ;;
  esac
done

printf '\n%s s per run, %s arrivals, deadline %s s, %s tokens at %s tokens/s a sequence\n' \
  "$DURATION" "$ARRIVALS" "$DEADLINE" "$TOKENS" "$TOKENS_PER_SECOND"
printf '\n| scenario | limit | load | batch | offered/s | sent | served | goodput / C | shed (429) | 504 | client timeouts | of them answered by the gateway within the deadline | client send lag max (ms) | time outside the gateway p99 / max (ms) | simulator mean queue time after %s s (ms) | limit after 10 s, min-max |\n' "$SETTLE"
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n'
cat "$RESULTS"
printf '\nThe limit over time (second:limit/proven, every %s s):\n\n| scenario | limit | load | limit / proven |\n|---|---|---:|---|\n' "${LIMIT_EVERY:-5}"
cat "$TIMELINES"
[ -n "$HALVING_NOTE" ] && printf '\nHalving: %s.\n' "$HALVING_NOTE"
exit 0
