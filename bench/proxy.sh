#!/usr/bin/env bash
# Proxy overhead benchmark: Infergate against nginx as a reverse proxy, both in front of the same
# fixed-response upstream (nginx returning a small JSON body), all on loopback.
#
# Targets, measured interleaved round by round:
#   direct     wrk -> upstream nginx                        (the baseline)
#   infergate  wrk -> Infergate       -> upstream nginx
#   nginx      wrk -> nginx (proxy)   -> upstream nginx
# each proxy in two logging modes, both running side by side:
#   logs on    both write an access log line per request to a file: nginx's combined format with
#              buffer=64k, Infergate's default JSON line (server.accessLog.file)
#   logs off   neither does (nginx access_log off, Infergate accessLog: false)
# Load shapes: throughput (wrk -t2 -c64) and added latency (wrk -t1 -c1), small JSON POSTs; and the
# added latency again from a client without an event loop (bench/FixedRate.java closed: one connection,
# blocking writes and reads), whose own wake-ups add nothing to the tail it reports.
# CPU per request is read from /proc/PID/stat (utime+stime) around every run, and its part in the
# kernel (stime) beside it.
#
# Usage: bench/proxy.sh            (from anywhere; needs root only to install nginx/wrk if missing)
# Environment:
#   ROUNDS=3          rounds; each round runs every load shape against every target
#   DURATION=10       seconds per wrk run
#   WARMUP=10         seconds per warm-up step through Infergate: a step is WARMUP s at -t2 -c64, then
#                     WARMUP s at -t1 -c1, then WARMUP s from the blocking client (each shape makes its
#                     own code hot, and a change of shape deoptimizes some of the others'); steps repeat
#                     until the JVM's JIT compilers are quiet, so the runs measure compiled code, not
#                     the compiler
#   WARMUP_MAX=120    seconds of warm-up at most per Infergate; past it, measured anyway (and said so)
#   JIT_QUIET=3       milliseconds of JIT compiler CPU per second of a warm-up step at most, for quiet
#   PAUSE=1           seconds of rest between runs
#   LOGS=both         on, off or both: which logging modes of the proxies to measure
#   PORT_BASE=28000   first port tried; up to seven free ports at or above it are used
#   JAVA_OPTS="-Xms256m -Xmx512m"   JVM flags for Infergate
#   INFERGATE_JAR=gateway-server/target/infergate.jar   (relative to the repo root)
#   ADMISSION=fixed   Infergate's admission: fixed (maxInFlightPerEndpoint: 10000, every request let
#                     through at once) or learned (the route's admission left at its defaults, each
#                     endpoint's concurrency limit learned)
#   UPSTREAM=nginx    the fixed upstream: nginx (default), or sim for upstream-sim in its fast mode
#                     (no token delay), answering TGI's /generate with real JSON and headers
#   KEEP=1            keep the work directory (configs, logs, raw wrk output) and print where
#   STATUS_PAGES=0    status pages kept open on each Infergate's admin port while it is measured
#                     (each a live /status/events feed), to show what the page costs the request path
#   TRANSPORT=auto    Infergate's server.transport (auto: io_uring where the kernel allows it, else epoll)
#   TRACING=          unset or empty: Infergate without a tracing section (no span, no header read).
#                     A ratio (TRACING=0.01): Infergate traces, sampling that share of the requests,
#                     and exports over OTLP/HTTP to the sink TRACING_SINK says
#   TRACING_SINK=nginx  nginx: a local nginx of its own answers every export 200 and discards it
#                     (the spans are built, batched, encoded and sent; the sink's CPU is no target's);
#                     down: a closed port, so every export fails at connect and its spans are counted
#                     as dropped (gateway_trace_spans_dropped_total)
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
WARMUP_MAX=${WARMUP_MAX:-120}
JIT_QUIET=${JIT_QUIET:-3}
PAUSE=${PAUSE:-1}
TRANSPORT=${TRANSPORT:-auto}
PORT_BASE=${PORT_BASE:-28000}
LOGS=${LOGS:-both}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m}
KEEP=${KEEP:-0}
STATUS_PAGES=${STATUS_PAGES:-0}
PAGE_PIDS=()
ADMISSION=${ADMISSION:-fixed}
TRACING=${TRACING:-}
TRACING_SINK=${TRACING_SINK:-nginx}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
JAR=${INFERGATE_JAR:-gateway-server/target/infergate.jar}
case "$JAR" in /*) ;; *) JAR="$ROOT/$JAR" ;; esac

case "$ADMISSION" in
    fixed) ADMISSION_YAML=$'# The proxy path is measured, not admission: every request is let through at once, like nginx\'s.\ndefaults:\n  admission: { maxInFlightPerEndpoint: 10000 }' ;;
    learned) ADMISSION_YAML='# Admission at its defaults: the endpoint'"'"'s concurrency limit is learned.' ;;
    *) printf 'proxy.sh: ADMISSION=%s (expected: fixed or learned)\n' "$ADMISSION" >&2; exit 2 ;;
esac
if [ -n "$TRACING" ]; then
    awk -v r="$TRACING" 'BEGIN { exit !(r ~ /^(0|1|0?\.[0-9]+|1\.0*)$/ && r >= 0 && r <= 1) }' ||
        { printf 'proxy.sh: TRACING=%s (expected: a ratio from 0 to 1, such as 0.01)\n' "$TRACING" >&2; exit 2; }
    case "$TRACING_SINK" in
        nginx | down) ;;
        *) printf 'proxy.sh: TRACING_SINK=%s (expected: nginx or down)\n' "$TRACING_SINK" >&2; exit 2 ;;
    esac
fi
case "$LOGS" in
    both) MODES=(on off) ;;
    on | off) MODES=("$LOGS") ;;
    *) printf 'proxy.sh: LOGS=%s (expected: on, off or both)\n' "$LOGS" >&2; exit 2 ;;
esac
TARGETS=(direct)
for mode in "${MODES[@]}"; do TARGETS+=("infergate-$mode" "nginx-$mode"); done
SHAPES=(c64 c1 b1)
declare -A SHAPE_ARGS=([c64]="-t2 -c64" [c1]="-t1 -c1")

log() { printf '%s\n' "$*" >&2; }
die() { log "proxy.sh: $*"; exit 1; }

# ---- prerequisites ---------------------------------------------------------------------------

install_missing() {
    local pkgs=()
    command -v nginx >/dev/null 2>&1 || pkgs+=(nginx-light)
    command -v wrk >/dev/null 2>&1 || pkgs+=(wrk)
    [ ${#pkgs[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing ${pkgs[*]}; run as root or install them first"
    log "installing ${pkgs[*]}"
    # Keep the package's post-install from starting the system-wide nginx service.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
    fi
    local rc=0
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}"; } >&2 || rc=$?
    [ "$added_policy" -eq 1 ] && rm -f "$policy"
    [ "$rc" -eq 0 ] || die "apt-get install ${pkgs[*]} failed"
}

install_missing
command -v java >/dev/null 2>&1 || die "java (17+) is not on PATH"
if [ ! -f "$JAR" ]; then
    log "building $(basename "$JAR")"
    (cd "$ROOT" && ./mvnw -q -B package -DskipTests) >&2 || die "build failed"
    [ -f "$JAR" ] || die "build did not produce $JAR"
fi
# shellcheck source=bench/jit.sh
source "$SCRIPT_DIR/jit.sh"
# shellcheck source=bench/nginx.sh
source "$SCRIPT_DIR/nginx.sh"

# ---- process bookkeeping and cleanup ------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/infergate-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers drop privileges and must reach their temp dirs
UP_PID="" WRK_PID="" SINK_PID=""
declare -A NGX_PID=() JAVA_PID=()

stop_pid() { # pid: TERM, then KILL after a grace period
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    stop_pid "$WRK_PID"
    for pid in "${PAGE_PIDS[@]}" "${JAVA_PID[@]}" "${NGX_PID[@]}"; do stop_pid "$pid"; done
    stop_pid "$UP_PID"
    stop_pid "$SINK_PID"
    if [ "$KEEP" = 1 ]; then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports -----------------------------------------------------------------------------------------

port_listening() { # port: is anything listening on it (any address, v4 or v6)?
    local hex
    hex=$(printf ':%04X' "$1")
    awk -v h="$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# The upstream's, then per logging mode nginx's, Infergate's and Infergate's admin port, then the
# trace sink's (used with TRACING only; with TRACING_SINK=down it stays closed).
NEEDED=$((2 + 3 * ${#MODES[@]}))
PORTS=()
p=$PORT_BASE
while [ ${#PORTS[@]} -lt "$NEEDED" ]; do
    [ "$p" -lt 32768 ] || die "no $NEEDED free ports between $PORT_BASE and 32767"
    port_listening "$p" || PORTS+=("$p")
    p=$((p + 1))
done
UP_PORT=${PORTS[0]}
declare -A TARGET_PORT=([direct]=$UP_PORT) IG_ADMIN_PORT=()
i=1
for mode in "${MODES[@]}"; do
    TARGET_PORT[nginx-$mode]=${PORTS[$i]}
    TARGET_PORT[infergate-$mode]=${PORTS[$((i + 1))]}
    IG_ADMIN_PORT[$mode]=${PORTS[$((i + 2))]}
    i=$((i + 3))
done
SINK_PORT=${PORTS[$i]}

# ---- small helpers ---------------------------------------------------------------------------------

# One HTTP/1.1 request over bash's /dev/tcp; prints the whole response.
http_request() { # method port path [body]
    local method=$1 port=$2 path=$3 body=${4:-}
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "$method" "$path" "$port" "${#body}" "$body" >&3
    timeout 5 cat <&3
    exec 3<&- 3>&-
}

concurrency_limit() { # mode -> Infergate's limit for the upstream and what set it, from /admin/upstreams
    http_request GET "${IG_ADMIN_PORT[$1]}" /admin/upstreams | tr -d ' \r\n' \
        | sed -n 's/.*"limit":\([0-9]*\),"proven":[0-9]*,"learned":[a-z]*,"setBy":"\([a-z]*\)".*/\1 (\2)/p'
}

wait_ready() { # name port path pid
    local name=$1 port=$2 path=$3 pid=$4 i
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see its log in KEEP=1 mode)"
        if http_request GET "$port" "$path" 2>/dev/null | head -n1 | grep -q ' 200'; then
            return 0
        fi
        sleep 0.1
    done
    die "$name did not become ready on port $port"
}

children() { # pid: its child pids
    local parent=$1 f s pid
    if [ -r "/proc/$parent/task/$parent/children" ]; then
        cat "/proc/$parent/task/$parent/children"
        return
    fi
    for f in /proc/[0-9]*/stat; do
        s=$(cat "$f" 2>/dev/null) || continue
        pid=${s%% *}
        s=${s##*) }
        set -- $s
        [ "$2" = "$parent" ] && printf '%s ' "$pid"
    done
}

cpu_ticks() { # [sys] pid...: summed utime+stime (or stime: the kernel's part) in clock ticks
    local total=0 pid ticks what=all
    [ "$1" = sys ] && { what=sys; shift; }
    for pid in "$@"; do
        ticks=$(stat_ticks "/proc/$pid/stat" "$what") || die "process $pid is gone"
        total=$((total + ticks))
    done
    echo "$total"
}

# ---- the servers -----------------------------------------------------------------------------------

start_upstream() {
    if [ "${UPSTREAM:-nginx}" = sim ]; then
        start_sim_upstream
        return
    fi
    local dir=$WORK/upstream
    mkdir -p "$dir"
    upstream_nginx_conf "$dir" "$UP_PORT" >"$dir/nginx.conf"
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    UP_PID=$!
    wait_ready "upstream nginx" "$UP_PORT" / "$UP_PID"
}

# With TRACING and TRACING_SINK=nginx: an OTLP/HTTP endpoint that takes every export and discards it.
start_trace_sink() {
    [ -n "$TRACING" ] && [ "$TRACING_SINK" = nginx ] || return 0
    local dir=$WORK/trace-sink
    mkdir -p "$dir"
    {
        echo "worker_processes 1;"
        nginx_common "$dir"
        echo "http {"
        nginx_http_common "$dir"
        cat <<EOF
    server {
        listen 127.0.0.1:$SINK_PORT;
        client_max_body_size 64m;
        location / {
            return 200;
        }
    }
}
EOF
    } >"$dir/nginx.conf"
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    SINK_PID=$!
    wait_ready "trace sink nginx" "$SINK_PORT" / "$SINK_PID"
}

start_sim_upstream() {
    local dir=$WORK/upstream
    mkdir -p "$dir"
    local sim_jar="$ROOT/upstream-sim/target/upstream-sim.jar"
    [ -f "$sim_jar" ] || die "missing $sim_jar; build it first"
    java -Xmx512m -jar "$sim_jar" --port "$UP_PORT" --host 127.0.0.1 --tokens-per-second 0 \
        --max-batch 4096 --max-queue 4096 --io-threads 1 >"$dir/sim.log" 2>&1 &
    UP_PID=$!
    wait_ready "upstream-sim" "$UP_PORT" /health "$UP_PID"
}

# The processes whose CPU is the upstream's: nginx's worker, or the simulator's JVM.
upstream_pids() {
    if [ "${UPSTREAM:-nginx}" = sim ]; then echo "$UP_PID"; else children "$UP_PID"; fi
}

# The file a proxy writes its access log to with logs on; each run starts it empty.
access_log_file() { # target
    echo "$WORK/$1/access.log"
}

start_nginx_proxy() { # mode
    local mode=$1 dir=$WORK/nginx-$1 log_directive="access_log off;"
    mkdir -p "$dir"
    [ "$mode" = on ] && log_directive="access_log $(access_log_file "nginx-$mode") combined buffer=64k;"
    {
        echo "worker_processes auto;"
        nginx_common "$dir"
        echo "http {"
        nginx_http_common "$dir"
        cat <<EOF
    upstream bench_upstream {
        server 127.0.0.1:$UP_PORT;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:${TARGET_PORT[nginx-$mode]} backlog=1024;
        $log_directive
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
    } >"$dir/nginx.conf"
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    NGX_PID[$mode]=$!
    wait_ready "nginx proxy (logs $mode)" "${TARGET_PORT[nginx-$mode]}" / "${NGX_PID[$mode]}"
}

start_infergate() { # mode
    local mode=$1 dir=$WORK/infergate-$1 access_log=false
    mkdir -p "$dir"
    [ "$mode" = on ] && access_log="{ file: \"$(access_log_file "infergate-$mode")\" }"
    local tracing_yaml="# No tracing section: the gateway does not trace."
    [ -n "$TRACING" ] && tracing_yaml="tracing: { otlpEndpoint: \"http://127.0.0.1:$SINK_PORT\", sampleRatio: $TRACING }"
    cat >"$dir/gateway.yaml" <<EOF
server: { port: ${TARGET_PORT[infergate-$mode]}, adminPort: ${IG_ADMIN_PORT[$mode]}, drainTimeout: 1s, accessLog: $access_log, transport: $TRANSPORT }
$ADMISSION_YAML
$tracing_yaml
routes:
  - name: bench
    match: { pathPrefix: / }
    upstreams:
      - name: primary
        endpoints: [ "http://127.0.0.1:$UP_PORT" ]
EOF
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    java $JAVA_OPTS -jar "$JAR" run --config "$dir/gateway.yaml" >"$dir/infergate.log" 2>&1 &
    JAVA_PID[$mode]=$!
    wait_ready "Infergate (logs $mode)" "${IG_ADMIN_PORT[$mode]}" /readyz "${JAVA_PID[$mode]}"
    for _ in $(seq 1 "$STATUS_PAGES"); do
        curl -sN "http://127.0.0.1:${IG_ADMIN_PORT[$mode]}/status/events" >/dev/null 2>&1 &
        PAGE_PIDS+=($!)
    done
}

# Worker pids are looked up before every run, so a respawned worker would still be counted.
target_pids() { # target: pids whose CPU is the target's own
    case $1 in
        direct) upstream_pids ;;
        nginx-*) children "${NGX_PID[${1#nginx-}]}" ;;
        infergate-*) echo "${JAVA_PID[${1#infergate-}]}" ;;
    esac
}

# Empties a target's access log file before a run, so the files stay small; both proxies append
# (O_APPEND), so their next line lands at the start, as after logrotate's copytruncate.
empty_access_log() { # target
    case $1 in
        *-on) : >"$(access_log_file "$1")" ;;
    esac
}

# Lines Infergate's access log dropped so far (gateway_access_log_dropped_total), from its admin port.
infergate_dropped() { # mode
    http_request GET "${IG_ADMIN_PORT[$1]}" /metrics | tr -d '\r' |
        awk '$1 == "gateway_access_log_dropped_total" { printf "%d", $2; found = 1 } END { if (!found) print "?" }'
}

# Spans Infergate exported and dropped so far (gateway_trace_spans_*), from its admin port.
infergate_spans() { # mode
    http_request GET "${IG_ADMIN_PORT[$1]}" /metrics | tr -d '\r' | awk '
        $1 == "gateway_trace_spans_exported_total" { exported = $2 }
        $1 ~ /^gateway_trace_spans_dropped_total/ { dropped += $2 }
        END { printf "%d exported, %d dropped", exported, dropped }'
}

# ---- wrk ---------------------------------------------------------------------------------------------

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"inputs":"hi","parameters":{"max_new_tokens":8}}'
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
EOF

run_wrk() { # out-file seconds shape port
    local out=$1 secs=$2 shape=$3 port=$4
    # shellcheck disable=SC2086 # the shape is a list of wrk flags
    wrk ${SHAPE_ARGS[$shape]} -d"${secs}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port/generate" >"$out" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    [ "$rc" -eq 0 ] || { cat "$out" >&2; die "wrk failed (exit $rc)"; }
    grep -q '^BENCH ' "$out" || { cat "$out" >&2; die "wrk printed no summary"; }
}

# The b1 shape: one connection, one request after another, blocking reads and writes (no event loop
# in the client), 2 s of warm-up first. Its output becomes a BENCH line like wrk's; warmup= says how
# many requests the warm-up sent, so the run's CPU is divided by every request it served.
run_blocking() { # out-file seconds port
    local out=$1 secs=$2 port=$3 rc=0
    java "$SCRIPT_DIR/FixedRate.java" "http://127.0.0.1:$port/generate" closed "$secs" 2 >"$out.raw" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    [ "$rc" -eq 0 ] || { cat "$out.raw" >&2; die "FixedRate failed (exit $rc)"; }
    awk -v secs="$secs" '
        /^requests=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
        /^warmup=/ { split($1, kv, "="); w = kv[2] }
        END { if (v["requests"] == "") exit 1
              printf "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=0 read=%d write=0 status=0 timeout=0 warmup=%d\n",
                     v["requests"], secs * 1e6, v["p50_us"], v["p99_us"], v["errors"], w }' "$out.raw" >"$out" ||
        { cat "$out.raw" >&2; die "FixedRate printed no summary"; }
}

field() { # file key: the value of key=... on the BENCH line
    sed -n "s/^BENCH .*\b$2=\([0-9]*\).*/\1/p" "$1"
}

# ---- start, check, warm up ---------------------------------------------------------------------------

log "admission: $ADMISSION"
log "ports: upstream $UP_PORT$(for m in "${MODES[@]}"; do
    printf ', logs %s: nginx proxy %s, Infergate %s (admin %s)' "$m" "${TARGET_PORT[nginx-$m]}" \
        "${TARGET_PORT[infergate-$m]}" "${IG_ADMIN_PORT[$m]}"; done)"
start_upstream
start_trace_sink
for mode in "${MODES[@]}"; do
    start_nginx_proxy "$mode"
    start_infergate "$mode"
done

for t in "${TARGETS[@]}"; do
    reply=$(http_request POST "${TARGET_PORT[$t]}" /generate '{"inputs":"hi","parameters":{"max_new_tokens":8}}' || true)
    # Matched in the shell: under pipefail, 'printf | head -n1' fails whenever head exits before printf is done.
    [[ ${reply%%$'\r'*} == *" 200 "* ]] || { printf '%s\n' "$reply" >&2; die "$t: smoke POST did not get 200"; }
    [[ $reply == *generated_text* ]] || { printf '%s\n' "$reply" >&2; die "$t: smoke POST got an unexpected body"; }
done
# nginx holds its lines until 64k have gathered; Infergate's smoke line is written within milliseconds.
if [ -n "${JAVA_PID[on]:-}" ]; then
    for i in $(seq 1 50); do [ -s "$(access_log_file infergate-on)" ] && break; sleep 0.1; done
    grep -q '"path":"/generate"' "$(access_log_file infergate-on)" || die "Infergate (logs on) wrote no access log line to its file"
fi

# A JVM compiles for a minute or more under load, and each load shape makes other code hot: the
# steps repeat until a step's compiling is below JIT_QUIET ms a second (or WARMUP_MAX is reached).
# After each run the admin port is asked for the limit, as after every measured run: the admin
# requests share the HTTP codec with the proxied ones, and the first of them (a GET, other buffers)
# otherwise deoptimizes the codec's compiled code in the middle of the measurement.
warm_up_infergate() { # target
    local t=$1 mode=${1#infergate-}
    local pid=${JAVA_PID[$mode]} spent=0 jit0 jit_ms
    while :; do
        jit0=$(jit_ticks "$pid")
        run_wrk "$WORK/warmup-$t-c64.txt" "$WARMUP" c64 "${TARGET_PORT[$t]}"
        concurrency_limit "$mode" >/dev/null
        run_wrk "$WORK/warmup-$t-c1.txt" "$WARMUP" c1 "${TARGET_PORT[$t]}"
        concurrency_limit "$mode" >/dev/null
        run_blocking "$WORK/warmup-$t-b1.txt" "$WARMUP" "${TARGET_PORT[$t]}"
        concurrency_limit "$mode" >/dev/null
        spent=$((spent + 3 * WARMUP))
        jit_ms=$(ticks_ms $(($(jit_ticks "$pid") - jit0)))
        log "  $t: ${spent}s of warm-up, its JIT compilers used ${jit_ms} ms in the last $((3 * WARMUP))s"
        [ "$jit_ms" -le $((JIT_QUIET * 3 * WARMUP)) ] && return 0
        if [ "$spent" -ge "$WARMUP_MAX" ]; then
            log "  $t: the JIT is still at work after ${spent}s (WARMUP_MAX); measuring anyway"
            return 0
        fi
    done
}

log "warm-up: steps of ${WARMUP}s at -c64, ${WARMUP}s at -c1 and ${WARMUP}s from the blocking client through each Infergate until its JIT is quiet (at most ${WARMUP_MAX}s); 2s through each of the others"
for t in "${TARGETS[@]}"; do
    case $t in
        infergate-*) warm_up_infergate "$t" ;;
        *) run_wrk "$WORK/warmup-$t.txt" 2 c64 "${TARGET_PORT[$t]}" ;;
    esac
done

# ---- measure -----------------------------------------------------------------------------------------

RESULTS=$WORK/results.tsv
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    for shape in "${SHAPES[@]}"; do
        for t in "${TARGETS[@]}"; do
            sleep "$PAUSE"
            read -r -a own <<<"$(target_pids "$t")"
            read -r -a up <<<"$(upstream_pids)"
            [ ${#own[@]} -gt 0 ] && [ ${#up[@]} -gt 0 ] || die "$t: server processes not found"
            empty_access_log "$t"
            own0=$(cpu_ticks "${own[@]}")
            sys0=$(cpu_ticks sys "${own[@]}")
            up0=$(cpu_ticks "${up[@]}")
            jit0=0
            [[ $t == infergate-* ]] && jit0=$(jit_ticks "${own[0]}")
            out=$WORK/run-$round-$shape-$t.txt
            if [ "$shape" = b1 ]; then
                run_blocking "$out" "$DURATION" "${TARGET_PORT[$t]}"
            else
                run_wrk "$out" "$DURATION" "$shape" "${TARGET_PORT[$t]}"
            fi
            own1=$(cpu_ticks "${own[@]}")
            sys1=$(cpu_ticks sys "${own[@]}")
            up1=$(cpu_ticks "${up[@]}")
            jit=0
            [[ $t == infergate-* ]] && jit=$(ticks_ms $(($(jit_ticks "${own[0]}") - jit0)))
            req=$(field "$out" requests)
            dur=$(field "$out" duration_us)
            p50=$(field "$out" p50_us)
            p99=$(field "$out" p99_us)
            errs=$(($(field "$out" connect) + $(field "$out" read) + $(field "$out" write) + $(field "$out" timeout)))
            non2xx=$(field "$out" status)
            [ "$req" -gt 0 ] || die "$t $shape: no requests completed"
            served=$req # the requests the run's CPU went to: with b1, its warm-up's too
            [ "$shape" = b1 ] && served=$((req + $(field "$out" warmup)))
            awk -v r="$round" -v s="$shape" -v t="$t" -v req="$req" -v served="$served" -v dur="$dur" -v p50="$p50" -v p99="$p99" \
                -v own=$((own1 - own0)) -v up=$((up1 - up0)) -v hz="$CLK_TCK" -v e="$errs" -v n="$non2xx" -v jit="$jit" \
                -v sys=$((sys1 - sys0)) \
                'BEGIN { printf "%s\t%s\t%d\t%.1f\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%.1f\n",
                         t, s, r, req / (dur / 1e6), p50, p99, own * 1e6 / hz / served, up * 1e6 / hz / served, req, e, n, jit,
                         sys * 1e6 / hz / served }' \
                >>"$RESULTS"
            tail -n1 "$RESULTS" | awk -F'\t' -v R="$ROUNDS" '{
                printf "round %d/%d  %-13s %-3s  %9.0f req/s  p50 %6d us  p99 %6d us  cpu %6.1f us/req (kernel %.1f)  upstream cpu %6.1f us/req  errors %d  non-2xx %d%s\n",
                       $3, R, $1, $2, $4, $5, $6, $7, $13, $8, $10, $11, ($1 ~ /^infergate/ ? sprintf("  jit %d ms", $12) : "") }' >&2
            case "$t" in
                infergate-*) log "           $t concurrency limit at the end: $(concurrency_limit "${t#infergate-}")" ;;
            esac
        done
    done
done

# ---- report ------------------------------------------------------------------------------------------

# One line per target and shape: medians over rounds (requests/s, p50, p99, CPU), errors summed.
SUMMARY=$WORK/summary.tsv
for t in "${TARGETS[@]}"; do
    for shape in "${SHAPES[@]}"; do
        awk -F'\t' -v t="$t" -v s="$shape" '
            function median(a, n,   i, j, x) {
                for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            }
            $1 == t && $2 == s { n++; rps[n] = $4; p50[n] = $5; p99[n] = $6; own[n] = $7; up[n] = $8; e += $10; x += $11; sys[n] = $13 }
            END { printf "%s\t%s\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t%d\t%d\t%.1f\n", t, s, median(rps, n), median(p50, n),
                         median(p99, n), median(own, n), median(up, n), e, x, median(sys, n) }' "$RESULTS"
    done
done >"$SUMMARY"

get() { # target shape column(3=rps 4=p50 5=p99 6=cpu 7=upstream cpu 10=cpu in the kernel)
    awk -F'\t' -v t="$1" -v s="$2" -v c="$3" '$1 == t && $2 == s { print $c }' "$SUMMARY"
}
shape_label() {
    case $1 in
        c64) echo "-t2 -c64" ;;
        c1) echo "-t1 -c1" ;;
        b1) echo "blocking -c1" ;;
    esac
}

target_label() { # target: its name in the tables, with the logging mode of a proxy
    case $1 in
        *-on) echo "${1%-on}, logs on" ;;
        *-off) echo "${1%-off}, logs off" ;;
        *) echo "$1" ;;
    esac
}
ratio() { # shape column mode: Infergate's over nginx's
    awk -v a="$(get "infergate-$3" "$1" "$2")" -v b="$(get "nginx-$3" "$1" "$2")" 'BEGIN { printf "%.2f", a / b }'
}
added() { # proxy column [shape]: proxy minus direct at -c1 (wrk's, or b1: the blocking client's)
    local shape=${3:-c1}
    echo $(($(get "$1" "$shape" "$2") - $(get direct "$shape" "$2")))
}
user_cpu() { # target: its CPU per request at -c64 outside the kernel
    awk -v a="$(get "$1" c64 6)" -v b="$(get "$1" c64 10)" 'BEGIN { printf "%.1f", a - b }'
}
declare -A GOAL=([on]=0.8 [off]=0.85) MODE_TEXT=([on]="logs on (both to a file)" [off]="logs off")
met() { # mode
    awk -v r="$(ratio c64 3 "$1")" -v g="${GOAL[$1]}" 'BEGIN { print (r >= g) ? "met" : "NOT met" }'
}
b1_p99_gaps() { # mode: per round, the blocking client's p99 through Infergate minus through nginx
    awk -F'\t' -v i="infergate-$1" -v n="nginx-$1" '
        $2 == "b1" && $1 == i { a[$3] = $6 }
        $2 == "b1" && $1 == n { b[$3] = $6 }
        END { for (r = 1; r in a; r++) printf "%s%+d", (r > 1 ? ", " : ""), a[r] - b[r] }' "$RESULTS"
}
jit_total() { # mode: ms Infergate's JIT compilers used over its measured runs
    awk -F'\t' -v t="infergate-$1" '$1 == t { ms += $12 } END { printf "%d", ms }' "$RESULTS"
}
declare -A DROPPED=() SPANS=()
for mode in "${MODES[@]}"; do
    [ "$mode" = on ] && DROPPED[$mode]=$(infergate_dropped "$mode")
    [ -n "$TRACING" ] && SPANS[$mode]=$(infergate_spans "$mode")
done
if [ -n "$TRACING" ]; then
    TRACING_TEXT="Infergate traced with sampleRatio $TRACING, exporting over OTLP/HTTP to $([ "$TRACING_SINK" = nginx ] && echo "a local nginx that discards the exports (its CPU is no target's)" || echo "a closed port (every export fails; its spans are counted as dropped)")."
else
    TRACING_TEXT="Infergate without a tracing section."
fi
# The start line names the event loops' transport (io_uring by default where the kernel allows it).
RAN_ON=$(grep -o '[a-z_]* transport,' "$WORK/infergate-${MODES[0]}/infergate.log" | head -n1 | cut -d' ' -f1)
TRACING_TEXT="Infergate on ${RAN_ON:-an unknown} transport. $TRACING_TEXT"

echo
echo "Proxy benchmark: $ROUNDS rounds x ${DURATION}s per run, medians over rounds"
printf '%-20s %-13s %10s %9s %9s %14s %14s %14s %7s %12s\n' target load "req/s" "p50 us" "p99 us" "cpu us/req" "kernel us/req" "upstr us/req" errors non-2xx/3xx
while IFS=$'\t' read -r t s rps p50 p99 own up e x sys; do
    printf '%-20s %-13s %10s %9s %9s %14s %14s %14s %7s %12s\n' "$(target_label "$t")" "$(shape_label "$s")" "$rps" "$p50" "$p99" "$own" "$sys" "$up" "$e" "$x"
done <"$SUMMARY"
for mode in "${MODES[@]}"; do
    echo
    echo "${MODE_TEXT[$mode]}:"
    echo "  throughput Infergate / nginx: $(ratio c64 3 "$mode") at -c64, $(ratio c1 3 "$mode") at -c1 (target >= ${GOAL[$mode]} at -c64: $(met "$mode"))"
    echo "  CPU per request Infergate / nginx at -c64: $(ratio c64 6 "$mode"); in the kernel: Infergate $(get "infergate-$mode" c64 10) us, nginx $(get "nginx-$mode" c64 10) us; outside it: Infergate $(user_cpu "infergate-$mode") us, nginx $(user_cpu "nginx-$mode") us"
    echo "  added latency at -c1 over direct: Infergate p50 +$(added "infergate-$mode" 4) us, p99 +$(added "infergate-$mode" 5) us; nginx p50 +$(added "nginx-$mode" 4) us, p99 +$(added "nginx-$mode" 5) us"
    echo "  the same from a blocking client: Infergate p50 +$(added "infergate-$mode" 4 b1) us, p99 +$(added "infergate-$mode" 5 b1) us; nginx p50 +$(added "nginx-$mode" 4 b1) us, p99 +$(added "nginx-$mode" 5 b1) us; its p99, Infergate minus nginx, round by round: $(b1_p99_gaps "$mode") us"
    echo "  Infergate's JIT compilers over its measured runs: $(jit_total "$mode") ms"
    [ "$mode" = on ] && echo "  Infergate access log lines dropped (gateway_access_log_dropped_total): ${DROPPED[$mode]}"
    [ -n "$TRACING" ] && echo "  Infergate trace spans: ${SPANS[$mode]}"
done
echo "$TRACING_TEXT"

echo
echo "--- markdown ---"
echo
echo "| target | load | requests/s | p50 (µs) | p99 (µs) | proxy CPU µs/req (kernel) | upstream CPU µs/req | socket errors | non-2xx/3xx |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r t s rps p50 p99 own up e x sys; do
    if [ "$t" = direct ]; then own_cell="—"; else own_cell="$own ($sys)"; fi
    printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$(target_label "$t")" "$(shape_label "$s")" "$rps" "$p50" "$p99" "$own_cell" "$up" "$e" "$x"
done <"$SUMMARY"
echo
for mode in "${MODES[@]}"; do
    echo "- ${MODE_TEXT[$mode]^}: throughput, Infergate / nginx: **$(ratio c64 3 "$mode")** at \`-t2 -c64\` (target ≥ ${GOAL[$mode]}: $(met "$mode")), $(ratio c1 3 "$mode") at \`-t1 -c1\`; CPU per request, Infergate / nginx at \`-t2 -c64\`: $(ratio c64 6 "$mode") (in the kernel: Infergate $(get "infergate-$mode" c64 10) µs, nginx $(get "nginx-$mode" c64 10) µs); added latency at \`-t1 -c1\` (proxy − direct): Infergate p50 +$(added "infergate-$mode" 4) µs, p99 +$(added "infergate-$mode" 5) µs; nginx p50 +$(added "nginx-$mode" 4) µs, p99 +$(added "nginx-$mode" 5) µs; from a blocking client (\`FixedRate.java closed\`): Infergate p50 +$(added "infergate-$mode" 4 b1) µs, p99 +$(added "infergate-$mode" 5 b1) µs, nginx p50 +$(added "nginx-$mode" 4 b1) µs, p99 +$(added "nginx-$mode" 5 b1) µs (its p99, Infergate minus nginx, round by round: $(b1_p99_gaps "$mode") µs); Infergate's JIT compilers over its measured runs: $(jit_total "$mode") ms.$([ "$mode" = on ] && echo " Infergate access log lines dropped: ${DROPPED[$mode]}.")"
done
echo
echo "Medians over $ROUNDS rounds of ${DURATION}s per target and load; errors and non-2xx are totals over the rounds."
echo "Proxy CPU is the proxy's own (Infergate: the whole JVM; nginx: its workers), per request wrk counted, with its part in the kernel (stime) in brackets; upstream CPU is the upstream's own (nginx's worker, or the simulator's JVM)."
echo "$TRACING_TEXT$([ -n "$TRACING" ] && for mode in "${MODES[@]}"; do printf ' Logs %s: %s spans.' "$mode" "${SPANS[$mode]}"; done)"
echo "Logs on: nginx writes \`access_log FILE combined buffer=64k\`, Infergate its default JSON line to \`server.accessLog.file\`; each run starts both files empty. Logs off: nginx \`access_log off\`, Infergate \`accessLog: false\`. Both modes run side by side and are measured interleaved."
