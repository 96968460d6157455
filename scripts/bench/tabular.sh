#!/usr/bin/env bash
# scripts/bench.sh tabular [NAME,...]: Sparkprop's estimators at their defaults against MLlib's on
# public tabular sets (see org.sparkprop.bench.TabularBench and scripts/bench/tabular_data.py),
# one JVM per dataset. The last line counts the datasets where Sparkprop meets the target.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
dir="$SP_ROOT/target/tabular"
if [ ! -f "$dir/tall58k.csv" ]; then
  /usr/bin/python3 "$SP_ROOT/scripts/bench/tabular_data.py" "$dir" "$(sp_fashion_dir)" >&2
fi
sets="${1:-iris,wine,breast_cancer,digits,blobs,tall58k,fashion12k,diabetes,friedman1}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for name in ${sets//,/ }; do
  kind=classification
  case "$name" in diabetes|friedman1) kind=regression ;; esac
  SP_JAVA_OPTS="-Xmx4g ${TABULAR_JAVA_OPTS:-}" sp_bench "tabular-$name" org.sparkprop.bench.TabularBench \
    "$dir/$name.csv" "$name" "$kind" | tee -a "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
verdicts = [json.loads(l) for l in open(sys.argv[1]) if '"tabular-dataset"' in l]
print(json.dumps({"bench": "tabular", "datasets": len(verdicts),
                  "wins_vs_best_mllib": sum(1 for v in verdicts if v["win"]),
                  "losses": [v["dataset"] for v in verdicts if not v["win"]]}))
PY
