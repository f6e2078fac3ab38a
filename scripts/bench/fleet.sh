#!/usr/bin/env bash
# Measure Chorus as a fleet, against its peers, in one run (every figure is measured here,
# now, on this machine; nothing is copied from an earlier run):
#
#   1. `chorus bench fleet` at each size (simulated nodes, each with its own connection and
#      the real node pipeline) against chorus broker with both connector dialects, RabbitMQ
#      (rabbitmq dialect) and ActiveMQ (activemq dialect);
#   2. 20 real `mcollectived` against 20 `chorus server` processes on one chorus broker:
#      time from start to subscribed (the broker's statistics), resident memory of each,
#      and each node kind's ping round trip;
#   3. `mco rpc rpcutil ping -I NODE` against `chorus rpc rpcutil ping -I NODE` for the same
#      node: whole-process wall time, median of repeated runs.
#
# It prints each figure and the ratios, and keeps everything (text, JSON, logs) in the
# results directory.
#
#   scripts/bench/fleet.sh                                # sizes 100 1000 5000 10000 19000
#   scripts/bench/fleet.sh --sizes "100 1000" --skip-servers
#   scripts/bench/fleet.sh --skip-peers --sizes 19000
#
# Options: --sizes "N …" [100 1000 5000 10000 19000], --rounds R [3], --runs K (wall-time
# repetitions) [15], --skip-peers (chorus broker only), --skip-servers (no part 2 and 3),
# --skip-fleet (parts 2 and 3 only), --out DIR [/tmp/chorus-bench-fleet/results-<time>].
#
# RabbitMQ and ActiveMQ come from scripts/interop/up.sh with their own state dir and ports
# (INTEROP_DIR=/tmp/chorus-bench-fleet, STOMP on 64623 and 64633, epmd 4373, Erlang
# distribution 25676, node chorus_fleet@localhost), so an interop harness or
# scripts/bench/broker.sh on the default ports is never touched. Each peer is started fresh
# for its own run and stopped after it, so no broker but the measured one runs (and a peer
# that ran out of memory in one run cannot slow the next). The open-file soft limit is raised
# to the hard limit first: the brokers, the fleet workers and the nodes inherit it.
#
# Environment: BENCH_SKIP_BUILD=1 uses the existing .build/release/chorus.
# Exit codes: 0 every run completed with no reply lost; 1 some run failed or lost replies
# (the summary says which); up.sh's code when the brokers cannot start (2 = packages missing:
# run scripts/interop/install.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
INTEROP="$ROOT/scripts/interop"

export INTEROP_DIR=/tmp/chorus-bench-fleet
export INTEROP_EPMD_PORT=4373
export INTEROP_RABBITMQ_DIST_PORT=25676
export INTEROP_RABBITMQ_NODENAME=chorus_fleet@localhost
RABBITMQ_PORT=64623
ACTIVEMQ_PORT=64633
PSK=s3cr3t

SIZES="100 1000 5000 10000 19000"
ROUNDS=3
RUNS=15
PEERS=1
FLEET=1
SERVERS=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --skip-peers) PEERS=0; shift ;;
    --skip-servers) SERVERS=0; shift ;;
    --skip-fleet) FLEET=0; PEERS=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "fleet.sh: unknown argument '$1' (try --help)" >&2; exit 1 ;;
  esac
done
OUT="${OUT:-$INTEROP_DIR/results-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
say() { printf '[fleet %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Descriptors: the brokers, the fleet workers and the nodes inherit this soft limit.
ulimit -n "$(ulimit -Hn)"

# ------------------------------------------------------------------ teardown
started_pids=()      # chorus broker, daemons started for part 2
teardown() {
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$INTEROP_DIR/mcollectived" ] && INTEROP_DIR="$INTEROP_DIR/mcollectived" "$INTEROP/down.sh" --only nodes >/dev/null 2>&1 || true
  [ "$PEERS" = 0 ] || "$INTEROP/down.sh" --only rabbitmq,activemq >/dev/null 2>&1 || true
}
trap teardown EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "building the release binary"
  (cd "$ROOT" && flock /tmp/chorus-swift.lock swift build -c release --product chorus >&2)
fi
CHORUS="$ROOT/.build/release/chorus"
"$INTEROP/install.sh" --check >/dev/null

# peer rabbitmq|activemq N: a fresh broker from up.sh, one fleet run against it, the broker stopped
peer() {
  local kind="$1" n="$2" port
  [ "$kind" = rabbitmq ] && port="$RABBITMQ_PORT" || port="$ACTIVEMQ_PORT"
  say "starting $kind on $port (scripts/interop/up.sh)"
  "$INTEROP/up.sh" --broker "$kind" --nodes 0 --rabbitmq-port "$RABBITMQ_PORT" --activemq-port "$ACTIVEMQ_PORT" >/dev/null 2>"$OUT/$kind-$n.up.log"
  local pidfile="$INTEROP_DIR/pids/$([ "$kind" = rabbitmq ] && echo rabbitmq-beam || echo activemq).pid"
  fleet "$kind" "$n" --connector "$kind" --broker-kind "$kind" --connect-timeout 600 \
    --broker "127.0.0.1:$port,pid=$(cat "$pidfile")"
  "$INTEROP/down.sh" --only "$kind" >/dev/null 2>&1 || say "  down.sh could not stop $kind (see $INTEROP_DIR)"
}

# ------------------------------------------------------------------ 1. fleets
# value NAME N JQ: a figure of one run's JSON; ratio A B: A ÷ B; num X: X rounded
value() { [ -f "$OUT/$1-$2.json" ] && jq -r "$3 // empty" "$OUT/$1-$2.json" || true; }
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; else echo "-"; fi; }
num() { if [ -n "$1" ]; then awk -v a="$1" 'BEGIN { printf "%.0f", a }'; else echo "-"; fi; }
failures=()
# why ERRFILE: the error a failed run reported
why() { grep -m 1 '^Error:' "$1" | sed 's/^Error: chorus bench: //' | cut -c1-200 || tail -n 1 "$1"; }
# fleet NAME N ARGS…: one chorus bench fleet run; text in NAME-N.txt, its JSON line in NAME-N.json
fleet() {
  local name="$1" n="$2"; shift 2
  local base="$OUT/$name-$n" status=0
  say "fleet: $name, $n nodes (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  cut -d' ' -f1 /proc/loadavg > "$base.load"
  "$CHORUS" bench fleet --nodes "$n" --rounds "$ROUNDS" --json --directory "$base.logs" "$@" >"$base.txt" 2>"$base.err" || status=$?
  if tail -n 1 "$base.txt" | grep -q '^{'; then
    tail -n 1 "$base.txt" > "$base.json"
    say "  $(jq -r '"replies \(.replies), lost \(.lost), last reply \(.last_reply_ms) ms, \(.replies_per_second|floor) replies/s, broker \(.broker_messages_per_second // 0|floor) msg/s, \(.broker_rss_per_connection_bytes // 0|floor) B/connection"' "$base.json")"
  fi
  if [ "$status" != 0 ]; then
    failures+=("$name at $n nodes: exit $status: $(why "$base.err")")
    say "  FAILED (exit $status): $(tail -n 2 "$base.err" | tr '\n' ' ')"
  fi
}

[ "$FLEET" = 1 ] || SIZES=""
for n in $SIZES; do
  fleet chorus-activemq "$n" --connector activemq
  fleet chorus-rabbitmq "$n" --connector rabbitmq
  if [ "$PEERS" = 1 ]; then
    peer rabbitmq "$n"
    peer activemq "$n"
  fi
done

# ------------------------------------------------------------------ summary of 1
# Every size with results in $OUT (so a run resumed into the same --out is summarised whole).
SIZES="$(ls "$OUT" | sed -n 's/^[a-z-]*-\([0-9][0-9]*\)\.txt$/\1/p' | sort -nu | tr '\n' ' ')"
if [ "$FLEET" = 1 ]; then
{
  echo "Fleet: chorus bench fleet, $ROUNDS rounds; $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "(load: the 1-minute load average just before each run; the machine is shared)"
  echo
  printf '%-16s %7s %6s %6s %10s %10s %10s %12s %12s %10s %8s %8s %5s\n' \
    broker nodes lost conn_ms first_ms last_ms replies/s broker_msg/s B/conn brokerRSS brkCPU wrkCPU load
  for n in $SIZES; do
    for name in chorus-activemq activemq chorus-rabbitmq rabbitmq; do
      [ -f "$OUT/$name-$n.json" ] || { [ -f "$OUT/$name-$n.txt" ] && printf '%-16s %7s  failed: %s\n' "$name" "$n" "$(why "$OUT/$name-$n.err" | cut -c1-130)"; continue; }
      printf '%-16s %7s %6s %6s %10s %10s %10s %12s %12s %9sM %8s %8s %5s\n' "$name" "$n" \
        "$(value "$name" "$n" .lost)" "$(num "$(value "$name" "$n" .connect_ms)")" \
        "$(value "$name" "$n" .first_reply_ms)" "$(value "$name" "$n" .last_reply_ms)" \
        "$(num "$(value "$name" "$n" .replies_per_second)")" "$(num "$(value "$name" "$n" .broker_messages_per_second)")" \
        "$(num "$(value "$name" "$n" .broker_rss_per_connection_bytes)")" \
        "$(awk -v b="$(value "$name" "$n" .broker_rss_bytes)" 'BEGIN { printf "%.0f", b / 1048576 }')" \
        "$(value "$name" "$n" .processes.broker.cpu_seconds)" "$(value "$name" "$n" .processes.workers.cpu_seconds)" \
        "$(cat "$OUT/$name-$n.load" 2>/dev/null)"
    done
  done
  echo
  echo "Broadcast round trip (time to the last reply, median of $ROUNDS rounds) against fleet size; # = 2 % of the longest"
  longest="$(cat "$OUT"/*-*.json 2>/dev/null | jq -s 'map(.last_reply_ms) | max // 1')"
  for n in $SIZES; do
    for name in chorus-activemq chorus-rabbitmq rabbitmq activemq; do
      ms="$(value "$name" "$n" .last_reply_ms)"
      [ -n "$ms" ] || continue
      bar="$(awk -v v="$ms" -v m="$longest" 'BEGIN { n = int(v / m * 50 + 0.5); if (n < 1) n = 1; s = ""; for (i = 0; i < n; i++) s = s "#"; print s }')"
      printf '%7s %-16s %-50s %8.0f ms\n' "$n" "$name" "$bar" "$ms"
    done
  done
  if [ "$PEERS" = 1 ]; then
    echo
    echo "Ratios, same run (chorus broker ÷ peer, same connector dialect): last reply (lower is better),"
    echo "replies/s at the client and broker messages/s in the sustained scenario (higher is better), broker RSS per connection"
    printf '%7s %-9s %10s %10s %12s %10s\n' nodes peer last_reply replies/s broker_msg/s B/conn
    for n in $SIZES; do
      for pair in "rabbitmq chorus-rabbitmq" "activemq chorus-activemq"; do
        set -- $pair
        printf '%7s %-9s %10s %10s %12s %10s\n' "$n" "$1" \
          "$(ratio "$(value "$2" "$n" .last_reply_ms)" "$(value "$1" "$n" .last_reply_ms)")" \
          "$(ratio "$(value "$2" "$n" .replies_per_second)" "$(value "$1" "$n" .replies_per_second)")" \
          "$(ratio "$(value "$2" "$n" .broker_messages_per_second)" "$(value "$1" "$n" .broker_messages_per_second)")" \
          "$(ratio "$(value "$2" "$n" .broker_rss_per_connection_bytes)" "$(value "$1" "$n" .broker_rss_per_connection_bytes)")"
      done
    done
  fi
} | tee "$OUT/fleet-summary.txt"
fi

# ------------------------------------------------------------------ 2. and 3. real daemons
if [ "$SERVERS" = 1 ]; then
  say "servers: a chorus broker with statistics for 20 mcollectived and 20 chorus server"
  S="$OUT/servers"
  mkdir -p "$S"
  "$CHORUS" broker --listen 127.0.0.1:0 --port-file "$S/broker.port" --stats-listen 127.0.0.1:0 --loglevel warn >"$S/broker.log" 2>&1 &
  BROKER_PID=$!
  started_pids+=("$BROKER_PID")
  for _ in $(seq 100); do [ -s "$S/broker.port" ] && break; sleep 0.1; done
  PORT="$(head -n 1 "$S/broker.port")"
  STATS_PORT="$(ss -Hltnp | grep "pid=$BROKER_PID," | awk '{print $4}' | sed 's/.*://' | grep -vx "$PORT" | head -n 1)"
  [ -n "$STATS_PORT" ] || { echo "fleet.sh: cannot find the chorus broker's statistics port" >&2; exit 1; }
  subscriptions() { "$CHORUS" broker stats --url "http://127.0.0.1:$STATS_PORT" --json | jq '.stats.subscriptions'; }

  # The real MCollective nodes' configuration, proven by up.sh (mco find lists all 20).
  M="$INTEROP_DIR/mcollectived"
  INTEROP_DIR="$M" "$INTEROP/up.sh" --broker none --port "$PORT" --connector activemq --nodes 20 --prefix mco --psk "$PSK" >/dev/null
  per_mco=$(( $(subscriptions) / 20 ))
  INTEROP_DIR="$M" "$INTEROP/down.sh" --only nodes >/dev/null
  for _ in $(seq 100); do [ "$(subscriptions)" = 0 ] && break; sleep 0.1; done
  say "servers: mcollectived makes $per_mco subscriptions each"

  # Chorus nodes with the same settings: activemq connector, psk, YAML facts, rpcutil (+ discovery).
  for i in $(seq 1 20); do
    d="$S/nodes/chorus$i"
    mkdir -p "$d"
    printf -- '---\nrole: web\nhostname: chorus%s\n' "$i" > "$d/facts.yaml"
    cat > "$d/server.cfg" <<EOF
identity = chorus$i
main_collective = mcollective
collectives = mcollective
connector = activemq
plugin.activemq.pool.size = 1
plugin.activemq.pool.1.host = 127.0.0.1
plugin.activemq.pool.1.port = $PORT
plugin.activemq.pool.1.user = mcollective
plugin.activemq.pool.1.password = marionette
securityprovider = psk
plugin.psk = $PSK
factsource = yaml
plugin.yaml = $d/facts.yaml
logfile = $d/server.log
loglevel = info
activate_agents = 0
plugin.rpcutil.activate_agent = 1
EOF
  done
  cat > "$S/client.cfg" <<EOF
identity = chorus-client
main_collective = mcollective
collectives = mcollective
connector = activemq
plugin.activemq.pool.size = 1
plugin.activemq.pool.1.host = 127.0.0.1
plugin.activemq.pool.1.port = $PORT
plugin.activemq.pool.1.user = mcollective
plugin.activemq.pool.1.password = marionette
securityprovider = psk
plugin.psk = $PSK
logger_type = console
loglevel = warn
EOF

  say "servers: starting 20 mcollectived one by one"
  "$CHORUS" bench startup --stats "127.0.0.1:$STATS_PORT" --count 20 --subscriptions "$per_mco" --log-directory "$S" \
    --pids-file "$S/mco.pids" --json -- /usr/sbin/mcollectived "--config=$M/nodes/mco{n}/server.cfg" --no-daemonize > "$S/mcollectived.txt"
  mapfile -t pids < "$S/mco.pids"; started_pids+=("${pids[@]}")
  say "servers: starting 20 chorus server one by one"
  "$CHORUS" bench startup --stats "127.0.0.1:$STATS_PORT" --count 20 --subscriptions 3 --log-directory "$S" \
    --pids-file "$S/chorus.pids" --json -- "$CHORUS" server -c "$S/nodes/chorus{n}/server.cfg" > "$S/chorus-server.txt"
  mapfile -t pids < "$S/chorus.pids"; started_pids+=("${pids[@]}")

  # Memory beyond RSS: RSS counts the shared libraries' and the executable's pages each
  # process touched (shared between processes of one kind); RssAnon is the process's own
  # heap and stacks; Pss splits shared pages among their users.
  memory() {   # memory PIDSFILE: "median RSS / RssAnon / Pss in MiB"
    local pid kind
    for kind in VmRSS RssAnon; do
      while read -r pid; do awk -v k="$kind:" '$1 == k { print $2 }' "/proc/$pid/status"; done < "$1" \
        | sort -n | awk '{ v[NR] = $1 } END { printf "%s %.1f MiB", "'"$kind"'", v[int((NR + 1) / 2)] / 1024 }'
      printf ', '
    done
    while read -r pid; do awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup"; done < "$1" \
      | sort -n | awk '{ v[NR] = $1 } END { printf "Pss %.1f MiB", v[int((NR + 1) / 2)] / 1024 }'
  }
  mco_memory="$(memory "$S/mco.pids")"
  chorus_memory="$(memory "$S/chorus.pids")"

  # Round trip per node kind, from one client: chorus ping's per-node times.
  "$CHORUS" ping -c "$S/client.cfg" -I /^mco/ --json > "$S/ping-mco.json"
  "$CHORUS" ping -c "$S/client.cfg" -I /^chorus[0-9]/ --json > "$S/ping-chorus.json"

  # 3. Whole-process wall time of one directed request, median of $RUNS (after one warm-up run).
  wall() {   # wall NAME COMMAND…: median milliseconds of $RUNS runs
    local name="$1" i t0 t1; shift
    "$@" >/dev/null 2>&1 || true
    : > "$S/wall-$name.txt"
    for i in $(seq "$RUNS"); do
      t0=$EPOCHREALTIME
      "$@" >/dev/null 2>>"$S/wall-$name.err" || echo "run $i failed" >> "$S/wall-$name.err"
      t1=$EPOCHREALTIME
      awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$S/wall-$name.txt"
    done
    sort -n "$S/wall-$name.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  }
  MCO=(/usr/bin/mco rpc rpcutil ping --config "$M/client.cfg")
  CH=("$CHORUS" rpc rpcutil ping -c "$S/client.cfg")
  mco_mco="$(wall mco-to-mcollectived "${MCO[@]}" -I mco1)"
  chorus_mco="$(wall chorus-to-mcollectived "${CH[@]}" -I mco1)"
  mco_chorus="$(wall mco-to-chorus "${MCO[@]}" -I chorus1)"
  chorus_chorus="$(wall chorus-to-chorus "${CH[@]}" -I chorus1)"

  median_ping() { jq '[.[] | .time // .milliseconds // .ms] | sort | .[(length - 1) / 2 | floor]' "$1" 2>/dev/null || echo "-"; }
  {
    echo
    echo "Real daemons on one chorus broker (activemq connector, psk), started one at a time:"
    printf '%-14s %s\n' mcollectived "$(tail -n 2 "$S/mcollectived.txt" | head -n 1)"
    printf '%-14s %s\n' "chorus server" "$(tail -n 2 "$S/chorus-server.txt" | head -n 1)"
    mco_start="$(tail -n 1 "$S/mcollectived.txt" | jq .startup_ms_median)"; ch_start="$(tail -n 1 "$S/chorus-server.txt" | jq .startup_ms_median)"
    mco_rss="$(tail -n 1 "$S/mcollectived.txt" | jq .rss_bytes_median)"; ch_rss="$(tail -n 1 "$S/chorus-server.txt" | jq .rss_bytes_median)"
    echo "  ratio mcollectived ÷ chorus server: start to subscribed $(ratio "$mco_start" "$ch_start")×, resident memory $(ratio "$mco_rss" "$ch_rss")×"
    echo "  memory, medians: mcollectived $mco_memory; chorus server $chorus_memory"
    echo "  ping round trip, median over 20 nodes (chorus ping): mcollectived $(median_ping "$S/ping-mco.json") ms, chorus server $(median_ping "$S/ping-chorus.json") ms"
    echo
    echo "One directed request, whole-process wall time, median of $RUNS runs (ms):"
    printf '  %-26s %8s %8s\n' "" "-I mco1" "-I chorus1"
    printf '  %-26s %8s %8s\n' "mco rpc rpcutil ping" "$mco_mco" "$mco_chorus"
    printf '  %-26s %8s %8s\n' "chorus rpc rpcutil ping" "$chorus_mco" "$chorus_chorus"
    echo "  ratio mco ÷ chorus, same node: $(ratio "$mco_mco" "$chorus_mco")× (mcollectived node), $(ratio "$mco_chorus" "$chorus_chorus")× (chorus node)"
  } | tee "$OUT/servers-summary.txt"
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "Failed runs:"; printf '  %s\n' "${failures[@]}"
fi
echo "Results: $OUT"
lost="$(cat "$OUT"/*.json 2>/dev/null | jq -s 'map(.lost) | add // 0')"
[ "${#failures[@]}" = 0 ] && [ "$lost" = 0 ]
