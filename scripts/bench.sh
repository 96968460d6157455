#!/usr/bin/env bash
# Sparkprop's benchmarks; each prints JSON lines measured in one run on this machine.
#   scripts/bench.sh engine            one training step vs its GEMMs alone (1 thread)
#   scripts/bench.sh step              where a step's time goes: update, activations, threads, Spark
#   scripts/bench.sh local [EPOCHS]    local trainer vs PyTorch on the CPU (2 threads each)
#   scripts/bench.sh mllib [--cluster] Sparkprop on Spark vs MLlib's MultilayerPerceptronClassifier
#   scripts/bench.sh longrun [STEPS]   driver heap over a long synchronous run
#   scripts/bench.sh scale [--cluster] accuracy and speed at 2, 8, 32 partitions (and on a cluster)
#   scripts/bench.sh jobcost [--cluster] one Spark job per synchronisation, against tasks and bytes
#   scripts/bench.sh sync [--cluster]  per-step sync cost: a Spark job (sync) against allreduce
#   scripts/bench.sh aggregate         the fixed-order sum of partials against treeAggregate
#   scripts/bench.sh tabular [SETS]    estimators at their defaults against MLlib on 9 tabular sets
#   scripts/bench.sh predict           Spark ML transform throughput: Sparkprop vs MLPC vs the engine
#   scripts/bench.sh bigdata [ROWS]    training from Parquet larger than the executors' memory
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
what="${1:-}"
shift || true
case "$what" in
  engine)
    "$SP_ROOT/scripts/setup.sh"
    sp_build
    sp_bench engine org.sparkprop.bench.EngineBench "$@"
    ;;
  aggregate)
    "$SP_ROOT/scripts/setup.sh"
    sp_build
    SP_JAVA_OPTS="-Xmx6g" sp_bench aggregate org.sparkprop.spark.AggregationBench
    ;;
  step)
    "$SP_ROOT/scripts/setup.sh"
    sp_build
    SP_JAVA_OPTS="-Xmx4g" sp_bench step org.sparkprop.bench.StepBench "$@"
    ;;
  local)
    "$SP_ROOT/scripts/setup.sh" --bench
    sp_build
    epochs="${1:-5}"
    data="$(sp_fashion_dir)"
    local_json="$(sp_bench local org.sparkprop.bench.LocalBench "$data" "$epochs" 2 1)"
    echo "$local_json"
    torch_json="$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$SP_ROOT/scripts/bench/torch_mlp.py" "$data" "$epochs" 2 1)"
    echo "$torch_json"
    /usr/bin/python3 - "$local_json" "$torch_json" <<'PY'
import json, sys
l, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"bench": "local-vs-torch", "epochs": l["epochs"],
                  "local_samples_per_s": l["samples_per_s"], "torch_samples_per_s": t["samples_per_s"],
                  "ratio": round(l["samples_per_s"] / t["samples_per_s"], 3),
                  "local_test_accuracy": l["test_accuracy"], "torch_test_accuracy": t["test_accuracy"]}))
PY
    ;;
  predict)
    "$SP_ROOT/scripts/setup.sh" --data
    sp_build
    SP_JAVA_OPTS="-Xmx8g" sp_bench predict org.sparkprop.bench.PredictBench "$(sp_fashion_dir)"
    ;;
  tabular)
    "$SP_ROOT/scripts/setup.sh" --bench                # scikit-learn's CSVs
    sp_build
    exec "$SP_ROOT/scripts/bench/$what.sh" "$@"
    ;;
  mllib|longrun|scale|jobcost|sync|bigdata)
    "$SP_ROOT/scripts/setup.sh" --data
    sp_build
    exec "$SP_ROOT/scripts/bench/$what.sh" "$@"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
