#!/usr/bin/env bash
# A standalone Spark cluster on this machine, from the Maven jars: one Master and N Workers, all
# bound to 127.0.0.1 (RPC and web UIs), with spark.authenticate on and a secret generated at each
# start (target/cluster/secret, owner-only; scripts/submit.sh and the benchmarks' JVMs read it from
# owner-only files, never from a command line); pids and logs in target/cluster.
#   scripts/cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY_PER_WORKER]   (default 2 1 2g)
#   scripts/cluster.sh stop
#   scripts/cluster.sh status
#   scripts/cluster.sh run [sparkprop train arguments]   start, train on the cluster, stop
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
STATE="$SP_ROOT/target/cluster"
PORT="${SPARKPROP_MASTER_PORT:-7077}"
MASTER_URL="spark://127.0.0.1:$PORT"

start() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-2g}"
  sp_build
  sp_spark_home
  export SPARK_LOCAL_HOSTNAME=127.0.0.1
  mkdir -p "$STATE"
  if [ -f "$STATE/master.pid" ] && is_ours "$(cat "$STATE/master.pid")"; then
    sp_log "a cluster is already running ($MASTER_URL); scripts/cluster.sh stop first"
    exit 1
  fi
  # A fresh secret: only processes given it (through _SPARK_AUTH_SECRET) can join or submit.
  # Its clients: spark-submit reads auth.conf (--properties-file), other JVMs auth.jvmargs (@file);
  # both owner-only, so the secret never shows in a process list.
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$STATE/secret" \
    && printf 'spark.authenticate true\nspark.authenticate.secret %s\n' "$(cat "$STATE/secret")" > "$STATE/auth.conf" \
    && printf -- '-Dspark.authenticate=true -Dspark.authenticate.secret=%s\n' "$(cat "$STATE/secret")" > "$STATE/auth.jvmargs")
  _SPARK_AUTH_SECRET="$(cat "$STATE/secret")"
  export _SPARK_AUTH_SECRET
  java -Xmx512m -Dspark.authenticate=true -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$PORT" --webui-port 8080 >"$STATE/master.log" 2>&1 &
  echo $! >"$STATE/master.pid"
  for i in $(seq 1 "$workers"); do
    java -Xmx512m -Dspark.authenticate=true -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --work-dir "$STATE/work$i" \
      --webui-port $((8080 + i)) "$MASTER_URL" >"$STATE/worker$i.log" 2>&1 &
    echo $! >"$STATE/worker$i.pid"
  done
  # Wait until every worker has registered with the master.
  for _ in $(seq 1 60); do
    local up
    up=$(cat "$STATE"/worker*.log 2>/dev/null | grep -c "Successfully registered with master" || true)
    if [ "${up:-0}" -ge "$workers" ]; then
      sp_log "cluster up: $MASTER_URL with $workers worker(s) of $cores core(s), $memory"
      return 0
    fi
    sleep 1
  done
  sp_log "workers did not register within 60 s; see $STATE/*.log"
  stop
  exit 1
}

# True if $1 is a running Master or Worker of Spark's standalone deploy, not some other process
# that took a stale pid file's number.
is_ours() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" \
    | grep -q 'org\.apache\.spark\.deploy\.\(master\.Master\|worker\.Worker\)'
}

stop() {
  local f
  for f in "$STATE"/worker*.pid "$STATE"/master.pid; do
    [ -f "$f" ] || continue
    local pid
    pid=$(cat "$f")
    if is_ours "$pid"; then
      # Executors are the workers' children: stop them too.
      pkill -TERM -P "$pid" 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  rm -f "$STATE/secret" "$STATE/auth.conf" "$STATE/auth.jvmargs"
  sleep 1
  sp_log "cluster stopped"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status)
    found=0
    for f in "$STATE"/*.pid; do
      [ -f "$f" ] || continue
      found=1
      echo "$(basename "$f" .pid) $(cat "$f") $(is_ours "$(cat "$f")" && echo up || echo down)"
    done
    [ "$found" = 1 ] || echo "no cluster started by this script"
    ;;
  run)
    shift
    "$SP_ROOT/scripts/setup.sh" --data
    if [ -z "${SPARKPROP_FASHION_MNIST:-}" ] && dir="$(sp_fashion_dir)"; then export SPARKPROP_FASHION_MNIST="$dir"; fi
    start 2 1 2g
    trap stop EXIT
    args=("$@")
    [ "${#args[@]}" -gt 0 ] || args=(train --config "$SP_ROOT/conf/fashion-mnist-mlp.conf")
    "$SP_ROOT/scripts/submit.sh" --master "$MASTER_URL" --total-executor-cores 2 --executor-memory 1500m -- "${args[@]}"
    ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
