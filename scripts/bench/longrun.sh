#!/usr/bin/env bash
# scripts/bench.sh longrun [STEPS]: driver heap over a long synchronous run (default 10,000 steps).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
SP_JAVA_OPTS="-Xmx2g" sp_bench longrun org.sparkprop.bench.LongRunBench "${1:-10000}"
