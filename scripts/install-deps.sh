#!/usr/bin/env bash
# Installs the Debian packages Vigil builds, tests and benchmarks with. Idempotent: it asks dpkg
# what is already there and calls apt-get only for what is missing.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also what `make bench` compares against (nginx, Go, gperftools)
set -euo pipefail

# One list: every package Vigil needs to build and run its tests. Boost.JSON and Boost.URL are
# compiled libraries packaged apart from the headers of libboost1.81-dev.
PACKAGES=(
  cmake ninja-build ccache pkg-config g++
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsimdjson-dev libsqlite3-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev libssl-dev libdeflate-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql libgoogle-perftools-dev
  curl procps
)
# What `make bench` measures against.
BENCH_PACKAGES=(nginx-light golang-go jq iproute2 librocksdb-dev)

wanted=("${PACKAGES[@]}")
[[ "${1:-}" == "--bench" ]] && wanted+=("${BENCH_PACKAGES[@]}")

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    cmd=(sudo "${cmd[@]}")
  else
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: run as root, then try again:" >&2
    echo "  apt-get update && ${cmd[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists: if the install cannot find a package, refresh them once
# and try again.
sudo_prefix=()
[[ ${cmd[0]} == sudo ]] && sudo_prefix=(sudo)
if ! "${cmd[@]}"; then
  "${sudo_prefix[@]}" apt-get update
  "${cmd[@]}"
fi
