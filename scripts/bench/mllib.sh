#!/usr/bin/env bash
# scripts/bench.sh mllib [--cluster] [EPOCHS] [MLPC_MAX_ITER]: Sparkprop vs MLlib's MLPC (see
# org.sparkprop.bench.MllibBench). With --cluster, the same run again on a loopback standalone
# cluster of 2 workers (1 core each), started and stopped here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cluster=0
if [ "${1:-}" = "--cluster" ]; then cluster=1; shift; fi
epochs="${1:-10}"
iters="${2:-100}"
data="$(sp_fashion_dir)"
cd "$SP_ROOT"                                               # the benchmark reads conf/
SP_JAVA_OPTS="-Xmx8g" sp_bench mllib org.sparkprop.bench.MllibBench "$data" "local[2]" "$epochs" "$iters"
if [ "$cluster" = 1 ]; then
  "$SP_ROOT/scripts/cluster.sh" start 2 1 2g >&2
  trap '"$SP_ROOT/scripts/cluster.sh" stop >&2' EXIT
  SP_JAVA_OPTS="-Xmx8g" sp_bench mllib-cluster org.sparkprop.bench.MllibBench \
    "$data" "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" "$epochs" "$iters" "$SP_BENCH_CLUSTER_JARS"
fi
