#!/usr/bin/env bash
# HTTP/2 towards clients against HTTP/1.1, in one run on one machine: h2load drives Infergate in
# front of upstream-sim in its fast mode (no token delay, TGI's /generate with real JSON), all on
# loopback. The upstream side is HTTP/1.1 in every case, through the same pools.
#
#   throughput      h2load -t2 -c64, REQUESTS requests: HTTP/1.1, h2c with one stream per connection
#                   (the same shape), and h2c multiplexed (-c8 -m8: 64 streams on 8 connections)
#   added latency   h2load -c1 -m1, LATENCY_REQUESTS requests through Infergate (HTTP/1.1 and h2c),
#                   against the upstream alone over HTTP/1.1; mean request time, and the difference
#   TLS             a second Infergate with server.tls (a certificate made here by openssl):
#                   h2 by ALPN at -c64 and -c1 as above; new connections per second (-c1 repeated
#                   runs of one request per new connection, cleartext h2c against h2 over TLS); and
#                   `openssl s_time -new` full handshakes per second. The TLS provider the gateway
#                   chose is printed from its log.
#
# Usage: bench/h2.sh   (needs root only to install h2load, Debian's nghttp2-client, if missing)
# Environment: REQUESTS=60000, LATENCY_REQUESTS=3000, WARMUP=30000 (requests at -t2 -c64 on each
#              listener before measuring), PORT_BASE=29000, JAVA_OPTS="-Xms256m -Xmx512m",
#              KEEP=1 keeps the work directory. Runs end by request count, not by time: h2load's
#              -D waits for every client to connect before its clock starts.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH/common.sh"
REQUESTS=${REQUESTS:-60000}
LATENCY_REQUESTS=${LATENCY_REQUESTS:-3000}
WARMUP=${WARMUP:-30000}
PORT_BASE=${PORT_BASE:-29000}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx512m}

if ! command -v h2load >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null
fi
command -v openssl >/dev/null 2>&1 || { echo "openssl not found" >&2; exit 2; }

WORK=$(mktemp -d)
trap cleanup EXIT

UP=$(free_port "$PORT_BASE")
java -Xmx512m -jar "$SIM_JAR" --port "$UP" --host 127.0.0.1 --tokens-per-second 0 \
  --max-batch 4096 --max-queue 4096 --io-threads 1 >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$UP/health"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null

start_gateway() { # name, port, extra server yaml
  local admin
  admin=$(free_port $(($2 + 1)))
  cat >"$WORK/$1.yaml" <<YAML
server: { port: $2, adminPort: $admin, accessLog: false $3 }
routes:
  - name: bench
    match: { pathPrefix: / }
    admission: { maxInFlightPerEndpoint: 10000 }
    upstreams: [ { name: sim, endpoints: [ "http://127.0.0.1:$UP" ] } ]
YAML
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  java $JAVA_OPTS -jar "$GATEWAY_JAR" run --config "$WORK/$1.yaml" >"$WORK/$1.out" 2>"$WORK/$1.err" &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$admin/readyz"
}
PLAIN=$(free_port $((UP + 1)))
start_gateway plain "$PLAIN" ""
TLS=$(free_port $((PLAIN + 2)))
start_gateway tls "$TLS" ", tls: { certFile: \"$WORK/tls.crt\", keyFile: \"$WORK/tls.key\" }"

printf '{"inputs":"What is deep learning?","parameters":{"max_new_tokens":8}}' >"$WORK/body.json"
# One h2load run; prints "req/s mean-request-time" (the time in ms).
run() { # h2load flags... url
  h2load -d "$WORK/body.json" -H 'Content-Type: application/json' "$@" >"$WORK/h2load.out" 2>&1 \
    || { cat "$WORK/h2load.out" >&2; exit 1; }
  local rps mean unit failed
  failed=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' "$WORK/h2load.out")
  [ "${failed:-0}" = 0 ] || { echo "h2load: $failed requests failed" >&2; cat "$WORK/h2load.out" >&2; exit 1; }
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/h2load.out")
  read -r mean unit < <(awk '/^time for request:/ {print $6}' "$WORK/h2load.out" | sed 's/\([0-9.]*\)\(.*\)/\1 \2/')
  case "$unit" in us) mean=$(awk "BEGIN{print $mean/1000}") ;; s) mean=$(awk "BEGIN{print $mean*1000}") ;; esac
  echo "$rps $mean"
}
H1=(--h1)
HTTP="http://127.0.0.1:$PLAIN/generate"
HTTPS="https://127.0.0.1:$TLS/generate"

run -t2 -c64 -n "$WARMUP" "${H1[@]}" "$HTTP" >/dev/null
run -t2 -c64 -n "$WARMUP" "$HTTP" >/dev/null
run -t2 -c64 -n "$WARMUP" "$HTTPS" >/dev/null

echo "TLS provider: $(grep -o 'server.tls: .* provider' "$WORK/tls.err" | sed 's/server.tls: //')"
echo "h2load -t2 -c64 -n $REQUESTS (req/s, mean ms):"
echo "  HTTP/1.1           $(run -t2 -c64 -n "$REQUESTS" "${H1[@]}" "$HTTP")"
echo "  h2c, 1 stream/conn $(run -t2 -c64 -m1 -n "$REQUESTS" "$HTTP")"
echo "  h2c, -c8 -m8       $(run -t2 -c8 -m8 -n "$REQUESTS" "$HTTP")"
echo "  h2 over TLS        $(run -t2 -c64 -m1 -n "$REQUESTS" "$HTTPS")"
echo "  HTTP/1.1 over TLS  $(run -t2 -c64 -n "$REQUESTS" "${H1[@]}" "$HTTPS")"
direct=$(run -c1 -n "$LATENCY_REQUESTS" "${H1[@]}" "http://127.0.0.1:$UP/generate" | cut -d' ' -f2)
h1=$(run -c1 -n "$LATENCY_REQUESTS" "${H1[@]}" "$HTTP" | cut -d' ' -f2)
h2=$(run -c1 -m1 -n "$LATENCY_REQUESTS" "$HTTP" | cut -d' ' -f2)
h2s=$(run -c1 -m1 -n "$LATENCY_REQUESTS" "$HTTPS" | cut -d' ' -f2)
added() { awk "BEGIN{printf \"%.3f ms (added %+.0f us)\", $1, ($1 - $direct) * 1000}"; }
echo "h2load -c1 -n $LATENCY_REQUESTS, mean request time:"
echo "  upstream alone     $direct ms"
echo "  HTTP/1.1           $(added "$h1")"
echo "  h2c                $(added "$h2")"
echo "  h2 over TLS        $(added "$h2s")"

# New connections: 20 runs of 64 clients each sending one request on a connection of its own.
conns() { # url
  local start end i
  start=$(date +%s%N)
  for i in $(seq 1 20); do run -t2 -c64 -n64 "$@" >/dev/null; done
  end=$(date +%s%N)
  awk "BEGIN{printf \"%.0f\", 20 * 64 / (($end - $start) / 1e9)}"
}
echo "new connections with one request each (per second, h2load process start included):"
echo "  h2c                $(conns "$HTTP")"
echo "  h2 over TLS        $(conns "$HTTPS")"
echo "openssl s_time -new -time 10 (full TLS handshakes, no request):"
openssl s_time -connect "127.0.0.1:$TLS" -new -time 10 2>/dev/null | grep -E 'connections/user sec|connections in [0-9]+ real' | sed 's/^/  /'
