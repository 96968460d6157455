#!/usr/bin/env bash
# scripts/bench.sh sync [--cluster]: per-step synchronisation cost of spark.mode=sync (a Spark job
# per step) against spark.mode=allreduce (see org.sparkprop.bench.SyncBench), on local[2] and,
# with --cluster, on loopback standalone clusters of 2 and 4 workers of 1 core each. The last line
# is the summary: local[2]'s ratio, and the 2-worker cluster's as cluster_*.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cluster=0
if [ "${1:-}" = "--cluster" ]; then cluster=1; shift; fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
SP_JAVA_OPTS="-Xmx6g" sp_bench sync org.sparkprop.bench.SyncBench "local[2]" 2 | tee "$out"
local_json="$(tail -n 1 "$out")"
[ "$cluster" = 1 ] || exit 0
trap '"$SP_ROOT/scripts/cluster.sh" stop >&2; rm -f "$out"' EXIT
cluster_json=""
for w in 2 4; do
  "$SP_ROOT/scripts/cluster.sh" start "$w" 1 1500m >&2
  SP_JAVA_OPTS="-Xmx6g" sp_bench sync-cluster org.sparkprop.bench.SyncBench \
    "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" "$w" "$SP_BENCH_CLUSTER_JARS" | tee "$out"
  [ "$w" = 2 ] && cluster_json="$(tail -n 1 "$out")"
  "$SP_ROOT/scripts/cluster.sh" stop >&2
done
/usr/bin/python3 - "$local_json" "$cluster_json" <<'PY'
import json, sys
l, c = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"bench": "sync-cost", "job_ms": l["job_ms"], "collective_ms": l["collective_ms"],
                  "ratio": l["ratio"], "cluster_job_ms": c["job_ms"],
                  "cluster_collective_ms": c["collective_ms"], "cluster_ratio": c["ratio"]}))
PY
