# Shared helpers for install.sh, up.sh and down.sh. Sourced, never run.
# shellcheck shell=bash

# Exit codes shared by the three scripts (documented in README.md).
# shellcheck disable=SC2034
readonly EXIT_USAGE=1      # bad flag or value, not root
readonly EXIT_PACKAGES=2   # Debian packages missing or apt-get failed
readonly EXIT_PORT=3       # a port is taken by something these scripts did not start
readonly EXIT_TIMEOUT=4    # a broker or node did not become ready in time
readonly EXIT_CONFLICT=5   # already running with other settings
readonly EXIT_NO_BROKER=6  # nodes asked for but no broker listens on their port

INTEROP_SCRIPT="${INTEROP_SCRIPT:-interop}"

log() { printf '[%s %s] %s\n' "$INTEROP_SCRIPT" "$(date +%H:%M:%S)" "$*" >&2; }

# die CODE MESSAGE...
die() {
  local code="$1"; shift
  log "ERROR: $*"
  exit "$code"
}

now() { date +%s.%N; }

# since START -> seconds elapsed with two decimals
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_owner PORT: best-effort "name(pid)" of the listener, for error messages
port_owner() {
  command -v ss >/dev/null 2>&1 || { echo "unknown process"; return 0; }
  local line
  line="$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1)"
  [ -n "$line" ] || { echo "unknown process"; return 0; }
  printf '%s\n' "$line" | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | tr -d '"'
}

# wait_port PORT SECONDS: poll until the port accepts connections
wait_port() {
  local port="$1" limit="$2" start
  start="$(date +%s)"
  until port_open "$port"; do
    [ $(( $(date +%s) - start )) -lt "$limit" ] || return 1
    sleep 0.2
  done
}

# pid_alive PIDFILE [CMDLINE-SUBSTRING]: true when the recorded process still runs
# and (if given) its command line contains the substring, so a recycled pid is
# never mistaken for ours.
pid_alive() {
  local file="$1" want="${2:-}" pid cmd
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -z "$want" ] && return 0
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
  [[ "$cmd" == *"$want"* ]]
}

# usage: print the calling script's header comment (line 2 up to the first code line)
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; }

# require_root: the brokers and the packages need root
require_root() {
  [ "$(id -u)" = 0 ] || die "$EXIT_USAGE" "run as root"
}
