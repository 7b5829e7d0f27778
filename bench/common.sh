# Shared by the benchmark scripts (sourced): where the jars are, building them when missing, and
# waiting for ports. Expects BENCH (this directory) to be set by the caller.
ROOT=$(cd "$BENCH/.." && pwd)
SIM_JAR="$ROOT/upstream-sim/target/upstream-sim.jar"
GATEWAY_JAR="$ROOT/gateway-server/target/infergate.jar"
if [ ! -f "$SIM_JAR" ] || [ ! -f "$GATEWAY_JAR" ]; then
  (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
fi

# The first free TCP port on 127.0.0.1 from $1 up.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Waits up to 30 s for $1 to answer 2xx.
wait_for() {
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "timed out waiting for $1" >&2; return 1
}

# Starts the gateway on $WORK/gateway-NAME.yaml, whose ports are the variables GATEWAY_PORT,
# ADMIN_PORT and SIM_PORT, logging to $WORK/gateway-NAME.log; waits until it is ready. Its PID goes
# into GATEWAY_PID and PIDS.
run_gateway() { # NAME
  # shellcheck disable=SC2086
  GATEWAY_PORT=$GATEWAY_PORT ADMIN_PORT=$ADMIN_PORT SIM_PORT=$SIM_PORT \
    java $JAVA_OPTS -jar "$GATEWAY_JAR" run --config "$WORK/gateway-$1.yaml" >"$WORK/gateway-$1.log" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  wait_for "http://127.0.0.1:$ADMIN_PORT/readyz"
}

# For scripts that start processes: each one's PID goes into PIDS; stop ends one, cleanup (trap it on
# EXIT) ends the rest and removes WORK unless KEEP=1.
PIDS=()
stop() { # PID: ends one process this script started, waits for it, and forgets it
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local left=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || left+=("$pid"); done
  PIDS=("${left[@]}")
}
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}

# The value of KEY in a line of key=value fields.
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
