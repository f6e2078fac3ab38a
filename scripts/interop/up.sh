#!/usr/bin/env bash
# Start, on 127.0.0.1, the real systems Chorus is tested against: RabbitMQ 3.10
# (rabbitmq_stomp), ActiveMQ 5.17 and N real MCollective 2.12 `mcollectived` nodes,
# plus a client.cfg and an `mco` wrapper. Everything lives under $INTEROP_DIR.
#
#   up.sh [--broker rabbitmq|activemq|both|none] [--connector rabbitmq|activemq]
#         [--port N] [--rabbitmq-port N] [--activemq-port N] [--nodes N] [--prefix P]
#         [--security psk|ssl] [--serializer marshal|yaml] [--psk KEY]
#         [--collectives C1,C2] [--heartbeat S] [--loglevel L] [--timeout S]
#         [--tls 0|1] [--rabbitmq-tls-port N] [--activemq-tls-port N]
#
# Every flag has an environment variable (flags win); see README.md for the table.
# --tls 1: brokers started now also get a TLS listener (client certificates required), and
# the nodes and client.cfg connect over TLS with MCollective's pool.1.ssl* keys.
# Idempotent: what already runs from this state dir is reused, never duplicated.
# On success prints the state (KEY=VALUE lines, also in $INTEROP_DIR/state.env) on
# stdout; progress and timings go to stderr.
#
# Exit codes: 0 up, 1 usage / not root, 2 packages missing, 3 port taken by a
# foreign process, 4 something did not become ready in time, 5 already running
# with other settings, 6 no broker listening on --port for the nodes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INTEROP_SCRIPT=up
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# ------------------------------------------------------------------ settings
DIR="${INTEROP_DIR:-/tmp/chorus-interop}"
BROKERS="${INTEROP_BROKERS:-}"
CONNECTOR="${INTEROP_CONNECTOR:-}"
PORT="${INTEROP_PORT:-}"
RABBITMQ_PORT="${INTEROP_RABBITMQ_PORT:-}"
ACTIVEMQ_PORT="${INTEROP_ACTIVEMQ_PORT:-}"
NODES="${INTEROP_NODES:-3}"
PREFIX="${INTEROP_PREFIX:-node}"
SECURITY="${INTEROP_SECURITY:-psk}"
SERIALIZER="${INTEROP_SERIALIZER:-marshal}"
PSK="${INTEROP_PSK:-s3cr3t}"
COLLECTIVES="${INTEROP_COLLECTIVES:-mcollective}"
HEARTBEAT="${INTEROP_HEARTBEAT:-0}"
LOGLEVEL="${INTEROP_LOGLEVEL:-info}"
TIMEOUT="${INTEROP_TIMEOUT:-90}"
EPMD_PORT="${INTEROP_EPMD_PORT:-4370}"
DIST_PORT="${INTEROP_RABBITMQ_DIST_PORT:-25673}"
RABBITMQ_NODENAME="${INTEROP_RABBITMQ_NODENAME:-chorus_interop@localhost}"
TLS="${INTEROP_TLS:-0}"
RABBITMQ_TLS_PORT="${INTEROP_RABBITMQ_TLS_PORT:-61624}"
ACTIVEMQ_TLS_PORT="${INTEROP_ACTIVEMQ_TLS_PORT:-61634}"

need() { [ $# -ge 2 ] || die "$EXIT_USAGE" "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --broker|--brokers) need "$@"; BROKERS="$2"; shift 2 ;;
    --connector)        need "$@"; CONNECTOR="$2"; shift 2 ;;
    --port)             need "$@"; PORT="$2"; shift 2 ;;
    --rabbitmq-port)    need "$@"; RABBITMQ_PORT="$2"; shift 2 ;;
    --activemq-port)    need "$@"; ACTIVEMQ_PORT="$2"; shift 2 ;;
    --nodes)            need "$@"; NODES="$2"; shift 2 ;;
    --prefix)           need "$@"; PREFIX="$2"; shift 2 ;;
    --security)         need "$@"; SECURITY="$2"; shift 2 ;;
    --serializer)       need "$@"; SERIALIZER="$2"; shift 2 ;;
    --psk)              need "$@"; PSK="$2"; shift 2 ;;
    --collectives)      need "$@"; COLLECTIVES="$2"; shift 2 ;;
    --heartbeat)        need "$@"; HEARTBEAT="$2"; shift 2 ;;
    --loglevel)         need "$@"; LOGLEVEL="$2"; shift 2 ;;
    --timeout)          need "$@"; TIMEOUT="$2"; shift 2 ;;
    --tls)              need "$@"; TLS="$2"; shift 2 ;;
    --rabbitmq-tls-port) need "$@"; RABBITMQ_TLS_PORT="$2"; shift 2 ;;
    --activemq-tls-port) need "$@"; ACTIVEMQ_TLS_PORT="$2"; shift 2 ;;
    -h|--help)          usage; exit 0 ;;
    *) die "$EXIT_USAGE" "unknown argument '$1' (try --help)" ;;
  esac
done

# Defaults that depend on each other: the connector follows a single broker, the
# brokers follow the connector, and --port moves the connector's own broker.
case "$BROKERS" in both) BROKERS=rabbitmq,activemq ;; esac
if [ -z "$CONNECTOR" ]; then
  case "$BROKERS" in activemq) CONNECTOR=activemq ;; *) CONNECTOR=rabbitmq ;; esac
fi
[ -n "$BROKERS" ] || BROKERS="$CONNECTOR"
[ "$BROKERS" = none ] && BROKERS=""
START_RABBITMQ=0; START_ACTIVEMQ=0
IFS=, read -r -a _brokers <<< "$BROKERS"
for b in "${_brokers[@]}"; do
  case "$b" in
    rabbitmq) START_RABBITMQ=1 ;;
    activemq) START_ACTIVEMQ=1 ;;
    *) die "$EXIT_USAGE" "--broker takes rabbitmq, activemq, both or none (got '$b')" ;;
  esac
done
if [ -n "$PORT" ]; then
  [ "$CONNECTOR" = rabbitmq ] && [ -z "$RABBITMQ_PORT" ] && RABBITMQ_PORT="$PORT"
  [ "$CONNECTOR" = activemq ] && [ -z "$ACTIVEMQ_PORT" ] && ACTIVEMQ_PORT="$PORT"
fi
RABBITMQ_PORT="${RABBITMQ_PORT:-61623}"
ACTIVEMQ_PORT="${ACTIVEMQ_PORT:-61633}"
case "$TLS" in 0|1) ;; *) die "$EXIT_USAGE" "--tls takes 0 or 1" ;; esac
if [ -z "$PORT" ]; then
  if [ "$TLS" = 1 ]; then
    if [ "$CONNECTOR" = activemq ]; then PORT="$ACTIVEMQ_TLS_PORT"; else PORT="$RABBITMQ_TLS_PORT"; fi
  elif [ "$CONNECTOR" = activemq ]; then PORT="$ACTIVEMQ_PORT"; else PORT="$RABBITMQ_PORT"; fi
fi

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
case "$CONNECTOR" in rabbitmq|activemq) ;; *) die "$EXIT_USAGE" "--connector takes rabbitmq or activemq" ;; esac
case "$SECURITY" in psk|ssl) ;; *) die "$EXIT_USAGE" "--security takes psk or ssl" ;; esac
case "$SERIALIZER" in marshal|yaml) ;; *) die "$EXIT_USAGE" "--serializer takes marshal or yaml" ;; esac
for p in "$PORT" "$RABBITMQ_PORT" "$ACTIVEMQ_PORT" "$EPMD_PORT" "$DIST_PORT" "$RABBITMQ_TLS_PORT" "$ACTIVEMQ_TLS_PORT"; do
  is_port "$p" || die "$EXIT_USAGE" "'$p' is not a TCP port"
done
[[ "$NODES" =~ ^[0-9]+$ ]] || die "$EXIT_USAGE" "--nodes takes a number (0 = brokers only)"
[[ "$PREFIX" =~ ^[A-Za-z][A-Za-z0-9_.-]*$ ]] || die "$EXIT_USAGE" "--prefix must be a word such as node or mco"
[[ "$COLLECTIVES" =~ ^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$ ]] || die "$EXIT_USAGE" "--collectives is a comma list of names such as mcollective,eu"
[[ "$HEARTBEAT" =~ ^[0-9]+$ ]] || die "$EXIT_USAGE" "--heartbeat takes seconds (0 = STOMP 1.0)"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "$EXIT_USAGE" "--timeout takes seconds"
[[ "$PSK" =~ ^[^[:space:]]+$ ]] || die "$EXIT_USAGE" "--psk must not contain spaces"
[ "$START_RABBITMQ$START_ACTIVEMQ" != 11 ] || [ "$RABBITMQ_PORT" != "$ACTIVEMQ_PORT" ] \
  || die "$EXIT_USAGE" "RabbitMQ and ActiveMQ need different ports"
MAIN_COLLECTIVE="${COLLECTIVES%%,*}"
require_root

for f in /usr/sbin/mcollectived /usr/bin/mco; do
  [ -x "$f" ] || die "$EXIT_PACKAGES" "$f missing: run scripts/interop/install.sh first"
done
[ "$START_RABBITMQ" = 0 ] || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] \
  || die "$EXIT_PACKAGES" "rabbitmq-server missing: run scripts/interop/install.sh first"
[ "$START_ACTIVEMQ" = 0 ] || [ -f /usr/share/activemq/bin/activemq.jar ] \
  || die "$EXIT_PACKAGES" "activemq missing: run scripts/interop/install.sh first"

mkdir -p "$DIR/pids"
touch "$DIR/.chorus-interop"          # marker: down.sh --clean only removes marked dirs
exec 9>"$DIR/.lock"
flock -w 600 9 || die "$EXIT_TIMEOUT" "another up.sh/down.sh holds $DIR/.lock"
T_ALL="$(now)"
: > "$DIR/timings.txt"
timing() { log "timing: $1 $2 s"; printf '%s %s\n' "$1" "$2" >> "$DIR/timings.txt"; }

# spawn PIDFILE LOG WORKDIR CMD...: start CMD detached (own session, no inherited
# stdout or lock fd, so callers reading our stdout see EOF) and record its pid.
spawn() {
  local pidfile="$1" logfile="$2" workdir="$3"; shift 3
  ( cd "$workdir" && exec setsid "$@" </dev/null >"$logfile" 2>&1 9>&- ) &
  echo $! > "$pidfile"
}

# require_free PORT WHAT: refuse when a foreign process already listens there
require_free() {
  if port_open "$1"; then
    die "$EXIT_PORT" "127.0.0.1:$1 ($2) is already taken by $(port_owner "$1"), which this harness did not start"
  fi
}

# stomp_ready PORT VHOST: a STOMP 1.0 CONNECT as mcollective/marionette is answered CONNECTED
stomp_ready() {
  local reply=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'CONNECT\naccept-version:1.0\nhost:%s\nlogin:mcollective\npasscode:marionette\n\n\0' "$2" >&3
  IFS= read -r -t 5 reply <&3 || true
  printf 'DISCONNECT\n\n\0' >&3 2>/dev/null || true
  exec 3<&- 3>&-
  [ "$reply" = CONNECTED ]
}

# wait_stomp PORT VHOST PIDFILE TAG: until CONNECTED, the timeout, or the process died
wait_stomp() {
  local start
  start="$(date +%s)"
  until stomp_ready "$1" "$2"; do
    pid_alive "$3" "$4" || return 1
    [ $(( $(date +%s) - start )) -lt "$TIMEOUT" ] || return 1
    sleep 0.25
  done
}

# ------------------------------------------------------------------ Ruby 3.1 fix
# Debian's mcollective 2.12.5 calls YAML.safe_load with Psych 3's positional
# arguments, which Psych 4 (Ruby 3.1) rejects with ArgumentError: YAML facts never
# load (facts are silently empty) and the ssl/aes plugins' yaml serializer cannot
# decode anything. MCollective puts each `libdir` first on $LOAD_PATH and loads its
# plugins by relative path, so keyword-argument copies in our libdir win over the
# vendor files; /usr stays untouched and plain `mco --config client.cfg` works too.
LIBDIR="$DIR/plugins"
VENDOR=/usr/lib/ruby/vendor_ruby/mcollective
patch_plugin() {   # patch_plugin RELATIVE-PATH
  local src="$VENDOR/$1" dst="$LIBDIR/mcollective/$1"
  mkdir -p "$(dirname "$dst")"
  sed -e 's/YAML\.safe_load(\([^,()]*\(([^()]*)\)\{0,1\}\), \[Symbol\], \[\], true)/YAML.safe_load(\1, permitted_classes: [Symbol], permitted_symbols: [], aliases: true)/' \
      -e 's/YAML\.safe_load(\([a-z_]*\), \[Symbol, Regexp\])/YAML.safe_load(\1, permitted_classes: [Symbol, Regexp])/' \
      "$src" > "$dst.tmp"
  grep -q 'safe_load(.*permitted_classes' "$dst.tmp" || die "$EXIT_PACKAGES" "Psych 4 patch did not apply to $src"
  ! grep -q 'safe_load([^)]*, \[' "$dst.tmp" || die "$EXIT_PACKAGES" "positional safe_load left in $dst"
  mv "$dst.tmp" "$dst"
}
patch_plugin facts/yaml_facts.rb
patch_plugin security/ssl.rb
patch_plugin security/aes_security.rb

# ------------------------------------------------------------------ TLS material
# One throw-away CA (RSA 2048, what the stomp gem reads) signs the brokers' certificate
# (127.0.0.1 and localhost) and one client certificate shared by every node and client,
# real or Chorus. ActiveMQ gets them as JKS stores made with the JRE's keytool.
T="$DIR/tls"
TLS_STORE_PASS=marionette
issue_tls() {   # issue_tls NAME EXTRA-EXTENSION-LINE
  openssl req -newkey rsa:2048 -nodes -subj "/CN=chorus-interop-$1" \
    -keyout "$T/$1-key.pem" -out "$T/$1.csr" 2>/dev/null
  printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth, clientAuth\n%s\n' "$2" > "$T/$1.ext"
  openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca-key.pem" -CAcreateserial -sha256 \
    -days 365 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null
  chmod 600 "$T/$1-key.pem"
}
make_tls_material() {
  [ -f "$T/truststore.jks" ] && return 0
  local t0
  t0="$(now)"
  rm -rf "$T"
  mkdir -p "$T"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=Chorus Interop CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$T/ca-key.pem" -out "$T/ca.pem" 2>/dev/null
  chmod 600 "$T/ca-key.pem"
  issue_tls broker "subjectAltName = IP:127.0.0.1, DNS:localhost"
  issue_tls client ""
  command -v keytool >/dev/null || die "$EXIT_PACKAGES" "keytool (from the JRE ActiveMQ pulls in) is missing: run scripts/interop/install.sh"
  openssl pkcs12 -export -in "$T/broker.pem" -inkey "$T/broker-key.pem" -certfile "$T/ca.pem" -name broker \
    -passout "pass:$TLS_STORE_PASS" -out "$T/broker.p12"
  keytool -importkeystore -noprompt -srckeystore "$T/broker.p12" -srcstoretype PKCS12 -srcstorepass "$TLS_STORE_PASS" \
    -destkeystore "$T/broker.jks" -deststoretype JKS -deststorepass "$TLS_STORE_PASS" >/dev/null 2>&1 \
    || die "$EXIT_PACKAGES" "keytool could not build $T/broker.jks"
  keytool -importcert -noprompt -alias chorus-interop-ca -file "$T/ca.pem" -keystore "$T/truststore.jks.tmp" \
    -storetype JKS -storepass "$TLS_STORE_PASS" >/dev/null 2>&1 \
    || die "$EXIT_PACKAGES" "keytool could not build $T/truststore.jks"
  mv "$T/truststore.jks.tmp" "$T/truststore.jks"
  timing tls_material "$(since "$t0")"
}
[ "$TLS" = 0 ] || make_tls_material

# require_tls_listener NAME PORTFILE: a broker reused for TLS nodes must have been started with --tls 1
require_tls_listener() {
  [ "$TLS" = 1 ] || return 0
  [ -f "$2" ] || die "$EXIT_CONFLICT" "$1 runs without a TLS listener; run down.sh --only $1, then up.sh --tls 1"
}

# ------------------------------------------------------------------ RabbitMQ
R="$DIR/rabbitmq"
# The environment shared by rabbitmq-server and rabbitmqctl.
RABBIT_ENV=(env HOME="$R" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_NODENAME="$RABBITMQ_NODENAME" RABBITMQ_CONF_ENV_FILE=/dev/null
  RABBITMQ_CONFIG_FILE="$R/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$R/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$R/enabled_plugins" RABBITMQ_MNESIA_BASE="$R/mnesia"
  RABBITMQ_LOG_BASE="$R/log" RABBITMQ_PID_FILE="$R/beam.pid" RABBITMQ_DIST_PORT="$DIST_PORT"
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}")
rabbitmqctl() { "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

write_rabbit_definitions() {   # user, vhost and both exchanges of every collective
  local c first=1
  {
    printf '{"users":[{"name":"mcollective","password":"marionette","tags":"administrator"}],\n'
    printf ' "vhosts":[{"name":"/mcollective"}],\n'
    printf ' "permissions":[{"user":"mcollective","vhost":"/mcollective","configure":".*","write":".*","read":".*"}],\n'
    printf ' "exchanges":['
    for c in ${COLLECTIVES//,/ }; do
      [ "$first" = 1 ] || printf ','
      first=0
      printf '\n  {"name":"%s_broadcast","vhost":"/mcollective","type":"topic","durable":true,"auto_delete":false,"internal":false,"arguments":{}},' "$c"
      printf '\n  {"name":"%s_directed","vhost":"/mcollective","type":"direct","durable":true,"auto_delete":false,"internal":false,"arguments":{}}' "$c"
    done
    printf ']}\n'
  } > "$R/definitions.json"
}

start_rabbitmq() {
  if pid_alive "$DIR/pids/rabbitmq-beam.pid" beam; then
    local was
    was="$(cat "$R/port")"
    [ "$was" = "$RABBITMQ_PORT" ] || die "$EXIT_CONFLICT" "RabbitMQ already runs on $was, not $RABBITMQ_PORT; run down.sh --only rabbitmq first"
    require_tls_listener rabbitmq "$R/tls_port"
    if [ "$(cat "$R/collectives")" != "$COLLECTIVES" ]; then
      log "RabbitMQ: adding the exchanges of collectives $COLLECTIVES"
      write_rabbit_definitions
      rabbitmqctl import_definitions "$R/definitions.json" >/dev/null \
        || die "$EXIT_TIMEOUT" "rabbitmqctl import_definitions failed"
      echo "$COLLECTIVES" > "$R/collectives"
    fi
    log "RabbitMQ already running (pid $(cat "$DIR/pids/rabbitmq-beam.pid")) on 127.0.0.1:$RABBITMQ_PORT, reused"
    return 0
  fi
  rm -f "$DIR/pids/rabbitmq.pid" "$DIR/pids/rabbitmq-beam.pid"
  require_free "$RABBITMQ_PORT" "RabbitMQ STOMP"
  [ "$TLS" = 0 ] || require_free "$RABBITMQ_TLS_PORT" "RabbitMQ STOMP over TLS"
  require_free "$DIST_PORT" "RabbitMQ Erlang distribution"
  pid_alive "$DIR/pids/epmd.pid" epmd || require_free "$EPMD_PORT" "epmd"

  local t0
  t0="$(now)"
  rm -rf "$R"
  mkdir -p "$R/mnesia" "$R/log"
  echo '[rabbitmq_stomp].' > "$R/enabled_plugins"
  cat > "$R/rabbitmq.conf" <<EOF
# chorus interop: loopback only, no AMQP listener, STOMP for MCollective
listeners.tcp = none
stomp.listeners.tcp.1 = 127.0.0.1:$RABBITMQ_PORT
loopback_users = none
default_vhost = /mcollective
default_user = mcollective
default_pass = marionette
definitions.import_backend = local_filesystem
definitions.local.path = $R/definitions.json
EOF
  if [ "$TLS" = 1 ]; then
    cat >> "$R/rabbitmq.conf" <<EOF
# STOMP over TLS; clients must present a certificate from the interop CA
stomp.listeners.ssl.1 = 127.0.0.1:$RABBITMQ_TLS_PORT
ssl_options.cacertfile = $T/ca.pem
ssl_options.certfile = $T/broker.pem
ssl_options.keyfile = $T/broker-key.pem
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
EOF
  fi
  write_rabbit_definitions
  echo "$RABBITMQ_PORT" > "$R/port"
  echo "$COLLECTIVES" > "$R/collectives"

  # A private epmd on its own port keeps clear of any system Erlang node.
  if ! pid_alive "$DIR/pids/epmd.pid" epmd; then
    spawn "$DIR/pids/epmd.pid" "$R/epmd.log" "$R" /usr/bin/epmd -address 127.0.0.1 -port "$EPMD_PORT"
    wait_port "$EPMD_PORT" 10 || die "$EXIT_TIMEOUT" "epmd did not listen on $EPMD_PORT (see $R/epmd.log)"
  fi
  spawn "$DIR/pids/rabbitmq.pid" "$R/stdout.log" "$R" "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server
  wait_stomp "$RABBITMQ_PORT" /mcollective "$DIR/pids/rabbitmq.pid" rabbitmq-server \
    || die "$EXIT_TIMEOUT" "RabbitMQ STOMP not ready on $RABBITMQ_PORT within ${TIMEOUT}s (see $R/stdout.log, $R/log)"
  cp "$R/beam.pid" "$DIR/pids/rabbitmq-beam.pid"
  if [ "$TLS" = 1 ]; then
    wait_port "$RABBITMQ_TLS_PORT" "$TIMEOUT" || die "$EXIT_TIMEOUT" "RabbitMQ STOMP over TLS not listening on $RABBITMQ_TLS_PORT (see $R/log)"
    echo "$RABBITMQ_TLS_PORT" > "$R/tls_port"
    log "RabbitMQ STOMP over TLS ready on 127.0.0.1:$RABBITMQ_TLS_PORT"
  fi
  timing rabbitmq_start "$(since "$t0")"
  log "RabbitMQ STOMP ready on 127.0.0.1:$RABBITMQ_PORT (vhost /mcollective, collectives $COLLECTIVES)"
}

# ------------------------------------------------------------------ ActiveMQ
A="$DIR/activemq"
write_activemq_xml() {
  local c
  {
    cat <<EOF
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
                           http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <!-- chorus interop: loopback STOMP only, in-memory, MCollective's recommended policy -->
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="chorus-interop"
          useJmx="false" persistent="false" schedulePeriodForDestinationPurge="60000"
          dataDirectory="$A/data" tmpDataDirectory="$A/tmp">
    <destinationPolicy>
      <policyMap>
        <policyEntries>
          <!-- MCollective expects producer flow control off for topics -->
          <policyEntry topic="&gt;" producerFlowControl="false"/>
          <!-- reply queues are garbage collected once idle -->
          <policyEntry queue="*.reply.&gt;" gcInactiveDestinations="true" inactiveTimoutBeforeGC="300000"/>
        </policyEntries>
      </policyMap>
    </destinationPolicy>
    <plugins>
      <simpleAuthenticationPlugin>
        <users>
          <authenticationUser username="mcollective" password="marionette" groups="mcollective,everyone"/>
        </users>
      </simpleAuthenticationPlugin>
      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue="&gt;" write="admins" read="admins" admin="admins"/>
              <authorizationEntry topic="&gt;" write="admins" read="admins" admin="admins"/>
EOF
    for c in ${COLLECTIVES//,/ }; do
      cat <<EOF
              <authorizationEntry queue="$c.&gt;" write="mcollective" read="mcollective" admin="mcollective"/>
              <authorizationEntry topic="$c.&gt;" write="mcollective" read="mcollective" admin="mcollective"/>
EOF
    done
    cat <<EOF
              <authorizationEntry topic="ActiveMQ.Advisory.&gt;" read="everyone" write="everyone" admin="everyone"/>
            </authorizationEntries>
          </authorizationMap>
        </map>
      </authorizationPlugin>
    </plugins>
EOF
    if [ "$TLS" = 1 ]; then
      cat <<EOF
    <sslContext>
      <sslContext keyStore="file:$T/broker.jks" keyStorePassword="$TLS_STORE_PASS"
                  trustStore="file:$T/truststore.jks" trustStorePassword="$TLS_STORE_PASS"/>
    </sslContext>
EOF
    fi
    cat <<EOF
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp+nio://127.0.0.1:$ACTIVEMQ_PORT"/>
EOF
    [ "$TLS" = 0 ] || echo "      <transportConnector name=\"stomp+ssl\" uri=\"stomp+ssl://127.0.0.1:$ACTIVEMQ_TLS_PORT?needClientAuth=true\"/>"
    cat <<EOF
    </transportConnectors>
  </broker>
</beans>
EOF
  } > "$A/conf/activemq.xml"
}

start_activemq() {
  if pid_alive "$DIR/pids/activemq.pid" activemq.jar; then
    local was c
    was="$(cat "$A/port")"
    [ "$was" = "$ACTIVEMQ_PORT" ] || die "$EXIT_CONFLICT" "ActiveMQ already runs on $was, not $ACTIVEMQ_PORT; run down.sh --only activemq first"
    require_tls_listener activemq "$A/tls_port"
    for c in ${COLLECTIVES//,/ }; do
      grep -qx "$c" <(tr , '\n' < "$A/collectives") \
        || die "$EXIT_CONFLICT" "ActiveMQ runs without authorization for collective '$c'; run down.sh --only activemq, then up.sh --collectives $COLLECTIVES"
    done
    log "ActiveMQ already running (pid $(cat "$DIR/pids/activemq.pid")) on 127.0.0.1:$ACTIVEMQ_PORT, reused"
    return 0
  fi
  rm -f "$DIR/pids/activemq.pid"
  require_free "$ACTIVEMQ_PORT" "ActiveMQ STOMP"
  [ "$TLS" = 0 ] || require_free "$ACTIVEMQ_TLS_PORT" "ActiveMQ STOMP over TLS"

  local t0
  t0="$(now)"
  rm -rf "$A"
  mkdir -p "$A/conf" "$A/data" "$A/tmp"
  # Debian's ActiveMQ logs through slf4j + log4j 1.2, found on the conf classpath.
  cat > "$A/conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, console
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p %c{1} - %m%n
EOF
  write_activemq_xml
  echo "$ACTIVEMQ_PORT" > "$A/port"
  echo "$COLLECTIVES" > "$A/collectives"
  # The module flags are the ones Debian's /usr/bin/activemq passes on Java 17.
  spawn "$DIR/pids/activemq.pid" "$A/stdout.log" "$A" java -Xms128M -Xmx256M \
    --add-reads=java.xml=java.logging \
    --add-opens java.base/java.security=ALL-UNNAMED --add-opens java.base/java.net=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.naming/javax.naming.spi=ALL-UNNAMED --add-opens java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED \
    --add-opens java.base/java.util.concurrent=ALL-UNNAMED --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    -Djava.awt.headless=true -Djava.io.tmpdir="$A/tmp" \
    -Dactivemq.classpath="$A/conf" -Dactivemq.home=/usr/share/activemq -Dactivemq.base="$A" \
    -Dactivemq.conf="$A/conf" -Dactivemq.data="$A/data" \
    -jar /usr/share/activemq/bin/activemq.jar start "xbean:file:$A/conf/activemq.xml"
  wait_stomp "$ACTIVEMQ_PORT" "$MAIN_COLLECTIVE" "$DIR/pids/activemq.pid" activemq.jar \
    || die "$EXIT_TIMEOUT" "ActiveMQ STOMP not ready on $ACTIVEMQ_PORT within ${TIMEOUT}s (see $A/stdout.log)"
  if [ "$TLS" = 1 ]; then
    wait_port "$ACTIVEMQ_TLS_PORT" "$TIMEOUT" || die "$EXIT_TIMEOUT" "ActiveMQ STOMP over TLS not listening on $ACTIVEMQ_TLS_PORT (see $A/stdout.log)"
    echo "$ACTIVEMQ_TLS_PORT" > "$A/tls_port"
    log "ActiveMQ STOMP over TLS ready on 127.0.0.1:$ACTIVEMQ_TLS_PORT"
  fi
  timing activemq_start "$(since "$t0")"
  log "ActiveMQ STOMP ready on 127.0.0.1:$ACTIVEMQ_PORT"
}

[ "$START_RABBITMQ" = 0 ] || start_rabbitmq
[ "$START_ACTIVEMQ" = 0 ] || start_activemq

# ------------------------------------------------------------------ ssl keys
# Throw-away RSA keys: one pair shared by every node (signs replies), one client
# pair whose public half sits in the nodes' client cert dir as mcoclient.pem (the
# request's callerid is cert=mcoclient).
S="$DIR/ssl"
if [ "$SECURITY" = ssl ] && [ ! -f "$S/clients/mcoclient.pem" ]; then
  mkdir -p "$S/clients"
  openssl genrsa -out "$S/server-private.pem" 2048 2>/dev/null
  openssl rsa -in "$S/server-private.pem" -pubout -out "$S/server-public.pem" 2>/dev/null
  openssl genrsa -out "$S/mcoclient-private.pem" 2048 2>/dev/null
  openssl rsa -in "$S/mcoclient-private.pem" -pubout -out "$S/clients/mcoclient.pem" 2>/dev/null
  chmod 600 "$S/server-private.pem" "$S/mcoclient-private.pem"
fi

# ------------------------------------------------------------------ configs
# connection_cfg IDENTITY: the part of server.cfg and client.cfg both share
connection_cfg() {
  cat <<EOF
main_collective = $MAIN_COLLECTIVE
collectives = $COLLECTIVES
libdir = $LIBDIR
identity = $1
factsource = yaml
connector = $CONNECTOR
plugin.$CONNECTOR.pool.size = 1
plugin.$CONNECTOR.pool.1.host = 127.0.0.1
plugin.$CONNECTOR.pool.1.port = $PORT
plugin.$CONNECTOR.pool.1.user = mcollective
plugin.$CONNECTOR.pool.1.password = marionette
EOF
  [ "$CONNECTOR" = activemq ] || echo "plugin.rabbitmq.vhost = /mcollective"
  [ "$HEARTBEAT" = 0 ] || echo "plugin.$CONNECTOR.heartbeat_interval = $HEARTBEAT"
  if [ "$TLS" = 1 ]; then
    echo "plugin.$CONNECTOR.pool.1.ssl = 1"
    echo "plugin.$CONNECTOR.pool.1.ssl.ca = $T/ca.pem"
    echo "plugin.$CONNECTOR.pool.1.ssl.cert = $T/client.pem"
    echo "plugin.$CONNECTOR.pool.1.ssl.key = $T/client-key.pem"
  fi
  if [ "$SECURITY" = psk ]; then
    echo "securityprovider = psk"
    echo "plugin.psk = $PSK"
  else
    echo "securityprovider = ssl"
    echo "plugin.ssl_server_public = $S/server-public.pem"
    [ "$SERIALIZER" = marshal ] || echo "plugin.ssl_serializer = $SERIALIZER"
  fi
}

write_client_cfg() {
  {
    connection_cfg mcoclient
    echo "logger_type = console"
    echo "loglevel = warn"
    echo "plugin.yaml = /dev/null"
    if [ "$SECURITY" = ssl ]; then
      echo "plugin.ssl_client_private = $S/mcoclient-private.pem"
      echo "plugin.ssl_client_public = $S/clients/mcoclient.pem"
    fi
  } > "$DIR/client.cfg"
  cat > "$DIR/mco" <<EOF
#!/bin/sh
# The real mco against this harness: mco ARGS --config $DIR/client.cfg
exec /usr/bin/mco "\$@" --config "$DIR/client.cfg"
EOF
  chmod 755 "$DIR/mco"
}

# node_facts I IDENTITY: facts.yaml + classes.txt like the oracle's node1..node3;
# node4 onwards cycle role web/db/app and datacenter ams/fra/lon.
node_facts() {
  local i="$1" id="$2" d="$DIR/nodes/$2" os role dc cores classes
  local roles=(web db app) dcs=(ams fra lon) oses=(Debian RedHat Debian)
  case "$i" in
    1) os=Debian; role=web; dc=ams; cores=4; classes="settings default web::nginx common" ;;
    2) os=RedHat; role=db;  dc=ams; cores=8; classes="settings default db::postgres common" ;;
    3) os=Debian; role=web; dc=fra; cores=2; classes="settings default web::apache common" ;;
    *) os="${oses[$((i % 3))]}"; role="${roles[$((i % 3))]}"; dc="${dcs[$(((i / 3) % 3))]}"
       cores=$((2 + i % 7)); classes="settings default $role::generic common" ;;
  esac
  printf -- '---\nosfamily: %s\nrole: %s\ndatacenter: %s\nhostname: %s\ncores: "%s"\n' \
    "$os" "$role" "$dc" "$id" "$cores" > "$d/facts.yaml"
  read -r -a classes <<< "$classes"
  printf '%s\n' "${classes[@]}" > "$d/classes.txt"
}

write_server_cfg() {   # write_server_cfg IDENTITY
  local d="$DIR/nodes/$1"
  {
    connection_cfg "$1"
    cat <<EOF
logfile = $d/mcollectived.log
loglevel = $LOGLEVEL
daemonize = 0
plugin.yaml = $d/facts.yaml
classesfile = $d/classes.txt
# Both kinds of node serve the same agents: Debian's MCollective has rpcutil (and the
# discovery agent, which always loads); Chorus would also load package, service, puppet, …
activate_agents = 0
plugin.rpcutil.activate_agent = 1
EOF
    if [ "$SECURITY" = ssl ]; then
      echo "plugin.ssl_server_private = $S/server-private.pem"
      echo "plugin.ssl_client_cert_dir = $S/clients"
    fi
  } > "$d/server.cfg"
}

# ------------------------------------------------------------------ nodes
SETTINGS="connector=$CONNECTOR port=$PORT security=$SECURITY serializer=$SERIALIZER psk=$PSK collectives=$COLLECTIVES heartbeat=$HEARTBEAT tls=$TLS"
NODE_SETTINGS="$SETTINGS nodes=$NODES prefix=$PREFIX loglevel=$LOGLEVEL"
running_nodes() {
  local f n=0
  for f in "$DIR"/pids/node-*.pid; do
    [ -e "$f" ] || continue
    if pid_alive "$f" mcollectived; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

RUNNING="$(running_nodes)"
if [ "$NODES" = 0 ]; then
  if [ "$RUNNING" = 0 ]; then
    write_client_cfg
    echo "$SETTINGS" > "$DIR/client.settings"
  else
    log "$RUNNING nodes already running: client.cfg left as it is"
  fi
else
  if [ "$RUNNING" != 0 ] && [ "$(cat "$DIR/nodes/settings" 2>/dev/null)" != "$NODE_SETTINGS" ]; then
    die "$EXIT_CONFLICT" "$RUNNING nodes already run with other settings ($(cat "$DIR/nodes/settings" 2>/dev/null)); run down.sh --only nodes first"
  fi
  port_open "$PORT" || die "$EXIT_NO_BROKER" "no broker listens on 127.0.0.1:$PORT for the $CONNECTOR connector (start one with --broker)"
  if [ "$RUNNING" = 0 ]; then rm -rf "$DIR/nodes"; fi
  mkdir -p "$DIR/nodes"
  echo "$NODE_SETTINGS" > "$DIR/nodes/settings"
  write_client_cfg
  echo "$SETTINGS" > "$DIR/client.settings"

  T_NODES="$(now)"
  IDENTITIES=()
  started=0
  for i in $(seq 1 "$NODES"); do
    id="$PREFIX$i"
    IDENTITIES+=("$id")
    pid_alive "$DIR/pids/node-$id.pid" mcollectived && continue
    mkdir -p "$DIR/nodes/$id"
    node_facts "$i" "$id"
    write_server_cfg "$id"
    # --pidfile is only honoured when daemonizing, so the pid is the spawned one.
    spawn "$DIR/pids/node-$id.pid" "$DIR/nodes/$id/stdout.log" "$DIR/nodes/$id" \
      /usr/sbin/mcollectived --config="$DIR/nodes/$id/server.cfg" --no-daemonize
    started=$((started + 1))
  done
  printf '%s\n' "${IDENTITIES[@]}" > "$DIR/nodes/identities"
  log "started $started of $NODES nodes (${PREFIX}1..$PREFIX$NODES: $CONNECTOR connector to port $PORT$([ "$TLS" = 1 ] && echo " over TLS"), $SECURITY$([ "$SECURITY" = ssl ] && echo "/$SERIALIZER"))"

  # Ready = the real client discovers every node through a fact filter, which
  # proves connector, security provider and the YAML facts fix all work.
  seen=0
  deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    seen="$("$DIR/mco" find --dt 1 -F "hostname=/^${PREFIX}[0-9]/" 2>/dev/null \
            | grep -cFx -f "$DIR/nodes/identities" || true)"
    [ "$seen" -ge "$NODES" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "$EXIT_TIMEOUT" "only $seen of $NODES nodes answered discovery within ${TIMEOUT}s; see $DIR/nodes/*/mcollectived.log"
    fi
  done
  timing nodes_ready "$(since "$T_NODES")"
  log "all $NODES nodes answer discovery"
fi

# ------------------------------------------------------------------ state
{
  printf 'INTEROP_DIR=%s\n' "$DIR"
  if pid_alive "$DIR/pids/rabbitmq-beam.pid" beam; then printf 'INTEROP_RABBITMQ_PORT=%s\n' "$(cat "$R/port")"; fi
  if pid_alive "$DIR/pids/activemq.pid" activemq.jar; then printf 'INTEROP_ACTIVEMQ_PORT=%s\n' "$(cat "$A/port")"; fi
  if pid_alive "$DIR/pids/rabbitmq-beam.pid" beam && [ -f "$R/tls_port" ]; then printf 'INTEROP_RABBITMQ_TLS_PORT=%s\n' "$(cat "$R/tls_port")"; fi
  if pid_alive "$DIR/pids/activemq.pid" activemq.jar && [ -f "$A/tls_port" ]; then printf 'INTEROP_ACTIVEMQ_TLS_PORT=%s\n' "$(cat "$A/tls_port")"; fi
  if [ -f "$DIR/client.settings" ]; then
    read -r -a kvs < "$DIR/client.settings"
    for kv in "${kvs[@]}"; do
      key="${kv%%=*}"
      printf 'INTEROP_%s=%s\n' "$(printf '%s' "$key" | tr '[:lower:]' '[:upper:]')" "${kv#*=}"
    done
  fi
  running="$(running_nodes)"
  printf 'INTEROP_NODES=%s\n' "$running"
  if [ "$running" != 0 ]; then
    printf 'INTEROP_PREFIX=%s\n' "$(sed -n 's/.* prefix=\([^ ]*\).*/\1/p' "$DIR/nodes/settings")"
    printf 'INTEROP_IDENTITIES=%s\n' "$(paste -sd, "$DIR/nodes/identities")"
  fi
  printf 'INTEROP_CLIENT_CFG=%s\n' "$DIR/client.cfg"
  printf 'INTEROP_MCO=%s\n' "$DIR/mco"
  printf 'INTEROP_LIBDIR=%s\n' "$LIBDIR"
  if [ -f "$S/clients/mcoclient.pem" ]; then
    printf 'INTEROP_SSL_SERVER_PRIVATE=%s\n' "$S/server-private.pem"
    printf 'INTEROP_SSL_SERVER_PUBLIC=%s\n' "$S/server-public.pem"
    printf 'INTEROP_SSL_CLIENT_PRIVATE=%s\n' "$S/mcoclient-private.pem"
    printf 'INTEROP_SSL_CLIENT_PUBLIC=%s\n' "$S/clients/mcoclient.pem"
    printf 'INTEROP_SSL_CLIENT_CERT_DIR=%s\n' "$S/clients"
  fi
  if [ -f "$T/truststore.jks" ]; then
    printf 'INTEROP_TLS_CA=%s\n' "$T/ca.pem"
    printf 'INTEROP_TLS_CERT=%s\n' "$T/client.pem"
    printf 'INTEROP_TLS_KEY=%s\n' "$T/client-key.pem"
    printf 'INTEROP_TLS_BROKER_CERT=%s\n' "$T/broker.pem"
    printf 'INTEROP_TLS_BROKER_KEY=%s\n' "$T/broker-key.pem"
  fi
} > "$DIR/state.env"
timing up_total "$(since "$T_ALL")"
cat "$DIR/state.env"
