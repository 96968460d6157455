#!/usr/bin/env bash
# scripts/bench.sh scale [--cluster]: accuracy and speed against the partition count (see
# org.sparkprop.bench.ScaleBench): P = 2, 8, 32 on local[2]; with --cluster also P = 2, 4 on a
# loopback standalone cluster of 4 workers (1 core each), started and stopped here. The last line
# is local[2]'s summary, with the cluster's under "cluster".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cluster=0
if [ "${1:-}" = "--cluster" ]; then cluster=1; shift; fi
data="$(sp_fashion_dir)"
cd "$SP_ROOT"                                               # the benchmark reads conf/
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
SP_JAVA_OPTS="-Xmx8g" sp_bench scale org.sparkprop.bench.ScaleBench "$data" "local[2]" "${1:-2,8,32}" | tee "$out"
local_json="$(tail -n 1 "$out")"
if [ "$cluster" = 1 ]; then
  "$SP_ROOT/scripts/cluster.sh" start 4 1 1500m >&2
  trap '"$SP_ROOT/scripts/cluster.sh" stop >&2; rm -f "$out"' EXIT
  SP_JAVA_OPTS="-Xmx6g" sp_bench scale-cluster org.sparkprop.bench.ScaleBench \
    "$data" "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" "2,4" "$SP_BENCH_CLUSTER_JARS" | tee "$out"
  /usr/bin/python3 - "$local_json" "$(tail -n 1 "$out")" <<'PY'
import json, sys
summary, cluster = json.loads(sys.argv[1]), json.loads(sys.argv[2])
summary["cluster"] = cluster
print(json.dumps(summary))
PY
fi
