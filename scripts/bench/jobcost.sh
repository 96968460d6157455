#!/usr/bin/env bash
# scripts/bench.sh jobcost [--cluster]: the cost of one driver-centric synchronisation (broadcast,
# P tasks, treeAggregate) with no compute (see org.sparkprop.bench.JobCostBench), on local[N] for
# N = 2, 4, 8, 16, 32 and, with --cluster, on loopback standalone clusters of 2, 3 and 4 workers
# of 1 core each (--cluster-only: those alone). The inputs of docs/costmodel.py.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cluster=0
local_runs=(2 4 8 16 32)
if [ "${1:-}" = "--cluster" ]; then cluster=1; shift; fi
if [ "${1:-}" = "--cluster-only" ]; then cluster=1; local_runs=(); shift; fi
for n in "${local_runs[@]}"; do
  SP_JAVA_OPTS="-Xmx10g" sp_bench jobcost org.sparkprop.bench.JobCostBench "local[$n]" "$n"
done
if [ "$cluster" = 1 ]; then
  trap '"$SP_ROOT/scripts/cluster.sh" stop >&2' EXIT
  for w in 2 3 4; do
    "$SP_ROOT/scripts/cluster.sh" start "$w" 1 1500m >&2
    SP_JAVA_OPTS="-Xmx6g" sp_bench jobcost-cluster org.sparkprop.bench.JobCostBench \
      "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" "$w" "$SP_BENCH_CLUSTER_JARS"
    "$SP_ROOT/scripts/cluster.sh" stop >&2
  done
fi
