#!/usr/bin/env bash
# Runs the official client libraries (e2e/real-clients.mjs) against the simulator, against the
# gateway's demo, and against a gateway with one-second heartbeats in front of a slow model; and
# (e2e/down-clients.mjs) against a gateway whose endpoints are down, for its own errors; and
# (e2e/recovery-clients.mjs) through streams that break mid-way and are continued; and
# (e2e/model-clients.mjs) the openai client over https, trusting a CA made here, against a gateway
# that routes by the model a request names. All are started here from the built jars. Needs Node.js 18+ and npm; installs the pinned client versions
# from package-lock.json.
set -euo pipefail
E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E/.." && pwd)
SIM_JAR="$ROOT/upstream-sim/target/upstream-sim.jar"
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
[ -f "$SIM_JAR" ] && [ -f "$GATEWAY_JAR" ] || { echo "build first: ./mvnw -B package" >&2; exit 2; }

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

wait_for() { # URL, what
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $2 at $1" >&2
  return 1
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$E2E" && npm ci --no-audit --no-fund --silent)

SIM_PORT=$(free_port 23000)
java -jar "$SIM_JAR" --port "$SIM_PORT" --tokens-per-second 200 >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
GATEWAY_PORT=$(free_port $((SIM_PORT + 1)))
ADMIN_PORT=$(free_port $((GATEWAY_PORT + 1)))
java -jar "$GATEWAY_JAR" demo --port "$GATEWAY_PORT" --admin-port "$ADMIN_PORT" >"$WORK/demo.log" 2>&1 &
PIDS+=($!)

# A model slower than the heartbeat: more than a second between tokens.
SLOW_SIM_PORT=$(free_port $((ADMIN_PORT + 1)))
java -jar "$SIM_JAR" --port "$SLOW_SIM_PORT" --tokens-per-second 0.8 >"$WORK/slow-sim.log" 2>&1 &
PIDS+=($!)
SLOW_GATEWAY_PORT=$(free_port $((SLOW_SIM_PORT + 1)))
SLOW_ADMIN_PORT=$(free_port $((SLOW_GATEWAY_PORT + 1)))
GATEWAY_PORT=$SLOW_GATEWAY_PORT ADMIN_PORT=$SLOW_ADMIN_PORT SLOW_SIM_URL="http://127.0.0.1:$SLOW_SIM_PORT" \
  java -jar "$GATEWAY_JAR" run --config "$E2E/slow-gateway.yaml" >"$WORK/slow-gateway.log" 2>&1 &
PIDS+=($!)

# A gateway whose endpoints are down: two ports nothing listens on.
DOWN_PORT=$(free_port $((SLOW_ADMIN_PORT + 1)))
OTHER_DOWN_PORT=$(free_port $((DOWN_PORT + 1)))
DOWN_GATEWAY_PORT=$(free_port $((OTHER_DOWN_PORT + 1)))
DOWN_ADMIN_PORT=$(free_port $((DOWN_GATEWAY_PORT + 1)))
GATEWAY_PORT=$DOWN_GATEWAY_PORT ADMIN_PORT=$DOWN_ADMIN_PORT DOWN_URL="http://127.0.0.1:$DOWN_PORT" \
  OTHER_DOWN_URL="http://127.0.0.1:$OTHER_DOWN_PORT" \
  java -jar "$GATEWAY_JAR" run --config "$E2E/down-gateway.yaml" >"$WORK/down-gateway.log" 2>&1 &
PIDS+=($!)

# Two simulators of one model behind a gateway that continues broken streams on the other.
FIRST_SIM_PORT=$(free_port $((DOWN_ADMIN_PORT + 1)))
java -jar "$SIM_JAR" --port "$FIRST_SIM_PORT" --tokens-per-second 200 >"$WORK/first-sim.log" 2>&1 &
PIDS+=($!)
SECOND_SIM_PORT=$(free_port $((FIRST_SIM_PORT + 1)))
java -jar "$SIM_JAR" --port "$SECOND_SIM_PORT" --tokens-per-second 200 >"$WORK/second-sim.log" 2>&1 &
PIDS+=($!)
RECOVERY_GATEWAY_PORT=$(free_port $((SECOND_SIM_PORT + 1)))
RECOVERY_ADMIN_PORT=$(free_port $((RECOVERY_GATEWAY_PORT + 1)))
GATEWAY_PORT=$RECOVERY_GATEWAY_PORT ADMIN_PORT=$RECOVERY_ADMIN_PORT FIRST_SIM_URL="http://127.0.0.1:$FIRST_SIM_PORT" \
  SECOND_SIM_URL="http://127.0.0.1:$SECOND_SIM_PORT" \
  java -jar "$GATEWAY_JAR" run --config "$E2E/recovery-gateway.yaml" >"$WORK/recovery-gateway.log" 2>&1 &
PIDS+=($!)

# Routing by model over TLS: llama-70b on the first simulator, llama-3b on another, and a server
# certificate for 127.0.0.1 signed by a CA made here, which only the client's agent trusts.
SMALL_SIM_PORT=$(free_port $((RECOVERY_ADMIN_PORT + 1)))
java -jar "$SIM_JAR" --port "$SMALL_SIM_PORT" --tokens-per-second 200 >"$WORK/small-sim.log" 2>&1 &
PIDS+=($!)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=infergate e2e CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$WORK/tls.key" -out "$WORK/tls.csr" 2>/dev/null
openssl x509 -req -in "$WORK/tls.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
  -extfile <(printf "subjectAltName=IP:127.0.0.1,DNS:localhost") -out "$WORK/tls.pem" 2>/dev/null
MODELS_GATEWAY_PORT=$(free_port $((SMALL_SIM_PORT + 1)))
MODELS_ADMIN_PORT=$(free_port $((MODELS_GATEWAY_PORT + 1)))
GATEWAY_PORT=$MODELS_GATEWAY_PORT ADMIN_PORT=$MODELS_ADMIN_PORT TLS_CERT="$WORK/tls.pem" TLS_KEY="$WORK/tls.key" \
  BIG_SIM_URL="http://127.0.0.1:$SIM_PORT" SMALL_SIM_URL="http://127.0.0.1:$SMALL_SIM_PORT" \
  java -jar "$GATEWAY_JAR" run --config "$E2E/models-gateway.yaml" >"$WORK/models-gateway.log" 2>&1 &
PIDS+=($!)

wait_for "http://127.0.0.1:$SIM_PORT/health" "the simulator" || { cat "$WORK/sim.log"; exit 1; }
wait_for "http://127.0.0.1:$SLOW_ADMIN_PORT/readyz" "the slow gateway" || { cat "$WORK/slow-gateway.log"; exit 1; }
# The demo's large model starts cold: wait until it answers through the gateway.
wait_for "http://127.0.0.1:$GATEWAY_PORT/health" "the demo's warm primary" || { cat "$WORK/demo.log"; exit 1; }

show_logs() {
  for log in "$WORK"/*.log; do echo "--- $(basename "$log")"; tail -30 "$log"; done
}
node "$E2E/real-clients.mjs" "simulator=http://127.0.0.1:$SIM_PORT" "gateway-demo=http://127.0.0.1:$GATEWAY_PORT" \
  || { show_logs; exit 1; }
MAX_TOKENS=3 node "$E2E/real-clients.mjs" "gateway-heartbeats-1s=http://127.0.0.1:$SLOW_GATEWAY_PORT" \
  || { show_logs; exit 1; }
wait_for "http://127.0.0.1:$DOWN_ADMIN_PORT/readyz" "the gateway in front of endpoints that are down" \
  || { cat "$WORK/down-gateway.log"; exit 1; }
node "$E2E/down-clients.mjs" "http://127.0.0.1:$DOWN_GATEWAY_PORT" || { show_logs; exit 1; }
for port in "$FIRST_SIM_PORT" "$SECOND_SIM_PORT"; do
  wait_for "http://127.0.0.1:$port/health" "a simulator behind the recovering gateway" || { show_logs; exit 1; }
done
wait_for "http://127.0.0.1:$RECOVERY_ADMIN_PORT/readyz" "the recovering gateway" \
  || { cat "$WORK/recovery-gateway.log"; exit 1; }
node "$E2E/recovery-clients.mjs" "http://127.0.0.1:$RECOVERY_GATEWAY_PORT" "http://127.0.0.1:$RECOVERY_ADMIN_PORT" \
  "http://127.0.0.1:$FIRST_SIM_PORT" "http://127.0.0.1:$SECOND_SIM_PORT" || { show_logs; exit 1; }
wait_for "http://127.0.0.1:$SMALL_SIM_PORT/health" "the second model's simulator" || { show_logs; exit 1; }
wait_for "http://127.0.0.1:$MODELS_ADMIN_PORT/readyz" "the gateway routing by model" \
  || { cat "$WORK/models-gateway.log"; exit 1; }
node "$E2E/model-clients.mjs" "https://127.0.0.1:$MODELS_GATEWAY_PORT" "$WORK/ca.pem" \
  "127.0.0.1:$SIM_PORT" "127.0.0.1:$SMALL_SIM_PORT" || { show_logs; exit 1; }
# The slow streams must really have carried heartbeats for that run to mean anything.
heartbeats=$(curl -fsS "http://127.0.0.1:$SLOW_ADMIN_PORT/metrics" | awk '/^gateway_heartbeats_total/ {sum += $2} END {print sum + 0}')
echo "heartbeats sent to the clients of the slow model: $heartbeats"
[ "${heartbeats%.*}" -gt 0 ] || { echo "no heartbeat was sent: the slow run tested nothing" >&2; exit 1; }
