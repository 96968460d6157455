#!/usr/bin/env bash
# The README's train command. On a fresh machine it installs OpenBLAS and, for configs that read it,
# Fashion-MNIST (Debian's packages; the dataset's public download elsewhere), builds Sparkprop if
# needed, and trains the default config on Spark local mode. Arguments go to `sparkprop train`, e.g.
#   scripts/train.sh --config conf/two-moons.conf --set training.epochs=5
# With no --config, conf/fashion-mnist-mlp.conf is used.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
args=("$@")
config=""
prev=""
for a in "$@"; do
  case "$a" in --config=*) config="${a#--config=}" ;; esac
  case "$prev" in -c|--config) config="$a" ;; esac
  prev="$a"
done
if [ -z "$config" ]; then
  config="$SP_ROOT/conf/fashion-mnist-mlp.conf"
  args=(--config "$config" "${args[@]}")
fi
# Fashion-MNIST is fetched only for configs (or --set overrides) that read it, so other configs
# train offline.
if grep -q 'fashion-mnist:' "$config" 2>/dev/null || [[ " ${args[*]} " == *fashion-mnist:* ]]; then
  "$SP_ROOT/scripts/setup.sh" --data
else
  "$SP_ROOT/scripts/setup.sh"
fi
sp_build
if [ -z "${SPARKPROP_FASHION_MNIST:-}" ] && dir="$(sp_fashion_dir)"; then
  export SPARKPROP_FASHION_MNIST="$dir"
fi
sp_java org.sparkprop.cli.Main train "${args[@]}"
