#!/usr/bin/env bash
# Install the Debian packages the interop harness needs: the real MCollective 2.12
# (server + client), RabbitMQ with its STOMP plugin, ActiveMQ, and the stomp gem.
# Idempotent: installed packages are skipped, and `apt-get update` only runs when
# something is missing. The packages' own services are never started (a temporary
# /usr/sbin/policy-rc.d denies every start; an existing one is left as it is).
#
#   scripts/interop/install.sh           install whatever is missing
#   scripts/interop/install.sh --check   install nothing; exit 2 if anything is missing
#
# Exit codes: 0 ready, 1 usage / not root, 2 packages missing (--check) or apt-get failed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP_SCRIPT=install
# shellcheck source=lib.sh
. "$HERE/lib.sh"

CHECK_ONLY=0
case "${1:-}" in
  "") ;;
  --check) CHECK_ONLY=1 ;;
  -h|--help) usage; exit 0 ;;
  *) die "$EXIT_USAGE" "unknown argument '$1' (try --help)" ;;
esac

# rabbitmq-server pulls in erlang (epmd) and ships rabbitmq_stomp; activemq pulls in
# a JRE; mcollective pulls in ruby. openssl makes the ssl security provider's keys.
# puppet is the real Puppet the puppet and puppetral agents' tests drive (masterless apply,
# `puppet resource` as the oracle for resource fields; Debian's Puppet 7 needs the host-core
# module for its `host` type).
PACKAGES=(mcollective mcollective-client rabbitmq-server activemq ruby-stomp openssl puppet puppet-module-puppetlabs-host-core)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

MISSING=()
for p in "${PACKAGES[@]}"; do installed "$p" || MISSING+=("$p"); done

if [ "${#MISSING[@]}" -eq 0 ]; then
  log "all packages present: ${PACKAGES[*]}"
  exit 0
fi
if [ "$CHECK_ONLY" = 1 ]; then
  log "missing packages: ${MISSING[*]} (run scripts/interop/install.sh as root)"
  exit "$EXIT_PACKAGES"
fi
require_root

POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
cleanup() { if [ "$OWN_POLICY" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# chorus interop install.sh: start no service during package installs\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  OWN_POLICY=1
fi

APT_LOG="$(mktemp /tmp/chorus-interop-apt.XXXXXX)"
export DEBIAN_FRONTEND=noninteractive
T0="$(now)"
log "installing: ${MISSING[*]}"
if ! apt-get update -q >"$APT_LOG" 2>&1; then
  tail -n 20 "$APT_LOG" >&2
  die "$EXIT_PACKAGES" "apt-get update failed (full log: $APT_LOG)"
fi
if ! apt-get install -y -q --no-install-recommends "${MISSING[@]}" >>"$APT_LOG" 2>&1; then
  tail -n 30 "$APT_LOG" >&2
  die "$EXIT_PACKAGES" "apt-get install ${MISSING[*]} failed (full log: $APT_LOG)"
fi

STILL=()
for p in "${PACKAGES[@]}"; do installed "$p" || STILL+=("$p"); done
[ "${#STILL[@]}" -eq 0 ] || die "$EXIT_PACKAGES" "still not installed after apt-get: ${STILL[*]} (log: $APT_LOG)"
for f in /usr/sbin/mcollectived /usr/bin/mco /usr/lib/rabbitmq/bin/rabbitmq-server \
         /usr/share/activemq/bin/activemq.jar; do
  [ -e "$f" ] || die "$EXIT_PACKAGES" "expected file $f is missing after install"
done
rm -f "$APT_LOG"
log "installed ${MISSING[*]} in $(since "$T0") s"
