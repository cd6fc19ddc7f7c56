#!/usr/bin/env bash
# Installs what convbench needs and is missing, and nothing else:
#  - Debian packages: a C++ toolchain, CMake, oneDNN, CLI11, fmt, nlohmann-json, GoogleTest, and clang with
#    its libFuzzer runtime and OpenMP (for the fuzz build that scripts/test.sh runs);
#  - where a CUDA toolkit is present: the cudnn-frontend headers, taken from the nvidia-cudnn-frontend
#    wheel on PyPI (fetched without dependencies; only include/ is unpacked, into .deps/).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
FRONTEND_VERSION=1.32.0

packages=(build-essential cmake libdnnl-dev libcli11-dev libfmt-dev nlohmann-json3-dev libgtest-dev python3 unzip
          clang libclang-rt-14-dev libomp-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cuda_home=${CUDA_HOME:-/usr/local/cuda}
dest=$root/.deps/cudnn-frontend
if [ -f "$cuda_home/include/cuda_runtime.h" ] && [ ! -f "$dest/include/cudnn_frontend.h" ]; then
  echo "setup: fetching the cudnn-frontend $FRONTEND_VERSION headers (PyPI wheel, include/ only)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! python3 -m pip --version >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  # The wheel's headers do not depend on the Python version or platform tag; ask for one that exists.
  if python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
       --platform manylinux_2_28_x86_64 -d "$tmp" "nvidia-cudnn-frontend==$FRONTEND_VERSION"; then
    rm -rf "$dest" && mkdir -p "$dest"
    unzip -q "$tmp"/nvidia_cudnn_frontend-*.whl 'include/*' -d "$dest"
  else
    echo "setup: could not fetch the cudnn-frontend headers; the GPU backend will not be built" >&2
  fi
fi
