#!/usr/bin/env bash
# Two builds of Infergate side by side, loaded at the same time, to judge a change to the request path
# by its CPU per request against the build before it.
#
# Measured one after the other, the same build's CPU per request moves by a third on this kind of
# machine within twenty minutes (30-48 us at -c64), far more than the few per cent a change is worth.
# Loaded at the same time, both builds meet the same moments of the machine, and the ratio of their
# CPU per request holds still: each round reads each JVM's utime+stime around one run of wrk per
# build (started together; which one starts first alternates) and prints the ratio after/before.
# Run it with the same jar twice first to see how far apart two equal builds come out (the noise).
#
#   bench/ab.sh BEFORE.jar AFTER.jar
#   ROUNDS=8 DURATION=8 LOGS=off bench/ab.sh before.jar after.jar
#
# ROUNDS (8) rounds of DURATION (8) s; WARMUP (3) unmeasured rounds first, each followed by an admin
# request (see proxy.sh on why); CONNECTIONS (32) per build; LOGS on (each build writes its access log
# to a file, emptied after every round) or off; JAVA_OPTS (-Xms256m -Xmx512m); PORT_BASE (28100).
# Needs nginx (the upstream, `return 200`) and wrk; bench/proxy.sh installs both.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 2 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BEFORE=$(realpath "$1"); AFTER=$(realpath "$2")
ROUNDS=${ROUNDS:-8} DURATION=${DURATION:-8} WARMUP=${WARMUP:-3} CONNECTIONS=${CONNECTIONS:-32}
LOGS=${LOGS:-on} JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m} PORT_BASE=${PORT_BASE:-28100}
for tool in nginx wrk java; do command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found" >&2; exit 2; }; done
# shellcheck source=bench/jit.sh
source "$SCRIPT_DIR/jit.sh"
# shellcheck source=bench/nginx.sh
source "$SCRIPT_DIR/nginx.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/infergate-ab.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

UP_PORT=$PORT_BASE
upstream_nginx_conf "$WORK" "$UP_PORT" >"$WORK/upstream.conf"
nginx -p "$WORK" -e "$WORK/error.log" -c "$WORK/upstream.conf" >/dev/null 2>&1 &
PIDS+=($!)

wait_ready() { # url
    for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
    echo "timed out waiting for $1" >&2; exit 1
}
wait_ready "http://127.0.0.1:$UP_PORT/"

NAMES=(before after) JARS=("$BEFORE" "$AFTER") PORT=() JVM=()
for i in 0 1; do
    PORT[i]=$((PORT_BASE + 1 + 2 * i))
    access=false
    [ "$LOGS" = on ] && access="{ file: \"$WORK/${NAMES[i]}.access\" }"
    cat >"$WORK/${NAMES[i]}.yaml" <<EOF
server: { port: ${PORT[i]}, adminPort: $((PORT[i] + 1)), drainTimeout: 1s, accessLog: $access }
routes:
  - name: bench
    match: { pathPrefix: / }
    admission: { maxInFlightPerEndpoint: 10000 }
    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:$UP_PORT" ] } ]
EOF
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    java $JAVA_OPTS -jar "${JARS[i]}" run --config "$WORK/${NAMES[i]}.yaml" >"$WORK/${NAMES[i]}.log" 2>&1 &
    JVM[i]=$!
    PIDS+=("${JVM[i]}")
done
for i in 0 1; do wait_ready "http://127.0.0.1:$((PORT[i] + 1))/readyz"; done

BODY='{"inputs":"hi","parameters":{"max_new_tokens":8}}'
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$BODY'" >"$WORK/post.lua"

# One round: both builds under load at once. Prints "requests-before requests-after ticks-before ticks-after".
round() { # first (0 or 1): which build's wrk starts first
    local first=$1 t0 t1 w=() i
    t0=("$(stat_ticks "/proc/${JVM[0]}/stat")" "$(stat_ticks "/proc/${JVM[1]}/stat")")
    for i in "$first" $((1 - first)); do
        wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/post.lua" "http://127.0.0.1:${PORT[i]}/generate" \
            >"$WORK/wrk-$i.out" &
        w+=($!)
    done
    wait "${w[@]}"
    t1=("$(stat_ticks "/proc/${JVM[0]}/stat")" "$(stat_ticks "/proc/${JVM[1]}/stat")")
    for i in 0 1; do
        [ "$LOGS" = on ] && : >"$WORK/${NAMES[i]}.access"
        grep -q "Non-2xx\|Socket errors" "$WORK/wrk-$i.out" && { echo "${NAMES[i]}: errors" >&2; cat "$WORK/wrk-$i.out" >&2; exit 1; }
    done
    echo "$(awk '/requests in/ {print $1}' "$WORK/wrk-0.out") $(awk '/requests in/ {print $1}' "$WORK/wrk-1.out")" \
        "$((t1[0] - t0[0])) $((t1[1] - t0[1]))"
}

echo "before: $BEFORE" >&2
echo "after:  $AFTER" >&2
for w in $(seq 1 "$WARMUP"); do
    round $((w % 2)) >/dev/null
    for i in 0 1; do curl -fsS -o /dev/null "http://127.0.0.1:$((PORT[i] + 1))/metrics"; done
done
echo "| round | before req/s | before CPU µs/req | after req/s | after CPU µs/req | CPU after/before |"
echo "|---:|---:|---:|---:|---:|---:|"
ratios=()
for r in $(seq 1 "$ROUNDS"); do
    read -r n0 n1 c0 c1 <<<"$(round $((r % 2)))"
    line=$(awk -v n0="$n0" -v n1="$n1" -v c0="$c0" -v c1="$c1" -v s="$DURATION" -v hz="$CLK_TCK" -v r="$r" 'BEGIN {
        u0 = c0 * 1e6 / hz / n0; u1 = c1 * 1e6 / hz / n1
        printf "| %d | %d | %.2f | %d | %.2f | %.3f |", r, n0 / s, u0, n1 / s, u1, u1 / u0 }')
    echo "$line"
    ratios+=("$(awk -F'|' '{gsub(/ /, "", $7); print $7}' <<<"$line")")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "\nCPU per request, after/before: median %.3f (rounds %.3f to %.3f)\n", m, v[1], v[NR] }'
