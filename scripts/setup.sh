#!/usr/bin/env bash
# Installs what convbench needs and is missing, and nothing else. Safe to run again: it does nothing when
# everything is there.
#
#   scripts/setup.sh            what building needs (scripts/build.sh calls this):
#     - Debian packages: a C++ toolchain, CMake, oneDNN, CLI11, fmt, nlohmann-json, GoogleTest, and the
#       OpenCL development files. Debian's oneDNN is built with the OpenCL GPU runtime, so its CMake config
#       (dnnl-config.cmake) calls find_package(OpenCL REQUIRED) and its DNNL::dnnl target links
#       OpenCL::OpenCL. libdnnl-dev only *recommends* ocl-icd-opencl-dev, and we install with
#       --no-install-recommends, so it is named here explicitly.
#     - where a CUDA toolkit is present: the cudnn-frontend headers, taken from the nvidia-cudnn-frontend
#       wheel on PyPI (fetched without dependencies; only include/ is unpacked, into .deps/).
#   scripts/setup.sh --for-tests   the above, plus what scripts/test.sh needs: clang with its libFuzzer
#       runtime and OpenMP (the fuzz build), and debootstrap and gnupg (the fresh-machine check; gpg takes
#       the pinned key out of an Ubuntu keyring). The libFuzzer runtime's package carries clang's major
#       version (libclang-rt-14-dev on Debian 12, -19- on Debian 13, -18- on Ubuntu 24.04), so it is named
#       once clang is installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
FRONTEND_VERSION=1.32.0

packages=(build-essential cmake libdnnl-dev ocl-icd-opencl-dev libcli11-dev libfmt-dev nlohmann-json3-dev
          libgtest-dev python3 unzip)
# Slurm and munge: the cluster test starts its own one-node Slurm (tests/e2e/slurm_fleet.sh); mpich and
# openmpi-bin: the same recipe through MPICH's and Open MPI's launchers (tests/e2e/mpi_fleet.sh).
test_packages=(clang libomp-dev debootstrap gnupg slurmd slurmctld slurm-client munge mpich openmpi-bin)
# The HTML report is loaded and rendered headless (tests/e2e/html_chromium.sh). Ubuntu has no chromium
# package (its Chromium is a snap), so where there is none a line says so and that test reports a skip.
browser=chromium
for_tests=0
case "${1:-}" in
  "") ;;
  --for-tests) packages+=("${test_packages[@]}"); for_tests=1 ;;
  *) echo "setup.sh: unknown argument '$1'; the only one is --for-tests" >&2; exit 2 ;;
esac

sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
updated=0
refresh_lists() {  # apt-get update, once per run
  if [ "$updated" = 0 ]; then $sudo apt-get update -qq; updated=1; fi
}
apt_install() {  # installs the named packages
  refresh_lists
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

install_missing() {  # installs those of the named packages that are not installed
  local missing=() p
  for p in "$@"; do
    installed "$p" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
  fi
}
install_missing "${packages[@]}"
if [ "$for_tests" = 1 ]; then
  install_missing "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
  if ! installed "$browser"; then
    refresh_lists
    # (awk reads it all: a `grep -q` that stops early would fail the pipe under pipefail)
    candidate=$(apt-cache policy "$browser" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
      install_missing "$browser"
    else
      echo "setup: no '$browser' package here (Ubuntu's is a snap); the HTML report's browser test will be skipped" >&2
    fi
  fi
fi

cuda_home=${CUDA_HOME:-/usr/local/cuda}
dest=$root/.deps/cudnn-frontend
if [ -f "$cuda_home/include/cuda_runtime.h" ] && [ ! -f "$dest/include/cudnn_frontend.h" ]; then
  echo "setup: fetching the cudnn-frontend $FRONTEND_VERSION headers (PyPI wheel, include/ only)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
  # The wheel's headers do not depend on the Python version or platform tag; ask for one that exists.
  if python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
       --platform manylinux_2_28_x86_64 -d "$tmp" "nvidia-cudnn-frontend==$FRONTEND_VERSION"; then
    rm -rf "$dest" && mkdir -p "$dest"
    unzip -q "$tmp"/nvidia_cudnn_frontend-*.whl 'include/*' -d "$dest"
  else
    echo "setup: could not fetch the cudnn-frontend headers; the GPU backend will not be built" >&2
  fi
fi
