# Sourced by Sparkprop's scripts: paths, environment and helpers. Not meant to run on its own.
SP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SP_USER_LOCAL_IP="${SPARK_LOCAL_IP:-}"                     # set by the user, or ours for local runs
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"      # the hostname may resolve to loopback
export SPARK_SCALA_VERSION=2.13                            # needed by local-cluster and Workers
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"   # we parallelise; OpenBLAS must not
unset OPENBLAS_CORETYPE                                    # a wrong core type crashes or slows BLAS

sp_log() { printf '[sparkprop] %s\n' "$*" >&2; }

# The JVM flags Spark gives the JVMs it launches; one source of truth: the pom.
sp_jvm_flags() {
  sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$SP_ROOT/pom.xml"
}

SP_JAR="$SP_ROOT/target/sparkprop.jar"
SP_BENCH_JAR="$SP_ROOT/target/sparkprop-bench.jar"       # the benchmarks, kept out of SP_JAR
# What a benchmark on a cluster ships to its executors (spark.jars): the cluster jar and the
# benchmark classes.
SP_BENCH_CLUSTER_JARS="$SP_ROOT/target/sparkprop-spark.jar,$SP_BENCH_JAR"
SP_CP_FILE="$SP_ROOT/target/classpath.txt"

# Builds the jar and the runtime classpath unless they are newer than every source file.
sp_build() {
  local stale=0
  if [ ! -f "$SP_JAR" ] || [ ! -f "$SP_CP_FILE" ] || [ ! -f "$SP_BENCH_JAR" ]; then
    stale=1
  elif [ -n "$(find "$SP_ROOT/src/main" "$SP_ROOT/pom.xml" -newer "$SP_JAR" -type f -print -quit)" ]; then
    stale=1
  fi
  if [ "$stale" = 1 ]; then
    command -v mvn >/dev/null || { sp_log "Maven (mvn) is required to build; install it (apt-get install maven)"; exit 1; }
    sp_log "building (mvn package -DskipTests)..."
    (cd "$SP_ROOT" && mvn -B -q package -DskipTests) >&2
  fi
}

# Runs a benchmark main; its log goes to target/bench-<name>.log, shown if it fails.
sp_bench() {
  local name="$1"
  shift
  local log="$SP_ROOT/target/bench-$name.log"
  if ! SP_CP_HEAD="$SP_JAR:$SP_BENCH_JAR" sp_java "$@" 2>"$log"; then
    sp_log "benchmark $name failed; the end of $log:"
    tail -n 30 "$log" >&2
    return 1
  fi
}

# While scripts/cluster.sh's cluster is up, the JVMs that talk to it authenticate with its secret,
# read from an owner-only argument file (java @file), so it never shows in a process list.
sp_java() {
  local auth=()
  [ -f "$SP_ROOT/target/cluster/auth.jvmargs" ] && auth=("@$SP_ROOT/target/cluster/auth.jvmargs")
  # shellcheck disable=SC2046
  java $(sp_jvm_flags) ${SP_JAVA_OPTS:-} "${auth[@]}" -Dlog4j2.configurationFile="$SP_ROOT/conf/log4j2.properties" \
    -cp "${SP_CP_HEAD:-$SP_JAR}:$(cat "$SP_CP_FILE")" "$@"
}

# Fashion-MNIST: $SPARKPROP_FASHION_MNIST, Debian's dataset-fashion-mnist, or data/ (the public
# download); scripts/setup.sh --data provides one of the last two.
sp_fashion_dir() {
  local d
  for d in "${SPARKPROP_FASHION_MNIST:-}" /usr/share/datasets/fashion-mnist "$SP_ROOT/data/fashion-mnist"; do
    if [ -n "$d" ] && [ -f "$d/t10k-labels-idx1-ubyte.gz" ]; then
      (cd "$d" && pwd)
      return 0
    fi
  done
  return 1
}

# A SPARK_HOME made of the Maven jars: a Worker builds executor command lines from SPARK_HOME/jars,
# so links to the runtime classpath's jars serve as a Spark distribution (no download needed).
sp_spark_home() {
  local home="$SP_ROOT/target/spark-home"
  if [ ! -d "$home/jars" ] || [ "$SP_CP_FILE" -nt "$home/jars" ]; then
    rm -rf "$home/jars"
    mkdir -p "$home/jars"
    tr ':' '\n' < "$SP_CP_FILE" | while read -r jar || [ -n "$jar" ]; do
      [ -n "$jar" ] && ln -sf "$jar" "$home/jars/"
    done
  fi
  export SPARK_HOME="$home"
}
