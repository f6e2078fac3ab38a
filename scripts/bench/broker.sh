#!/usr/bin/env bash
# Benchmark `chorus broker` against RabbitMQ 3.10 (rabbitmq_stomp) and ActiveMQ 5.17 with one
# load generator (`chorus bench broker`), all on 127.0.0.1, and tear down what it started.
#
#   scripts/bench/broker.sh [chorus bench broker options...]
#   scripts/bench/broker.sh --json > bench.txt          # tables, then one JSON line
#   scripts/bench/broker.sh --scenarios fanout --fanout 100 --seconds 3
#
# Steps: raise the open-file soft limit to the hard limit (the brokers and the generator
# inherit it: 10,000 idle connections need 10,000 descriptors on each side); start RabbitMQ
# and ActiveMQ with scripts/interop/up.sh on dedicated ports under their own state dir (so an
# interop harness on the default ports is never touched); build the release binary; run the
# benchmark against the chorus broker it starts itself and both peers (their pids from the
# harness's pid files: beam.smp, java); stop the brokers this script started (ones already
# running from the same state dir are reused and left running).
#
# Environment (defaults in brackets): INTEROP_DIR [/tmp/chorus-bench],
# BENCH_RABBITMQ_PORT [63623], BENCH_ACTIVEMQ_PORT [63633], INTEROP_EPMD_PORT [4372],
# INTEROP_RABBITMQ_DIST_PORT [25675], INTEROP_RABBITMQ_NODENAME [chorus_bench@localhost],
# BENCH_SKIP_BUILD=1 to use the existing .build/release/chorus.
#
# Exit codes: the benchmark's (0 = every measurement complete, nothing lost; 1 = not), or
# up.sh's when the brokers cannot be started (2 = packages missing: run
# scripts/interop/install.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
INTEROP="$ROOT/scripts/interop"

export INTEROP_DIR="${INTEROP_DIR:-/tmp/chorus-bench}"
export INTEROP_EPMD_PORT="${INTEROP_EPMD_PORT:-4372}"
export INTEROP_RABBITMQ_DIST_PORT="${INTEROP_RABBITMQ_DIST_PORT:-25675}"
export INTEROP_RABBITMQ_NODENAME="${INTEROP_RABBITMQ_NODENAME:-chorus_bench@localhost}"
RABBITMQ_PORT="${BENCH_RABBITMQ_PORT:-63623}"
ACTIVEMQ_PORT="${BENCH_ACTIVEMQ_PORT:-63633}"

case "${1:-}" in -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

# Descriptors: every broker and the generator inherit this soft limit.
ulimit -n "$(ulimit -Hn)"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
had_rabbitmq=0; alive "$INTEROP_DIR/pids/rabbitmq-beam.pid" && had_rabbitmq=1
had_activemq=0; alive "$INTEROP_DIR/pids/activemq.pid" && had_activemq=1
# A state dir with nothing running from it (left by an earlier run) is cleaned like a new one.
made_dir=0
[ -d "$INTEROP_DIR" ] && [ "$had_rabbitmq$had_activemq" != 00 ] || made_dir=1

teardown() {
  local stop=()
  [ "$had_rabbitmq" = 1 ] || stop+=(rabbitmq)
  [ "$had_activemq" = 1 ] || stop+=(activemq)
  if [ "${#stop[@]}" = 2 ] && [ "$made_dir" = 1 ]; then
    # An ActiveMQ that ran out of heap can take a while to die after SIGKILL: try twice.
    "$INTEROP/down.sh" --clean >&2 || { sleep 10; "$INTEROP/down.sh" --clean >&2; } || true
  elif [ "${#stop[@]}" -gt 0 ]; then
    "$INTEROP/down.sh" --only "$(IFS=,; echo "${stop[*]}")" >&2 || true
  fi
}
trap teardown EXIT

"$INTEROP/up.sh" --broker both --nodes 0 --rabbitmq-port "$RABBITMQ_PORT" --activemq-port "$ACTIVEMQ_PORT" >/dev/null

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && flock /tmp/chorus-swift.lock swift build -c release --product chorus >&2)
fi

status=0
"$ROOT/.build/release/chorus" bench broker \
  --rabbitmq "127.0.0.1:$RABBITMQ_PORT,pid=$(cat "$INTEROP_DIR/pids/rabbitmq-beam.pid")" \
  --activemq "127.0.0.1:$ACTIVEMQ_PORT,pid=$(cat "$INTEROP_DIR/pids/activemq.pid")" \
  "$@" || status=$?
exit "$status"
