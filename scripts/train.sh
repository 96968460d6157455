#!/usr/bin/env bash
# The README's train command. On a fresh machine it installs OpenBLAS and Fashion-MNIST (Debian's
# packages; the dataset's public download elsewhere), builds Sparkprop if needed, and trains the
# default config on Spark local mode. Arguments go to `sparkprop train`, e.g.
#   scripts/train.sh --config conf/two-moons.conf --set training.epochs=5
# With no --config, conf/fashion-mnist-mlp.conf is used.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$SP_ROOT/scripts/setup.sh" --data
sp_build
args=("$@")
has_config=0
for a in "$@"; do
  case "$a" in -c|--config|--config=*) has_config=1 ;; esac
done
[ "$has_config" = 1 ] || args=(--config "$SP_ROOT/conf/fashion-mnist-mlp.conf" "${args[@]}")
if [ -z "${SPARKPROP_FASHION_MNIST:-}" ] && dir="$(sp_fashion_dir)"; then
  export SPARKPROP_FASHION_MNIST="$dir"
fi
sp_java org.sparkprop.cli.Main train "${args[@]}"
