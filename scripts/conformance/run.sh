#!/usr/bin/env bash
# STOMP conformance suite: the same scenarios (scenarios.json) through two STOMP clients Chorus
# did not write, stomp.py (driver.py) and the stomp gem (driver.rb), against chorus broker,
# RabbitMQ 3.10 and ActiveMQ 5.17; then compare.py checks every scenario × client × broker
# case against expectations.json and the peers, prints the matrix and writes it as JSON.
#
#   scripts/conformance/run.sh [--chorus PATH] [--scenario NAMES] [--clients python,ruby]
#                              [--brokers chorus,rabbitmq,activemq] [--out DIR] [--keep] [--record]
#
#   --chorus    the chorus binary (default .build/debug/chorus, else .build/release/chorus)
#   --scenario  a comma list of scenario names (default all)
#   --out       where results.jsonl, conformance.json and the logs go (default .build/conformance)
#   --keep      leave RabbitMQ and ActiveMQ running afterwards (the next run reuses them)
#   --record    pin the peers' results of this run into expectations.json (review the diff!)
#
# RabbitMQ and ActiveMQ come from scripts/interop/up.sh on this suite's own ports and state dir,
# never the interop tests' (environment: CONFORMANCE_DIR=/tmp/chorus-conformance,
# CONFORMANCE_RABBITMQ_PORT=62623, CONFORMANCE_ACTIVEMQ_PORT=62633, CONFORMANCE_EPMD_PORT=4371,
# CONFORMANCE_RABBITMQ_DIST_PORT=25674, CONFORMANCE_RABBITMQ_NODENAME=chorus_conf@localhost).
# chorus broker runs from broker.cfg on a free port. Only what this run started is stopped.
#
# Exit codes: 0 every case passed, 1 a case failed or is missing, 2 something needed is missing,
# 3 a broker did not start.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
INTEROP="$ROOT/scripts/interop"

CHORUS=""
SCENARIO=all
CLIENTS=python,ruby
BROKERS=chorus,rabbitmq,activemq
OUT="$ROOT/.build/conformance"
KEEP=0
RECORD=0
need() { [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --chorus)   need "$@"; CHORUS="$2"; shift 2 ;;
    --scenario) need "$@"; SCENARIO="$2"; shift 2 ;;
    --clients)  need "$@"; CLIENTS="$2"; shift 2 ;;
    --brokers)  need "$@"; BROKERS="$2"; shift 2 ;;
    --out)      need "$@"; OUT="$2"; shift 2 ;;
    --keep)     KEEP=1; shift ;;
    --record)   RECORD=1; shift ;;
    -h|--help)  sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

export INTEROP_DIR="${CONFORMANCE_DIR:-/tmp/chorus-conformance}"
export INTEROP_EPMD_PORT="${CONFORMANCE_EPMD_PORT:-4371}"
export INTEROP_RABBITMQ_DIST_PORT="${CONFORMANCE_RABBITMQ_DIST_PORT:-25674}"
export INTEROP_RABBITMQ_NODENAME="${CONFORMANCE_RABBITMQ_NODENAME:-chorus_conf@localhost}"
RABBITMQ_PORT="${CONFORMANCE_RABBITMQ_PORT:-62623}"
ACTIVEMQ_PORT="${CONFORMANCE_ACTIVEMQ_PORT:-62633}"
LOGIN=mcollective
PASSCODE=marionette

log() { printf '[conformance %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
wants() { [[ ",$1," == *",$2,"* ]]; }

# ------------------------------------------------------------------ prerequisites
if [ -z "$CHORUS" ]; then
  for candidate in "$ROOT/.build/debug/chorus" "$ROOT/.build/release/chorus"; do
    [ -x "$candidate" ] && { CHORUS="$candidate"; break; }
  done
fi
if wants "$BROKERS" chorus; then
  [ -n "$CHORUS" ] && [ -x "$CHORUS" ] || { log "no chorus binary (build first: swift build, or --chorus PATH)"; exit 2; }
fi
if wants "$CLIENTS" python; then
  python3 -c 'import stomp' 2>/dev/null \
    || { log "stomp.py is missing: python3 -m pip install -r $HERE/requirements.txt (as .ci/run does)"; exit 2; }
fi
if wants "$CLIENTS" ruby; then
  ruby -e 'require "stomp"' 2>/dev/null || { log "the stomp gem is missing: scripts/interop/install.sh (ruby-stomp)"; exit 2; }
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
rm -f "$OUT"/results.jsonl "$OUT"/*.log
: > "$OUT/results.jsonl"

# ------------------------------------------------------------------ cleanup: only what we started
CHORUS_PID=""
STARTED_PEERS=()
cleanup() {
  local code=$?
  if [ -n "$CHORUS_PID" ] && kill -0 "$CHORUS_PID" 2>/dev/null; then
    kill -TERM "$CHORUS_PID" 2>/dev/null || true
    wait "$CHORUS_PID" 2>/dev/null || true
  fi
  if [ "${#STARTED_PEERS[@]}" -gt 0 ] && [ "$KEEP" = 0 ]; then
    local only
    only="$(IFS=,; echo "${STARTED_PEERS[*]}")"
    if [ "$only" = "rabbitmq,activemq" ]; then
      "$INTEROP/down.sh" --clean >/dev/null 2>&1 || log "down.sh --clean failed (state in $INTEROP_DIR)"
    else
      "$INTEROP/down.sh" --only "$only" >/dev/null 2>&1 || log "down.sh --only $only failed"
    fi
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ RabbitMQ and ActiveMQ
PEERS=()
wants "$BROKERS" rabbitmq && PEERS+=(rabbitmq)
wants "$BROKERS" activemq && PEERS+=(activemq)
running() {   # running NAME: up.sh's pidfile for it is alive
  local file tag
  case "$1" in rabbitmq) file=rabbitmq-beam.pid; tag=beam ;; activemq) file=activemq.pid; tag=activemq.jar ;; esac
  local pid
  pid="$(cat "$INTEROP_DIR/pids/$file" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$tag"
}
if [ "${#PEERS[@]}" -gt 0 ]; then
  for peer in "${PEERS[@]}"; do running "$peer" || STARTED_PEERS+=("$peer"); done
  t0=$(date +%s)
  # The conf collective: RabbitMQ gets conf_broadcast/conf_directed, ActiveMQ authorizes conf.> .
  if ! "$INTEROP/up.sh" --broker "$(IFS=,; echo "${PEERS[*]}")" --rabbitmq-port "$RABBITMQ_PORT" \
      --activemq-port "$ACTIVEMQ_PORT" --nodes 0 --collectives mcollective,conf > "$OUT/up.log" 2>&1; then
    tail -n 20 "$OUT/up.log" >&2
    log "up.sh failed (log: $OUT/up.log)"
    exit 3
  fi
  log "RabbitMQ/ActiveMQ ready in $(( $(date +%s) - t0 )) s (started now: ${STARTED_PEERS[*]:-none})"
fi

# ------------------------------------------------------------------ chorus broker
CHORUS_PORT=""
if wants "$BROKERS" chorus; then
  mkdir -p "$OUT/chorus-broker"
  rm -f "$OUT/chorus-broker/port"
  "$CHORUS" broker --config "$HERE/broker.cfg" --port-file "$OUT/chorus-broker/port" \
    > "$OUT/chorus-broker.log" 2>&1 < /dev/null &
  CHORUS_PID=$!
  for _ in $(seq 1 150); do
    [ -s "$OUT/chorus-broker/port" ] && break
    kill -0 "$CHORUS_PID" 2>/dev/null || break
    sleep 0.2
  done
  CHORUS_PORT="$(cat "$OUT/chorus-broker/port" 2>/dev/null || true)"
  if [ -z "$CHORUS_PORT" ]; then
    tail -n 20 "$OUT/chorus-broker.log" >&2
    log "chorus broker did not start (log: $OUT/chorus-broker.log)"
    exit 3
  fi
  log "chorus broker ($CHORUS) on 127.0.0.1:$CHORUS_PORT, pid $CHORUS_PID"
fi

port_of() { case "$1" in chorus) echo "$CHORUS_PORT" ;; rabbitmq) echo "$RABBITMQ_PORT" ;; activemq) echo "$ACTIVEMQ_PORT" ;; esac; }

# server_header PORT: the server header of a CONNECTED, for the report
server_header() {
  local line server=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'CONNECT\naccept-version:1.2\nhost:/mcollective\nlogin:%s\npasscode:%s\n\n\0' "$LOGIN" "$PASSCODE" >&3
  while IFS= read -r -t 5 line <&3; do
    [ -z "$line" ] && break
    case "$line" in server:*) server="${line#server:}" ;; esac
  done
  printf 'DISCONNECT\n\n\0' >&3 2>/dev/null || true
  exec 3<&- 3>&-
  echo "$server"
}

# ------------------------------------------------------------------ the runs
VERSIONS=""
RUNS=0
IFS=, read -r -a client_list <<< "$CLIENTS"
IFS=, read -r -a broker_list <<< "$BROKERS"
for broker in "${broker_list[@]}"; do
  port="$(port_of "$broker")"
  VERSIONS+="$broker=$(server_header "$port" | tr ' ' '_') "
  for client in "${client_list[@]}"; do
    case "$client" in
      python) driver=(python3 "$HERE/driver.py") ;;
      ruby)   driver=(ruby "$HERE/driver.rb") ;;
      *) log "unknown client '$client' (python, ruby)"; exit 2 ;;
    esac
    t0=$(date +%s)
    before=$(wc -l < "$OUT/results.jsonl")
    status=0
    # Every wait in a scenario is bounded; the timeout only guards against a hung client.
    timeout 300 "${driver[@]}" --host 127.0.0.1 --port "$port" --login "$LOGIN" --passcode "$PASSCODE" \
      --broker-kind "$broker" --scenario "$SCENARIO" \
      >> "$OUT/results.jsonl" 2> "$OUT/$client-$broker.log" || status=$?
    RUNS=$((RUNS + 1))
    log "$client on $broker: $(( $(wc -l < "$OUT/results.jsonl") - before )) scenarios in $(( $(date +%s) - t0 )) s$([ "$status" = 0 ] || echo ", driver exited $status (see $OUT/$client-$broker.log)")"
  done
done

# ------------------------------------------------------------------ compare
if [ "$RECORD" = 1 ]; then
  python3 "$HERE/compare.py" --results "$OUT/results.jsonl" --record
fi
python3 "$HERE/compare.py" --results "$OUT/results.jsonl" --scenario "$SCENARIO" \
  --json "$OUT/conformance.json" --versions "$VERSIONS"
