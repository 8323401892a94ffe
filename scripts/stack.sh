#!/usr/bin/env bash
# Local service stack for reddit live analytics: Kafka (KRaft), Cassandra,
# PostgreSQL and Prometheus as plain processes on 127.0.0.1, no Docker.
#
#   scripts/stack.sh up [--kafka-brokers 1|3] [--only kafka,cassandra,postgres,prometheus]
#   scripts/stack.sh down [--only ...] [--wipe]
#   scripts/stack.sh status
#   scripts/stack.sh start-service|stop-service|restart-service|kill9-service <service>
#       <service>: kafka (all brokers) | kafka-1 | kafka-2 | kafka-3 | cassandra | postgres | prometheus
#
# Everything the stack writes lives under $STACK_DIR (default <repo>/.stack,
# gitignored): conf/, data/, logs/, run/ (pid files) and the resolved Java
# classpaths (kafka.classpath, cassandra.classpath). The Kafka and Cassandra
# jars come from Maven Central via the poms in scripts/stack/ and are cached
# in ~/.m2; Prometheus and PostgreSQL come from Debian packages.
#
# Only processes whose pid file points at a live process carrying this stack's
# config path on its command line are ever signalled, so a system PostgreSQL
# or a Kafka started by someone else is never touched.
#
# Environment (all optional):
#   STACK_DIR                  state directory              (<repo>/.stack)
#   KAFKA_PORT                 first broker port            (9092; controller = port+1,
#                                                            broker n uses port+2(n-1))
#   KAFKA_HEAP_OPTS            broker heap                  (-Xms512m -Xmx1g)
#   CASSANDRA_PORT             CQL port                     (9042)
#   CASSANDRA_STORAGE_PORT     internode port               (7000)
#   CASSANDRA_JMX_PORT         local-only JMX (nodetool)    (7199)
#   CASSANDRA_HEAP             heap size                    (1G)
#   POSTGRES_PORT              PostgreSQL port              (5432)
#   PROMETHEUS_PORT            Prometheus port              (9090)
#   PROMETHEUS_SCRAPE_TARGETS  host:port[,host:port...] scraped at /metrics as
#                              job "reddit-analytics"       (127.0.0.1:3000)
#
# Exit status: 0 on success; 1 when a service failed to resolve/start/stop;
# 2 on bad usage; `status` returns 3 when any service is not running.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_SRC=$REPO_ROOT/scripts/stack

STACK_DIR=${STACK_DIR:-$REPO_ROOT/.stack}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
CONF_DIR=$STACK_DIR/conf
DATA_DIR=$STACK_DIR/data
LOG_DIR=$STACK_DIR/logs
RUN_DIR=$STACK_DIR/run
mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}
CASSANDRA_PORT=${CASSANDRA_PORT:-9042}
CASSANDRA_STORAGE_PORT=${CASSANDRA_STORAGE_PORT:-7000}
CASSANDRA_JMX_PORT=${CASSANDRA_JMX_PORT:-7199}
CASSANDRA_HEAP=${CASSANDRA_HEAP:-1G}
POSTGRES_PORT=${POSTGRES_PORT:-5432}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
PROMETHEUS_SCRAPE_TARGETS=${PROMETHEUS_SCRAPE_TARGETS:-127.0.0.1:3000}
PROMETHEUS_BIN=/usr/bin/prometheus
KAFKA_BROKERS=1 # decided per command by resolve_kafka_brokers / the last topology used

POSTGRES_DATABASES=(reddit_analytics reddit_analytics_test)

# Seconds to wait for a service to become ready / to exit after SIGTERM.
declare -A START_TIMEOUT=([kafka]=120 [cassandra]=240 [prometheus]=60 [postgres]=60)
declare -A STOP_TIMEOUT=([kafka]=45 [cassandra]=90 [prometheus]=30 [postgres]=60)

ALL_SERVICES=(kafka cassandra postgres prometheus)

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

say() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] %s\n' "$*" >&2; }
usage_error() {
  warn "$1"
  warn "usage: $0 up [--kafka-brokers 1|3] [--only kafka,cassandra,postgres,prometheus]"
  warn "       $0 down [--only ...] [--wipe] | status"
  warn "       $0 start-service|stop-service|restart-service|kill9-service <kafka|kafka-N|cassandra|postgres|prometheus>"
  exit 2
}

now_ms() { date +%s%3N; }
elapsed() { # elapsed <start_ms> -> "12.3s"
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

# "kafka-2" -> "kafka"; other names are their own kind.
kind_of() { printf '%s' "${1%%-[0-9]*}"; }

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# A port can stay busy for a moment after its owner was killed (by us or by a
# test doing kill -9); give it a few seconds before calling it a conflict.
port_busy() { # port_busy <port>
  local _
  for _ in $(seq 20); do
    port_open "$1" || return 1
    sleep 0.25
  done
  return 0
}

port_owner() { # best-effort description of who listens on a port, for error messages
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1 || true
}

# Prints a failure report: which service, what was attempted and the end of
# its log, so a broken start can be diagnosed without digging through files.
report_failure() { # report_failure <service> <what happened> [log file] [what was tried]
  local name=$1 what=$2 log=${3:-} tried=${4:-}
  [[ -z $tried && -s $RUN_DIR/$name.cmd ]] && tried=$(<"$RUN_DIR/$name.cmd")
  warn "ERROR: $name: $what"
  [[ -n $tried ]] && warn "  tried: $tried"
  if [[ -n $log ]]; then
    warn "  log:   $log (last 30 lines below)"
    if [[ -s $log ]]; then tail -n 30 "$log" | sed 's/^/    | /' >&2; else warn "    (log is empty)"; fi
  fi
}

# Each service keeps one log per start; the previous one is kept as .1 so a
# crash followed by a restart does not erase the evidence.
rotate_log() {
  local log=$1
  [[ -s $log ]] && mv -f "$log" "$log.1"
  : >"$log"
}

# Identifies "our" process for a service: a string that only appears on the
# command line of the process this script started for it.
signature() {
  case $(kind_of "$1") in
    kafka) printf '%s' "$CONF_DIR/$1.properties" ;;
    cassandra) printf '%s' "-Dcassandra.config=file://$CONF_DIR/cassandra.yaml" ;;
    prometheus) printf '%s' "--config.file=$CONF_DIR/prometheus.yml" ;;
    postgres) printf '%s' "$DATA_DIR/postgres" ;;
  esac
}

# Prints the pid of the service if its pid file names a live process that we
# started; fails otherwise (no pid file, dead, zombie or recycled pid).
pid_of() {
  local name=$1 pidfile=$RUN_DIR/$1.pid pid cmdline
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmdline=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmdline == *"$(signature "$name")"* ]] || return 1
  printf '%s' "$pid"
}

# True once a process we signalled has really exited. A JVM killed with
# SIGKILL drops its cmdline before it closes its sockets, so the identity
# check in pid_of alone would call it gone while it still holds its ports.
process_gone() { # process_gone <pid> <service>
  local state cmdline
  state=$({ sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1; } 2>/dev/null) || return 0
  [[ -z $state || $state == Z || $state == X ]] && return 0
  # Still there: gone only if the pid now belongs to an unrelated process.
  cmdline=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 0
  [[ -n $cmdline && $cmdline != *"$(signature "$2")"* ]]
}

# Starts a long-running process detached into its own session: test runners
# and shells signal their whole process group on Ctrl-C or timeout, and the
# stack must outlive the command that brought it up. The wrapper shell writes
# its own pid and then execs, so the pid file names the service process itself.
spawn() { # spawn <service> <log> <display command> <command...>
  local name=$1 log=$2 display=$3
  shift 3
  local pidfile=$RUN_DIR/$name.pid
  rm -f "$pidfile"
  printf '%s\n' "$display" >"$RUN_DIR/$name.cmd"
  printf '==== %s starting %s\n==== %s\n' "$(date -Is)" "$name" "$display" >>"$log"
  (
    cd "$STACK_DIR"
    # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
    exec setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&-
  ) &
  local _
  for _ in $(seq 50); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  report_failure "$name" "the process did not start" "$log" "$display"
  return 1
}

# ---------------------------------------------------------------------------
# Java classpaths from Maven Central
# ---------------------------------------------------------------------------

# Resolves the jars of scripts/stack/<component>/pom.xml into ~/.m2 and
# writes their classpath to $STACK_DIR/<component>.classpath. Skipped when the
# file is newer than the pom and every jar it lists is still on disk.
ensure_classpath() {
  local component=$1
  local pom=$STACK_SRC/$component/pom.xml cpfile=$STACK_DIR/$component.classpath
  if [[ -s $cpfile && ! $pom -nt $cpfile ]]; then
    local jars jar complete=1
    IFS=: read -r -a jars <"$cpfile"
    for jar in "${jars[@]}"; do [[ -f $jar ]] || { complete=0; break; }; done
    ((complete)) && return 0
  fi
  local log=$LOG_DIR/$component-maven.log started
  started=$(now_ms)
  say "$component: resolving jars from Maven Central (first run only)..."
  local cmd=(mvn -B -Dstyle.color=never -f "$pom" dependency:build-classpath "-Dmdep.outputFile=$cpfile.tmp")
  if ! "${cmd[@]}" >"$log" 2>&1 </dev/null 9>&- || [[ ! -s $cpfile.tmp ]]; then
    rm -f "$cpfile.tmp"
    report_failure "$component" "could not resolve the jars with Maven" "$log" "${cmd[*]}"
    return 1
  fi
  mv -f "$cpfile.tmp" "$cpfile"
  say "$component: jars resolved in $(elapsed "$started") -> $cpfile"
}

# ---------------------------------------------------------------------------
# Kafka (KRaft, combined broker+controller nodes)
# ---------------------------------------------------------------------------

kafka_port() { printf '%s' $((KAFKA_PORT + 2 * ($1 - 1))); }
kafka_controller_port() { printf '%s' $((KAFKA_PORT + 2 * ($1 - 1) + 1)); }
# Separate data per topology: a 3-voter quorum cannot reuse a log directory
# formatted for a 1-voter one, and switching back should not lose either.
kafka_cluster_dir() { printf '%s' "$DATA_DIR/kafka/brokers-$1"; }

# Broker count of the Kafka nodes currently running (0 if none).
kafka_running_topology() {
  local n
  for n in 1 2 3; do
    if pid_of "kafka-$n" >/dev/null; then
      [[ -s $RUN_DIR/kafka.brokers ]] && { cat "$RUN_DIR/kafka.brokers"; return; }
      printf '1'
      return
    fi
  done
  printf '0'
}

write_kafka_properties() { # write_kafka_properties <brokers> <node>
  local brokers=$1 node=$2 voters="" n
  for ((n = 1; n <= brokers; n++)); do
    voters+="${voters:+,}$n@127.0.0.1:$(kafka_controller_port "$n")"
  done
  # Internal topics must fit on the brokers we have; with 3 brokers they get
  # real redundancy so tests can kill one broker without losing offsets.
  local rf=1 isr=1
  ((brokers >= 3)) && rf=3 isr=2
  cat >"$CONF_DIR/kafka-$node.properties" <<EOF
# Generated by scripts/stack.sh ($(date -Is)); edits are overwritten on start.
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$node"),CONTROLLER://127.0.0.1:$(kafka_controller_port "$node")
advertised.listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$node")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$(kafka_cluster_dir "$brokers")/node-$node

# Topics are created explicitly by the application; a typo must not silently
# create a new topic.
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
# Consumers in tests join one by one; don't hold the first rebalance back.
group.initial.rebalance.delay.ms=0

# Two cores shared with Cassandra and the app: keep thread pools small.
num.network.threads=2
num.io.threads=4
background.threads=4
EOF
}

# Formats a node's log directory once; Kafka refuses to start on an
# unformatted directory in KRaft mode. All nodes of a topology share one
# cluster id, generated by Kafka's own tool and kept next to their data.
format_kafka_node() { # format_kafka_node <brokers> <node>
  local brokers=$1 node=$2 cluster_dir
  cluster_dir=$(kafka_cluster_dir "$brokers")
  [[ -f $cluster_dir/node-$node/meta.properties ]] && return 0
  mkdir -p "$cluster_dir"
  local cp log=$LOG_DIR/kafka-$node.log
  cp=$(<"$STACK_DIR/kafka.classpath")
  local java=(java -Xmx256m "-Dlog4j.configuration=file:$STACK_SRC/kafka/log4j.properties" -cp "$cp")
  if [[ ! -s $cluster_dir/cluster.id ]]; then
    local id
    id=$("${java[@]}" kafka.tools.StorageTool random-uuid 2>>"$log" </dev/null | grep -E '^[A-Za-z0-9_-]{22}$' | tail -1) || true
    if [[ -z $id ]]; then
      report_failure "kafka-$node" "could not generate a cluster id" "$log" \
        "java -cp \$(cat $STACK_DIR/kafka.classpath) kafka.tools.StorageTool random-uuid"
      return 1
    fi
    printf '%s\n' "$id" >"$cluster_dir/cluster.id"
  fi
  local id
  id=$(<"$cluster_dir/cluster.id")
  if ! "${java[@]}" kafka.tools.StorageTool format -t "$id" -c "$CONF_DIR/kafka-$node.properties" >>"$log" 2>&1 </dev/null 9>&-; then
    report_failure "kafka-$node" "could not format the log directory" "$log" \
      "java -cp \$(cat $STACK_DIR/kafka.classpath) kafka.tools.StorageTool format -t $id -c $CONF_DIR/kafka-$node.properties"
    return 1
  fi
}

start_kafka_node() { # start_kafka_node <brokers> <node>
  local brokers=$1 node=$2 name=kafka-$2
  local log=$LOG_DIR/$name.log cpfile=$STACK_DIR/kafka.classpath
  if port_busy "$(kafka_port "$node")"; then
    report_failure "$name" "port $(kafka_port "$node") is already in use by a process not started by stack.sh $(port_owner "$(kafka_port "$node")")"
    return 1
  fi
  rotate_log "$log"
  write_kafka_properties "$brokers" "$node"
  format_kafka_node "$brokers" "$node" || return 1
  local cp
  cp=$(<"$cpfile")
  # shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of JVM flags on purpose
  local cmd=(java -server $KAFKA_HEAP_OPTS
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-XX:ErrorFile=$LOG_DIR/hs_err_${name}_%p.log"
    "-Dlog4j.configuration=file:$STACK_SRC/kafka/log4j.properties"
    -cp "$cp" kafka.Kafka "$CONF_DIR/$name.properties")
  local display="${cmd[*]}"
  display=${display//"$cp"/"\$(cat $cpfile)"}
  printf '%s' "$brokers" >"$RUN_DIR/kafka.brokers"
  printf '%s\n' "$brokers" >"$CONF_DIR/kafka.brokers"
  printf '%s' "$(kafka_port "$node")" >"$RUN_DIR/$name.port"
  spawn "$name" "$log" "$display" "${cmd[@]}"
}

# Sends a Metadata v0 request by hand and prints how many live brokers the
# answer lists. Unlike a TCP probe this proves the broker serves requests, and
# unlike Kafka's CLI tools it costs no JVM start per poll.
kafka_live_brokers() { # kafka_live_brokers <port>
  local bytes
  # size=19 | api_key=3 (Metadata) | version=0 | correlation id=7 | client id "stack" | topics=[] (all)
  bytes=$(timeout 3 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$1"' || exit 1
    printf "\x00\x00\x00\x13\x00\x03\x00\x00\x00\x00\x00\x07\x00\x05stack\x00\x00\x00\x00" >&3
    head -c 12 <&3 | od -An -tu1' 2>/dev/null) || return 1
  local -a b
  read -r -a b <<<"$bytes"
  ((${#b[@]} == 12)) || return 1
  # response: size(4) correlation id(4) brokers array length(4)
  ((b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 7)) || return 1
  printf '%s' $(((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]))
}

kafka_ready() { # kafka_ready <node> <brokers>
  local live
  grep -q 'Kafka Server started' "$LOG_DIR/kafka-$1.log" 2>/dev/null || return 1
  live=$(kafka_live_brokers "$(kafka_port "$1")") || return 1
  ((live >= $2))
}

# ---------------------------------------------------------------------------
# Cassandra
# ---------------------------------------------------------------------------

# The JPMS flags from Cassandra 5.0's conf/jvm17-server.options: Cassandra
# reaches into JDK internals (unsafe buffers, JMX, the attach API used by jamm
# to measure object sizes) and dies at start-up without them on Java 17.
CASSANDRA_JVM17_FLAGS=(
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
  --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens java.base/java.math=ALL-UNNAMED
  --add-opens java.base/java.net=ALL-UNNAMED
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  # Netty needs these to use direct buffers without going through the heap.
  -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.useCacheForAllThreads=true
  -Dio.netty.allocator.maxOrder=11
)

start_cassandra() {
  local name=cassandra log=$LOG_DIR/cassandra.log cpfile=$STACK_DIR/cassandra.classpath
  local data=$DATA_DIR/cassandra
  if port_busy "$CASSANDRA_PORT"; then
    report_failure "$name" "port $CASSANDRA_PORT is already in use by a process not started by stack.sh $(port_owner "$CASSANDRA_PORT")"
    return 1
  fi
  rotate_log "$log"
  mkdir -p "$data"/{data,commitlog,saved_caches,hints,cdc_raw,triggers}
  sed -e "s|@DATA_DIR@|$data|g" -e "s|@CQL_PORT@|$CASSANDRA_PORT|g" \
    -e "s|@STORAGE_PORT@|$CASSANDRA_STORAGE_PORT|g" \
    "$STACK_SRC/cassandra/cassandra.yaml.template" >"$CONF_DIR/cassandra.yaml"

  local cp jamm="" entry entries
  cp=$(<"$cpfile")
  # Plain bash, not `tr | grep -m1`: under pipefail, grep quitting at the first
  # match can kill tr with SIGPIPE and fail the lookup at random.
  IFS=: read -r -a entries <<<"$cp"
  for entry in "${entries[@]}"; do
    if [[ $entry == */jamm-*.jar ]]; then
      jamm=$entry
      break
    fi
  done
  if [[ -z $jamm ]]; then
    report_failure "$name" "no jamm jar on the resolved classpath ($cpfile); Cassandra needs it as a -javaagent"
    return 1
  fi
  local cmd=(java -server "-Xms$CASSANDRA_HEAP" "-Xmx$CASSANDRA_HEAP"
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1
    -XX:G1HeapRegionSize=16m -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300
    # Cassandra warns that running on after an OOM risks corrupt data; a dev
    # node should rather die loudly and be restarted.
    -XX:+ExitOnOutOfMemoryError
    "-XX:ErrorFile=$LOG_DIR/hs_err_cassandra_%p.log"
    "${CASSANDRA_JVM17_FLAGS[@]}"
    "-javaagent:$jamm"
    -Djava.net.preferIPv4Stack=true
    -Dcassandra-foreground=yes
    "-Dcassandra.config=file://$CONF_DIR/cassandra.yaml"
    "-Dcassandra.storagedir=$data"
    "-Dcassandra.logdir=$LOG_DIR"
    "-Dcassandra.triggers_dir=$data/triggers"
    "-Dlogback.configurationFile=$STACK_SRC/cassandra/logback.xml"
    # JMX bound to loopback only, so nodetool (org.apache.cassandra.tools.NodeTool) works.
    "-Dcassandra.jmx.local.port=$CASSANDRA_JMX_PORT"
    # A lone seed has nobody to gossip with: skip the waits meant for real rings.
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=100
    -Dcassandra.superuser_setup_delay_ms=0
    -cp "$cp" org.apache.cassandra.service.CassandraDaemon)
  local display="${cmd[*]}"
  display=${display//"$cp"/"\$(cat $cpfile)"}
  display=${display//"${CASSANDRA_JVM17_FLAGS[*]}"/"<jvm17-server.options flags>"}
  printf '%s' "$CASSANDRA_PORT" >"$RUN_DIR/$name.port"
  spawn "$name" "$log" "$display" "${cmd[@]}"
}

# A CQL v4 OPTIONS frame; a SUPPORTED (0x06) reply means the native transport
# is serving requests, not merely that the socket is bound.
cassandra_ready() {
  grep -q 'Startup complete' "$LOG_DIR/cassandra.log" 2>/dev/null || return 1
  local reply
  reply=$(timeout 3 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$CASSANDRA_PORT"' || exit 1
    printf "\x04\x00\x00\x01\x05\x00\x00\x00\x00" >&3
    head -c 5 <&3 | od -An -tx1' 2>/dev/null) || return 1
  # response header: version 0x84 (v4 response), flags 0, stream 1, opcode SUPPORTED
  [[ ${reply//[[:space:]]/} == 8400000106 ]]
}

# ---------------------------------------------------------------------------
# Prometheus (Debian package binary, our own config and storage)
# ---------------------------------------------------------------------------

ensure_prometheus_binary() {
  [[ -x $PROMETHEUS_BIN ]] && return 0
  local log=$LOG_DIR/prometheus-apt.log started
  started=$(now_ms)
  say "prometheus: $PROMETHEUS_BIN missing, installing the Debian package..."
  local install=(apt-get install -y --no-install-recommends prometheus)
  if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" >"$log" 2>&1 </dev/null 9>&-; then
    # A fresh container has no package lists; refresh them once and retry.
    DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 </dev/null 9>&- || true
    if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" >>"$log" 2>&1 </dev/null 9>&-; then
      report_failure prometheus "could not install the Debian package" "$log" "apt-get update && ${install[*]}"
      return 1
    fi
  fi
  say "prometheus: package installed in $(elapsed "$started")"
  # The package may start its own service on install. It would hold our port
  # and scrape nothing useful, so stop the instance the install just started.
  if port_open "$PROMETHEUS_PORT"; then
    say "prometheus: the package started a system Prometheus on port $PROMETHEUS_PORT; stopping it"
    service prometheus stop >>"$log" 2>&1 </dev/null 9>&- || true
    local pid
    for pid in $(pgrep -x prometheus || true); do
      if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$PROMETHEUS_BIN" ]] &&
        [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) != *"$STACK_DIR"* ]]; then
        kill "$pid" 2>/dev/null || true
      fi
    done
    sleep 1
  fi
}

render_prometheus_config() { # render_prometheus_config <file>
  local targets="" t
  IFS=, read -r -a t <<<"$PROMETHEUS_SCRAPE_TARGETS"
  for target in "${t[@]}"; do
    target=${target// /}
    [[ -n $target ]] && targets+="${targets:+, }'$target'"
  done
  cat >"$1" <<EOF
# Generated by scripts/stack.sh from PROMETHEUS_SCRAPE_TARGETS; overwritten on start.
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s

scrape_configs:
  - job_name: reddit-analytics
    metrics_path: /metrics
    static_configs:
      - targets: [$targets]
EOF
}

start_prometheus() {
  local name=prometheus log=$LOG_DIR/prometheus.log
  if port_busy "$PROMETHEUS_PORT"; then
    report_failure "$name" "port $PROMETHEUS_PORT is already in use by a process not started by stack.sh $(port_owner "$PROMETHEUS_PORT")"
    return 1
  fi
  rotate_log "$log"
  mkdir -p "$DATA_DIR/prometheus"
  render_prometheus_config "$CONF_DIR/prometheus.yml"
  local cmd=("$PROMETHEUS_BIN" "--config.file=$CONF_DIR/prometheus.yml"
    "--storage.tsdb.path=$DATA_DIR/prometheus" --storage.tsdb.retention.time=7d
    "--web.listen-address=127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle)
  printf '%s' "$PROMETHEUS_PORT" >"$RUN_DIR/$name.port"
  spawn "$name" "$log" "${cmd[*]}" "${cmd[@]}"
}

# When Prometheus already runs, `up` may come with different scrape targets
# (each test suite points it at its own app port): apply them without a restart.
reload_prometheus_if_changed() {
  local next=$CONF_DIR/prometheus.yml.next
  render_prometheus_config "$next"
  if cmp -s "$next" "$CONF_DIR/prometheus.yml"; then
    rm -f "$next"
    return 0
  fi
  mv -f "$next" "$CONF_DIR/prometheus.yml"
  if curl -fsS -X POST "http://127.0.0.1:$PROMETHEUS_PORT/-/reload" >/dev/null 2>&1; then
    say "prometheus: scrape targets changed to $PROMETHEUS_SCRAPE_TARGETS; configuration reloaded"
  else
    report_failure prometheus "could not reload the changed configuration" "$LOG_DIR/prometheus.log" \
      "curl -X POST http://127.0.0.1:$PROMETHEUS_PORT/-/reload"
    return 1
  fi
}

prometheus_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 2>/dev/null; }

# ---------------------------------------------------------------------------
# PostgreSQL: reuse a server that already answers, otherwise run our own
# ---------------------------------------------------------------------------

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" -t 2 >/dev/null 2>&1; }

pg_bindir() { find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1; }

# Runs a command as the postgres user when we are root: initdb and postgres
# refuse to run as root.
as_pg_owner() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (or adopts) PostgreSQL synchronously; prints the time it took.
start_postgres() {
  local name=postgres started
  started=$(now_ms)
  if pid_of postgres >/dev/null; then
    say "postgres: already running (pid $(pid_of postgres), managed by stack.sh)"
  elif pg_answers; then
    say "postgres: a server already answers on 127.0.0.1:$POSTGRES_PORT; using it (not managed: down never stops it)"
  else
    start_own_postgres || return 1
    say "postgres: ready in $(elapsed "$started") (127.0.0.1:$POSTGRES_PORT, managed by stack.sh)"
  fi
  ensure_databases
}

start_own_postgres() {
  local log=$LOG_DIR/postgres.log data=$DATA_DIR/postgres bindir
  bindir=$(pg_bindir)
  if [[ -z $bindir ]]; then
    local alog=$LOG_DIR/postgres-apt.log
    say "postgres: no server binaries found, installing the Debian package..."
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >"$alog" 2>&1 </dev/null 9>&-; then
      DEBIAN_FRONTEND=noninteractive apt-get update >>"$alog" 2>&1 </dev/null 9>&- || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >>"$alog" 2>&1 </dev/null 9>&- || {
        report_failure postgres "could not install the Debian package" "$alog" "apt-get install -y --no-install-recommends postgresql"
        return 1
      }
    fi
    bindir=$(pg_bindir)
    # Debian's package creates and starts a "main" cluster; if that one now
    # answers on our port, use it rather than fight over the port.
    if pg_answers; then
      say "postgres: the package started a server on 127.0.0.1:$POSTGRES_PORT; using it (not managed)"
      return 0
    fi
  fi
  if port_busy "$POSTGRES_PORT"; then
    report_failure postgres "port $POSTGRES_PORT is in use but does not answer pg_isready $(port_owner "$POSTGRES_PORT")"
    return 1
  fi
  mkdir -p "$data" "$RUN_DIR/postgres-socket"
  ((EUID == 0)) && chown postgres:postgres "$data" "$RUN_DIR/postgres-socket" && chmod 700 "$data"
  rotate_log "$log"
  ((EUID == 0)) && chown postgres:postgres "$log"
  if [[ ! -s $data/PG_VERSION ]]; then
    local initdb=("$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions)
    if ! as_pg_owner "${initdb[@]}" >>"$log" 2>&1 </dev/null 9>&-; then
      report_failure postgres "initdb failed" "$log" "${initdb[*]}"
      return 1
    fi
  fi
  local cmd=("$bindir/pg_ctl" -D "$data" -l "$log" -w -t "${START_TIMEOUT[postgres]}"
    -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $RUN_DIR/postgres-socket" start)
  printf '%s\n' "${cmd[*]}" >"$RUN_DIR/postgres.cmd"
  # setsid: same reason as spawn(), the server must outlive our process group.
  if ! as_pg_owner setsid "${cmd[@]}" >/dev/null 2>&1 </dev/null 9>&-; then
    report_failure postgres "pg_ctl start failed" "$log" "${cmd[*]}"
    return 1
  fi
  head -1 "$data/postmaster.pid" >"$RUN_DIR/postgres.pid"
  printf '%s' "$POSTGRES_PORT" >"$RUN_DIR/postgres.port"
}

ensure_databases() {
  local db
  for db in "${POSTGRES_DATABASES[@]}"; do
    if [[ -z $(PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null </dev/null) ]]; then
      if createdb -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres "$db" </dev/null; then
        say "postgres: created database $db"
      else
        report_failure postgres "could not create database $db" "" "createdb -h 127.0.0.1 -p $POSTGRES_PORT -U postgres $db"
        return 1
      fi
    fi
  done
}

# ---------------------------------------------------------------------------
# Starting: launch everything first, then wait for all in one polling loop so
# each service's start-up time is measured independently.
# ---------------------------------------------------------------------------

declare -A PENDING=()  # service -> deadline (epoch seconds)
declare -A STARTED=()  # service -> launch time (ms)
declare -A DETAIL=()   # service -> what to print once ready

is_ready() {
  case $(kind_of "$1") in
    # Every broker that runs must be live: all of them after `up`, fewer
    # when one starts again while another is still down on purpose.
    kafka) kafka_ready "${1#kafka-}" "$(kafka_running_nodes | wc -l)" ;;
    cassandra) cassandra_ready ;;
    prometheus) prometheus_ready ;;
  esac
}

log_of() { printf '%s' "$LOG_DIR/$1.log"; }

# Launches one background service unless it already runs; either way it is
# queued for the readiness wait.
launch() { # launch <service>
  local name=$1 kind pid
  kind=$(kind_of "$name")
  STARTED[$name]=$(now_ms)
  PENDING[$name]=$(($(date +%s) + START_TIMEOUT[$kind]))
  if pid=$(pid_of "$name"); then
    DETAIL[$name]="already running"
    [[ $kind == prometheus ]] && { reload_prometheus_if_changed || return 1; }
    return 0
  fi
  [[ -e $RUN_DIR/$name.pid ]] && rm -f "$RUN_DIR/$name.pid" # stale: that process is gone
  DETAIL[$name]=""
  case $kind in
    kafka) start_kafka_node "$KAFKA_BROKERS" "${name#kafka-}" ;;
    cassandra) start_cassandra ;;
    prometheus) start_prometheus ;;
  esac || {
    unset "PENDING[$name]"
    return 1
  }
}

await_ready() {
  local failed=0 name pid
  while ((${#PENDING[@]})); do
    for name in "${!PENDING[@]}"; do
      if ! pid=$(pid_of "$name"); then
        report_failure "$name" "the process exited during start-up" "$(log_of "$name")"
        unset "PENDING[$name]"
        failed=1
      elif is_ready "$name"; then
        if [[ -n ${DETAIL[$name]} ]]; then
          say "$(printf '%-11s' "$name") ${DETAIL[$name]} (pid $pid, 127.0.0.1:$(<"$RUN_DIR/$name.port"))"
        else
          say "$(printf '%-11s' "$name") ready in $(elapsed "${STARTED[$name]}") (pid $pid, 127.0.0.1:$(<"$RUN_DIR/$name.port"))"
        fi
        unset "PENDING[$name]"
      elif (($(date +%s) > PENDING[$name])); then
        report_failure "$name" "not ready after ${START_TIMEOUT[$(kind_of "$name")]}s; left running as pid $pid (stop it with: $0 stop-service $name)" "$(log_of "$name")"
        unset "PENDING[$name]"
        failed=1
      fi
    done
    ((${#PENDING[@]})) && sleep 0.5
  done
  return "$failed"
}

# Expands service names (kafka -> kafka-1..N) in a stable start order:
# Cassandra first because it is the slowest to boot.
expand_services() { # expand_services <service...>
  local s n
  for s in cassandra kafka prometheus postgres; do
    for want in "$@"; do
      if [[ $want == "$s" ]]; then
        if [[ $s == kafka ]]; then
          for ((n = 1; n <= KAFKA_BROKERS; n++)); do printf '%s\n' "kafka-$n"; done
        else
          printf '%s\n' "$s"
        fi
      elif [[ $s == kafka && $want == kafka-* ]]; then
        printf '%s\n' "$want"
      fi
    done
  done
}

# Decides the broker count: an explicit flag wins, then the running cluster,
# then the default of one broker.
resolve_kafka_brokers() { # resolve_kafka_brokers <requested or empty>
  local requested=$1 running
  running=$(kafka_running_topology)
  if [[ -n $requested ]]; then
    if ((running && running != requested)); then
      warn "ERROR: kafka: running with $running broker(s); run '$0 stop-service kafka' before switching to $requested"
      return 1
    fi
    KAFKA_BROKERS=$requested
  elif ((running)); then
    KAFKA_BROKERS=$running
  else
    KAFKA_BROKERS=1
  fi
}

start_services() { # start_services <service...>   (kafka may be kafka-N)
  local total
  total=$(now_ms)
  local wants=("$@") failed=0 name

  # Prerequisites first, so a missing download fails before anything starts.
  local w
  for w in "${wants[@]}"; do
    case $(kind_of "$w") in
      kafka) ensure_classpath kafka || return 1 ;;
      cassandra) ensure_classpath cassandra || return 1 ;;
      prometheus) ensure_prometheus_binary || return 1 ;;
    esac
  done

  local units
  mapfile -t units < <(expand_services "${wants[@]}")
  for name in "${units[@]}"; do
    [[ $name == postgres ]] && continue
    launch "$name" || failed=1
  done
  # PostgreSQL is synchronous (pg_ctl -w) and fast; do it while the JVMs boot.
  if [[ " ${units[*]} " == *" postgres "* ]]; then
    start_postgres || failed=1
  fi
  await_ready || failed=1

  if ((failed)); then
    warn "ERROR: not every service came up (see above); any that did start were left running"
    return 1
  fi
  say "all requested services ready in $(elapsed "$total")"
}

# ---------------------------------------------------------------------------
# Stopping
# ---------------------------------------------------------------------------

stop_signal() { [[ $(kind_of "$1") == postgres ]] && printf INT || printf TERM; } # INT = postgres "fast" shutdown

# Signals every named service at once, then waits for each; whatever outlives
# its timeout gets SIGKILL. Stopping in parallel matters for a 3-node Kafka:
# brokers stopped one by one wait on a shrinking controller quorum.
stop_services() { # stop_services <signal|""> <service...>
  local forced_signal=$1
  shift
  local -A pids=() deadline=() began=() killed=()
  local name pid kind
  for name in "$@"; do
    kind=$(kind_of "$name")
    if ! pid=$(pid_of "$name"); then
      if [[ $kind == postgres ]] && pg_answers; then
        say "postgres: not started by stack.sh (external server on 127.0.0.1:$POSTGRES_PORT); leaving it alone"
      elif [[ -e $RUN_DIR/$name.pid ]]; then
        say "$name: not running (removed stale pid file)"
      else
        say "$name: not running"
      fi
      rm -f "$RUN_DIR/$name.pid"
      continue
    fi
    kill -s "${forced_signal:-$(stop_signal "$name")}" "$pid" 2>/dev/null || true
    pids[$name]=$pid
    began[$name]=$(now_ms)
    deadline[$name]=$(($(date +%s) + STOP_TIMEOUT[$kind]))
  done
  local failed=0
  while ((${#pids[@]})); do
    for name in "${!pids[@]}"; do
      pid=${pids[$name]}
      if process_gone "$pid" "$name"; then
        say "$(printf '%-11s' "$name") stopped in $(elapsed "${began[$name]}") (pid $pid${killed[$name]:+, SIGKILL})"
        rm -f "$RUN_DIR/$name.pid"
        unset "pids[$name]"
      elif (($(date +%s) > deadline[$name])); then
        if [[ -z ${killed[$name]:-} ]]; then
          warn "$name: still running ${STOP_TIMEOUT[$(kind_of "$name")]}s after SIGTERM; sending SIGKILL to $pid"
          kill -KILL "$pid" 2>/dev/null || true
          killed[$name]=1
          deadline[$name]=$(($(date +%s) + 10))
        else
          report_failure "$name" "pid $pid survived SIGKILL" "$(log_of "$name")"
          unset "pids[$name]"
          failed=1
        fi
      fi
    done
    ((${#pids[@]})) && sleep 0.2
  done
  [[ -z $(kafka_running_nodes) ]] && rm -f "$RUN_DIR/kafka.brokers"
  return "$failed"
}

kafka_running_nodes() {
  local n
  for n in 1 2 3; do pid_of "kafka-$n" >/dev/null && printf 'kafka-%s\n' "$n"; done
  return 0
}

# Services to stop for a name; kafka means every broker that has a pid file.
stop_units() {
  local s n found
  for s in "$@"; do
    if [[ $s == kafka ]]; then
      found=0
      for n in 1 2 3; do
        [[ -e $RUN_DIR/kafka-$n.pid ]] && { printf 'kafka-%s\n' "$n"; found=1; }
      done
      ((found)) || printf 'kafka-1\n'
    else
      printf '%s\n' "$s"
    fi
  done
}

# Each service's data lives in $DATA_DIR/<service>. For PostgreSQL that is
# only ever our own cluster: an external server's databases are never dropped.
wipe_data() { # wipe_data <service...>
  local s
  for s in "$@"; do
    if [[ -d $DATA_DIR/$s ]]; then
      rm -rf "${DATA_DIR:?}/$s"
      say "$s: data wiped ($DATA_DIR/$s)"
    fi
  done
}

# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------

status_line() { # status_line <service> <port>
  local name=$1 port=$2 pid state
  if pid=$(pid_of "$name"); then
    state=running
    port_open "$port" || state="starting"
    printf '%-11s %-9s pid %-8s 127.0.0.1:%-6s log %s\n' "$name" "$state" "$pid" "$port" "$(log_of "$name")"
  elif [[ $name == postgres ]] && pg_answers; then
    printf '%-11s %-9s %-12s 127.0.0.1:%-6s (external server, not managed by stack.sh)\n' "$name" running external "$port"
  else
    printf '%-11s %-9s %-12s 127.0.0.1:%s\n' "$name" stopped - "$port"
    return 1
  fi
}

show_status() {
  local rc=0 brokers n
  brokers=$(kafka_running_topology)
  ((brokers)) || brokers=$(cat "$CONF_DIR/kafka.brokers" 2>/dev/null || echo 1)
  for ((n = 1; n <= brokers; n++)); do
    status_line "kafka-$n" "$(cat "$RUN_DIR/kafka-$n.port" 2>/dev/null || kafka_port "$n")" || rc=3
  done
  status_line cassandra "$CASSANDRA_PORT" || rc=3
  status_line postgres "$POSTGRES_PORT" || rc=3
  status_line prometheus "$PROMETHEUS_PORT" || rc=3
  return "$rc"
}

# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

parse_only() { # parse_only <comma list> -> one valid service per line
  local s list
  IFS=, read -r -a list <<<"$1"
  for s in "${list[@]}"; do
    s=${s// /}
    [[ " ${ALL_SERVICES[*]} " == *" $s "* ]] || usage_error "unknown service '$s' (expected: ${ALL_SERVICES[*]})"
    printf '%s\n' "$s"
  done
}

valid_service_arg() {
  [[ $1 =~ ^(kafka|kafka-[123]|cassandra|postgres|prometheus)$ ]] || usage_error "unknown service '$1'"
}

# Serialises commands that start or stop things; fd 9 is closed in every
# child we launch so a long-lived service never inherits (and holds) the lock.
take_lock() {
  exec 9>"$RUN_DIR/stack.lock"
  flock -w 900 9 || {
    warn "ERROR: another stack.sh command is still running (lock $RUN_DIR/stack.lock)"
    exit 1
  }
}

main() {
  local command=${1:-}
  [[ -n $command ]] || usage_error "missing command"
  shift
  local only=() requested_brokers="" wipe=0
  case $command in
    up | down)
      while (($#)); do
        case $1 in
          --kafka-brokers)
            [[ $command == up && ${2:-} =~ ^[13]$ ]] || usage_error "--kafka-brokers takes 1 or 3 (up only)"
            requested_brokers=$2
            shift 2
            ;;
          --only)
            [[ -n ${2:-} ]] || usage_error "--only needs a comma-separated list"
            mapfile -t only < <(parse_only "$2")
            shift 2
            ;;
          --wipe)
            [[ $command == down ]] || usage_error "--wipe is only valid for down"
            wipe=1
            shift
            ;;
          *) usage_error "unknown option '$1'" ;;
        esac
      done
      ((${#only[@]})) || only=("${ALL_SERVICES[@]}")
      take_lock
      if [[ $command == up ]]; then
        resolve_kafka_brokers "$requested_brokers"
        start_services "${only[@]}"
      else
        local units rc=0
        mapfile -t units < <(stop_units "${only[@]}")
        stop_services "" "${units[@]}" || rc=1
        ((wipe)) && wipe_data "${only[@]}"
        return "$rc"
      fi
      ;;
    start-service | stop-service | restart-service | kill9-service)
      (($# == 1)) || usage_error "$command takes exactly one service name"
      valid_service_arg "$1"
      take_lock
      local target=$1
      if [[ $command != start-service ]]; then
        local units
        mapfile -t units < <(stop_units "$target")
        if [[ $command == kill9-service ]]; then
          stop_services KILL "${units[@]}"
          return
        fi
        stop_services "" "${units[@]}" || return 1
      fi
      if [[ $command != stop-service ]]; then
        # Restart with the topology last brought up, so kafka-2 rejoins its own cluster.
        local last
        last=$(kafka_running_topology)
        ((last)) || last=$(cat "$CONF_DIR/kafka.brokers" 2>/dev/null || echo 1)
        KAFKA_BROKERS=$last
        if [[ $target == kafka-* ]] && ((${target#kafka-} > KAFKA_BROKERS)); then
          usage_error "$target does not exist in the $KAFKA_BROKERS-broker cluster"
        fi
        start_services "$target"
      fi
      ;;
    status) show_status ;;
    -h | --help | help) sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) usage_error "unknown command '$command'" ;;
  esac
}

main "$@"
