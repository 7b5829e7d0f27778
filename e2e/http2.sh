#!/usr/bin/env bash
# HTTP/2 towards clients, with curl against the demo (the packaged jar):
#   - cleartext: `curl --http2` (the h2c upgrade), `curl --http2-prior-knowledge`, and plain HTTP/1.1;
#   - https: the demo started with --tls-cert/--tls-key on a certificate made here by openssl, and
#     `curl --cacert` gets HTTP/2 by ALPN (and HTTP/1.1 when it asks for it).
# Each check streams tokens or reads /info and looks at the protocol curl used.
# Needs the built jar, curl built with HTTP/2 (Debian's is), and openssl.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
[ -f "$GATEWAY_JAR" ] || { echo "build first: ./mvnw -B package" >&2; exit 2; }
command -v openssl >/dev/null 2>&1 || { echo "openssl not found" >&2; exit 2; }
curl --version | grep -q HTTP2 || { echo "this curl has no HTTP/2" >&2; exit 2; }

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
check() { # name, expected, actual
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"
  fi
}

# A private CA and a certificate for localhost and 127.0.0.1, valid for a day.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=Infergate e2e CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout "$WORK/tls.key" -out "$WORK/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/tls.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
  -extfile "$WORK/san.ext" -out "$WORK/tls.crt" 2>/dev/null

start_demo() { # name, port, admin port, extra options...
  local name=$1 port=$2 admin=$3
  shift 3
  java -jar "$GATEWAY_JAR" demo --cold-start 0 --port "$port" --admin-port "$admin" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS+=($!)
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$admin/readyz" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the $name demo did not get ready" >&2; tail -20 "$WORK/$name.err" >&2; exit 1
}

STREAM_BODY='{"inputs":"What is deep learning?","parameters":{"max_new_tokens":5}}'
# The protocol curl used, then whether the stream ended with its generated text.
stream() {
  curl -sS -N "$@" -H 'Content-Type: application/json' -d "$STREAM_BODY" -o "$WORK/stream" -w '%{http_version}'
  grep -q '"generated_text":"' "$WORK/stream" && echo " whole" || echo " cut"
}

PLAIN=$(free_port 25000)
PLAIN_ADMIN=$(free_port $((PLAIN + 1)))
start_demo plain "$PLAIN" "$PLAIN_ADMIN"
URL="http://127.0.0.1:$PLAIN"
check "curl --http2 upgrades (h2c)" 2 "$(curl -sS --http2 -o /dev/null -w '%{http_version}' "$URL/info")"
check "curl --http2-prior-knowledge streams tokens" "2 whole" "$(stream --http2-prior-knowledge "$URL/generate_stream")"
CHAT='{"model":"tgi","stream":true,"messages":[{"role":"user","content":"Hello"}]}'
check "curl --http2-prior-knowledge streams an OpenAI chat completion to [DONE]" "2 data: [DONE]" \
  "$(curl -sS -N --http2-prior-knowledge -H 'Content-Type: application/json' -d "$CHAT" -o "$WORK/chat" \
      -w '%{http_version}' "$URL/v1/chat/completions") $(grep -o 'data: \[DONE\]' "$WORK/chat")"
check "plain curl stays on HTTP/1.1" "1.1 whole" "$(stream --http1.1 "$URL/generate_stream")"
check "a body over the limit on a stream: 413 with X-Gateway-Error" "413 payload_too_large" \
  "$(curl -sS --http2-prior-knowledge -D "$WORK/refused" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary @<(head -c $((11 * 1024 * 1024)) /dev/zero | tr '\0' 'a') "$URL/generate") $(
      grep -i '^x-gateway-error:' "$WORK/refused" | cut -d' ' -f2 | tr -d '\r')"

TLS=$(free_port $((PLAIN_ADMIN + 1)))
TLS_ADMIN=$(free_port $((TLS + 1)))
start_demo tls "$TLS" "$TLS_ADMIN" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key"
SECURE="https://localhost:$TLS"
check "curl over https with the CA gets h2 by ALPN" "2 whole" "$(stream --cacert "$WORK/ca.crt" "$SECURE/generate_stream")"
check "curl --http1.1 over https stays on HTTP/1.1" "1.1 whole" \
  "$(stream --http1.1 --cacert "$WORK/ca.crt" "$SECURE/generate_stream")"
check "curl without the CA is refused" "fails" \
  "$(curl -sS -o /dev/null "$SECURE/info" 2>/dev/null && echo served || echo fails)"
check "the demo says which TLS provider it uses" 1 "$(grep -c 'server.tls: .* provider, ALPN h2 and http/1.1' "$WORK/tls.err")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
