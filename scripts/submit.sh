#!/usr/bin/env bash
# Runs Sparkprop's main job through spark-submit: a real Spark distribution's when there is one
# ($SPARK_HOME/bin/spark-submit, or spark-submit on PATH), else org.apache.spark.deploy.SparkSubmit
# from the Maven jars. Spark options come first, then `--`, then Sparkprop's own arguments:
#   scripts/submit.sh --master spark://127.0.0.1:7077 -- train --config conf/fashion-mnist-mlp.conf
#   scripts/submit.sh --master local[2] -- evaluate --model runs/x/model --data fashion-mnist:test
# The job jar is target/sparkprop-spark.jar (Sparkprop and its libraries, without Spark).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sp_build
spark_args=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do spark_args+=("$1"); shift; done
[ "$#" -gt 0 ] && shift
app_jar="$SP_ROOT/target/sparkprop-spark.jar"
log_opt="-Dlog4j2.configurationFile=$SP_ROOT/conf/log4j2.properties"
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  submit=("$SPARK_HOME/bin/spark-submit")
elif command -v spark-submit >/dev/null 2>&1; then
  submit=(spark-submit)
else
  sp_spark_home
  # shellcheck disable=SC2046
  submit=(java $(sp_jvm_flags) "$log_opt" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit)
fi
# Pin the driver to loopback only for local masters and clusters on this machine: executors on
# other hosts must reach the driver at its real address (or at the SPARK_LOCAL_IP you export).
master=local
for i in "${!spark_args[@]}"; do
  case "${spark_args[$i]}" in
    --master) master="${spark_args[$((i + 1))]:-}" ;;
    --master=*) master="${spark_args[$i]#--master=}" ;;
  esac
done
# On this machine the driver also logs through this checkout's log4j2.properties; on any other
# cluster spark.driver.extraJavaOptions (spark-defaults.conf, --conf) is left as the cluster sets it.
driver_conf=()
case "$master" in
  local*|*127.0.0.1*|*localhost*)
    driver_conf=(--conf "spark.driver.host=$SPARK_LOCAL_IP" --conf "spark.driver.bindAddress=$SPARK_LOCAL_IP"
      --conf "spark.driver.extraJavaOptions=$log_opt") ;;
  *)
    if [ -z "$SP_USER_LOCAL_IP" ]; then unset SPARK_LOCAL_IP; fi ;;
esac
# scripts/cluster.sh's own cluster wants its secret (from the environment, not the command line).
auth="$SP_ROOT/target/cluster/auth.conf"
if [ "$master" = "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" ] && [ -f "$auth" ]; then
  driver_conf+=(--properties-file "$auth" --load-spark-defaults)
fi
# Cluster deploy mode on a standalone master: wait for the driver (Spark returns once it is
# submitted, by default) and exit 1 if it failed (Spark's client exits 0 whatever the driver's end).
deploy_mode=client
for i in "${!spark_args[@]}"; do
  case "${spark_args[$i]}" in
    --deploy-mode) deploy_mode="${spark_args[$((i + 1))]:-}" ;;
    --deploy-mode=*) deploy_mode="${spark_args[$i]#--deploy-mode=}" ;;
  esac
done
if [ "$deploy_mode" = cluster ] && [[ "$master" == spark://* ]]; then
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  # A distribution's spark-submit logs through its own config: give its client JVM ours, whose
  # INFO lines name the driver's final state.
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:-} $log_opt"
  status=0
  "${submit[@]}" "${driver_conf[@]}" --conf spark.standalone.submit.waitAppCompletion=true \
    --class org.sparkprop.cli.Main "${spark_args[@]}" "$app_jar" "$@" 2>&1 | tee "$log" || status=$?
  if grep -Eq "State of driver [^ ]+ is (FAILED|ERROR|KILLED)" "$log"; then
    sp_log "the driver failed on the cluster: its stderr is in the worker's work folder (driver-*/stderr), and in the master's web UI"
    exit 1
  fi
  exit "$status"
fi
exec "${submit[@]}" "${driver_conf[@]}" \
  --class org.sparkprop.cli.Main "${spark_args[@]}" "$app_jar" "$@"
