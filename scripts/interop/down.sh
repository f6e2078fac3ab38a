#!/usr/bin/env bash
# Stop exactly what up.sh started from $INTEROP_DIR (by its pidfiles, each checked
# against the process's command line so a recycled pid is never signalled), and
# nothing else.
#
#   down.sh                         stop nodes, RabbitMQ (+ its epmd), ActiveMQ
#   down.sh --only nodes            stop just the nodes (brokers keep running)
#   down.sh --only rabbitmq,activemq
#   down.sh --clean                 stop everything, then delete $INTEROP_DIR
#
# Exit codes: 0 stopped (or nothing was running), 1 usage, 4 a process survived SIGKILL.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP_SCRIPT=down
# shellcheck source=lib.sh
. "$HERE/lib.sh"

DIR="${INTEROP_DIR:-/tmp/chorus-interop}"
ONLY="nodes,rabbitmq,activemq"
CLEAN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || die "$EXIT_USAGE" "--only needs a value"; ONLY="$2"; shift 2 ;;
    --clean) CLEAN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "$EXIT_USAGE" "unknown argument '$1' (try --help)" ;;
  esac
done
IFS=, read -r -a parts <<< "$ONLY"
for p in "${parts[@]}"; do
  case "$p" in nodes|rabbitmq|activemq) ;; *) die "$EXIT_USAGE" "--only takes nodes, rabbitmq, activemq" ;; esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
[ "$CLEAN" = 0 ] || [ "$ONLY" = "nodes,rabbitmq,activemq" ] || die "$EXIT_USAGE" "--clean stops everything; do not combine it with --only"

P="$DIR/pids"
if [ ! -d "$P" ]; then
  log "nothing to stop: $P does not exist"
  exit 0
fi
exec 9>"$DIR/.lock"
flock -w 600 9 || die "$EXIT_TIMEOUT" "another up.sh/down.sh holds $DIR/.lock"
T0="$(now)"
SURVIVORS=0

# stop PIDFILE TAG GRACE: SIGTERM, wait up to GRACE seconds, then SIGKILL
stop() {
  local file="$1" tag="$2" grace="$3" pid i
  [ -f "$file" ] || return 0
  if ! pid_alive "$file" "$tag"; then rm -f "$file"; return 0; fi
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$(basename "$file" .pid) ($pid) ignored SIGTERM for ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    sleep 0.2
    if kill -0 "$pid" 2>/dev/null; then SURVIVORS=$((SURVIVORS + 1)); log "$pid survived SIGKILL"; return 0; fi
  fi
  log "stopped $(basename "$file" .pid) ($pid)"
  rm -f "$file"
}

# Nodes first (mcollectived exits on SIGTERM after logging the signal), in parallel.
if wants nodes; then
  for f in "$P"/node-*.pid; do
    [ -e "$f" ] || continue
    if pid_alive "$f" mcollectived; then kill -TERM "$(cat "$f")" 2>/dev/null; fi
  done
  n=0
  for f in "$P"/node-*.pid; do [ -e "$f" ] && stop "$f" mcollectived 10 && n=$((n + 1)); done
  log "stopped $n nodes"
fi

if wants rabbitmq; then
  # SIGTERM to the rabbitmq-server wrapper makes it stop the VM cleanly; the VM's
  # own pidfile covers the case where the wrapper is already gone.
  stop "$P/rabbitmq.pid" rabbitmq-server 30
  stop "$P/rabbitmq-beam.pid" beam 30
  stop "$P/epmd.pid" epmd 5
fi

if wants activemq; then
  stop "$P/activemq.pid" activemq.jar 30
fi

log "down in $(since "$T0") s"
[ "$SURVIVORS" = 0 ] || exit "$EXIT_TIMEOUT"

if [ "$CLEAN" = 1 ]; then
  if [ -f "$DIR/.chorus-interop" ]; then
    rm -rf "$DIR"
    log "removed $DIR"
  else
    log "not removing $DIR: it has no .chorus-interop marker, so up.sh did not make it"
  fi
fi
exit 0
