#!/usr/bin/env bash
# scripts/bench.sh bigdata [ROWS] [WINDOW] [EXECUTOR_MEMORY]: training from a Parquet dataset
# larger than the executors' memory. Writes ROWS (default 2,000,000) augmented Fashion-MNIST
# images as Parquet once (target/bigdata, array<float> features; org.sparkprop.bench.BigDataSet),
# starts a loopback cluster of 2 workers of 1 core whose executors have EXECUTOR_MEMORY (default
# 2g) of heap, trains the default MLP on it for 2 epochs with spark.streamWindowRows = WINDOW
# (default 50,000), samples every executor's peak resident memory (VmHWM) while it runs, and
# prints one JSON line:
#   {"bench":"bigdata","rows":…,"bytes":…,"executor_memory":"2g","executor_peak_rss_mb":[…],
#    "epoch_seconds":[…],"train_seconds":…,"test_accuracy":…,…}
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
rows="${1:-2000000}"
window="${2:-50000}"
memory="${3:-2g}"
data="$(sp_fashion_dir)"
cd "$SP_ROOT"
dir="$SP_ROOT/target/bigdata/fashion-$rows.parquet"
if [ ! -f "$dir/_SUCCESS" ]; then
  SP_JAVA_OPTS="-Xmx6g" sp_bench bigdata-generate org.sparkprop.bench.BigDataSet "$data" "$rows" "$dir" >&2
fi
on_disk="$(du -sb "$dir" | cut -f1)"
"$SP_ROOT/scripts/cluster.sh" start 2 1 2500m >&2
out="$SP_ROOT/target/bigdata/run"
rss="$SP_ROOT/target/bigdata/rss.txt"
rm -rf "$out" && : > "$rss"
trap '"$SP_ROOT/scripts/cluster.sh" stop >&2' EXIT
# Every executor's peak resident set so far, twice a second, while the job runs.
( while true; do
    for pid in $(pgrep -f CoarseGrainedExecutorBackend || true); do
      hwm="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
      [ -n "$hwm" ] && echo "$pid $hwm" >> "$rss"
    done
    sleep 0.5
  done ) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; "$SP_ROOT/scripts/cluster.sh" stop >&2' EXIT
start=$(date +%s.%N)
"$SP_ROOT/scripts/submit.sh" --master "spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" \
  --executor-memory "$memory" --total-executor-cores 2 --driver-memory 3g -- \
  train --config conf/fashion-mnist-mlp.conf --set spark.master="spark://127.0.0.1:${SPARKPROP_MASTER_PORT:-7077}" \
  --set data.train="parquet:file://$dir" --set training.epochs=2 --set training.validationFraction=0 \
  --set spark.streamWindowRows="$window" --set output.plot=false --out "$out" > "$SP_ROOT/target/bigdata/train.log" 2>&1 \
  || { tail -n 40 "$SP_ROOT/target/bigdata/train.log" >&2; exit 1; }
end=$(date +%s.%N)
kill $sampler 2>/dev/null || true
/usr/bin/python3 - "$rows" "$on_disk" "$window" "$rss" "$out" "$start" "$end" "$memory" <<'PY'
import json, sys, os
rows, on_disk, window, rss, out, start, end, memory = sys.argv[1:]
peak = {}
for line in open(rss):
    pid, kb = line.split()
    peak[pid] = max(peak.get(pid, 0), int(kb))
summary = json.load(open(os.path.join(out, "summary.json")))
metrics = json.load(open(os.path.join(out, "metrics.json")))
epochs = metrics.get("epochs", metrics) if isinstance(metrics, dict) else metrics
secs = [round(e["epoch_s"], 2) for e in epochs]
print(json.dumps({"bench": "bigdata", "rows": int(rows), "bytes": int(rows) * 785 * 4,
                  "parquet_bytes": int(on_disk), "executors": len(peak), "executor_memory": memory,
                  "executor_peak_rss_mb": sorted(round(v / 1024) for v in peak.values()),
                  "stream_window_rows": int(window), "mode": summary.get("mode"),
                  "replicas": summary.get("replicas"), "epoch_seconds": secs,
                  "train_seconds": summary.get("train_seconds"),
                  "job_seconds": round(float(end) - float(start), 1),
                  "test_accuracy": summary.get("test_accuracy")}))
PY
