#!/usr/bin/env bash
# Installs everything nixpp needs to build and test, from Debian 12's packages.
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

build_pkgs=(
  g++ cmake ninja-build pkg-config git ccache lld
  libssl-dev libsodium-dev libsqlite3-dev nlohmann-json3-dev
  libarchive-dev libcurl4-openssl-dev libseccomp-dev libbrotli-dev libbz2-dev
  libgc-dev libedit-dev libtoml11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Nix 2.8 is the oracle for differential tests and benchmarks.
test_pkgs=( nix-bin xz-utils python3 time busybox-static openssl )

want=("${build_pkgs[@]}")
if [ "${1:-}" != "--build-only" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
