#!/usr/bin/env bash
# Installs what Sparkprop needs from the system, idempotently; safe to run again and again.
#   scripts/setup.sh            OpenBLAS (Debian's libopenblas0-pthread)
#   scripts/setup.sh --data     + Fashion-MNIST (Debian's dataset-fashion-mnist, else the public download)
#   scripts/setup.sh --bench    + what the benchmarks compare with or read: PyTorch and
#                               scikit-learn's datasets (Debian's python3-torch, python3-sklearn)
# Without root or apt, it warns and goes on: Sparkprop then runs on netlib's Java BLAS, slower.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

want_data=0
want_bench=0
for a in "$@"; do
  case "$a" in
    --data) want_data=1 ;;
    --bench) want_bench=1; want_data=1 ;;
    *) sp_log "unknown option $a (use --data, --bench)"; exit 2 ;;
  esac
done

packages=(libopenblas0-pthread)
[ "$want_bench" = 1 ] && packages+=(python3-torch python3-sklearn)
if [ "$want_data" = 1 ] && ! sp_fashion_dir >/dev/null; then
  packages+=(dataset-fashion-mnist)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else return 1; fi
  fi
  command -v apt-get >/dev/null || return 1
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 && return 0
  $sudo apt-get update -q >/dev/null 2>&1 || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

if [ "${#missing[@]}" -gt 0 ]; then
  sp_log "installing ${missing[*]} ..."
  if ! apt_install "${missing[@]}"; then
    sp_log "WARNING: could not install ${missing[*]} (no root/sudo or no apt)."
    sp_log "WARNING: without libopenblas0-pthread Sparkprop uses a Java BLAS, several times slower."
  fi
fi

if [ "$want_data" = 1 ] && ! sp_fashion_dir >/dev/null; then
  # Not a Debian machine, or the package is unavailable: the dataset's public download.
  url="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
  dest="$SP_ROOT/data/fashion-mnist"
  mkdir -p "$dest"
  # The MD5 sums the dataset's authors publish with it (zalandoresearch/fashion-mnist, README):
  # a truncated or altered download is refused, not trained on.
  declare -A md5=(
    [train-images-idx3-ubyte]=8d4fb7e6c68d591d4c3dfef9ec88bf0d
    [train-labels-idx1-ubyte]=25c81989df183df01b3e8a0aad5dffbe
    [t10k-images-idx3-ubyte]=bef4ecab320f06d8554ea6380940ec79
    [t10k-labels-idx1-ubyte]=bb300cfdad3c16e7a12a480ee83cd310
  )
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$dest/$f.gz" ] && continue
    sp_log "downloading $f.gz ..."
    if command -v curl >/dev/null; then curl -fsSL -o "$dest/$f.gz.part" "$url/$f.gz"
    else wget -q -O "$dest/$f.gz.part" "$url/$f.gz"; fi
    got="$( (md5sum "$dest/$f.gz.part" 2>/dev/null || openssl md5 -r "$dest/$f.gz.part") | cut -d' ' -f1)"
    if [ "$got" != "${md5[$f]}" ]; then
      rm -f "$dest/$f.gz.part"
      sp_log "$f.gz from $url has MD5 $got, not the published ${md5[$f]}: the download is damaged"
      sp_log "or altered; run scripts/setup.sh --data again, or install Debian's dataset-fashion-mnist"
      exit 1
    fi
    mv "$dest/$f.gz.part" "$dest/$f.gz"
  done
fi
if [ "$want_data" = 1 ]; then
  sp_fashion_dir >/dev/null || { sp_log "Fashion-MNIST is not available"; exit 1; }
fi
exit 0
