#!/usr/bin/env bash
# Sparkprop as a Spark package: installs org.sparkprop:sparkprop_2.13 into the local Maven
# repository (~/.m2) and runs a job that gets Sparkprop only through spark-submit --packages
# (Spark's resolver reads ~/.m2 first), as a Spark user would:
#   spark-submit --packages org.sparkprop:sparkprop_2.13:VERSION --class org.sparkprop.cli.Main spark-internal train ...
# Arguments replace the check's job (default: a short two-moons training on local[2]).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$SP_ROOT"
sp_log "installing into the local Maven repository (mvn install -DskipTests)..."
mvn -B -q install -DskipTests >&2
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
coords="org.sparkprop:sparkprop_2.13:$version"
sp_spark_home
args=("$@")
[ "${#args[@]}" -gt 0 ] || args=(train --config "$SP_ROOT/conf/two-moons.conf" --set training.epochs=2 --out "$(mktemp -d)/run")
sp_log "spark-submit --packages $coords ..."
# A fresh Ivy cache, so the package really comes from the repository and not from an earlier run.
ivy="$(mktemp -d)"
trap 'rm -rf "$ivy"' EXIT
# shellcheck disable=SC2046
java $(sp_jvm_flags) -Dlog4j2.configurationFile="$SP_ROOT/conf/log4j2.properties" -cp "$SPARK_HOME/jars/*" \
  org.apache.spark.deploy.SparkSubmit --master "local[2]" \
  --conf spark.jars.ivy="$ivy" --conf "spark.driver.host=$SPARK_LOCAL_IP" \
  --packages "$coords" --class org.sparkprop.cli.Main spark-internal "${args[@]}"
