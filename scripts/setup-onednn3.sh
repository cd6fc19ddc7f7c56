#!/usr/bin/env bash
# Puts a oneDNN 3.x (CPU, GNU OpenMP threading) install prefix outside the source tree and prints its path,
# so that convbench can also be built and tested against today's oneDNN, not only Debian 12's 2.6:
#
#   cmake -S . -B build-onednn3 -Ddnnl_DIR="$(scripts/setup-onednn3.sh)/lib/cmake/dnnl"
#
# It takes Intel's PyPI wheels onednn-devel-cpu-gomp (headers + CMake config) and onednn-cpu-gomp (the
# library) of release $ONEDNN_WHEEL_VERSION (2023.2.0 = oneDNN 3.2), fetched with --no-deps, and merges
# their data/ trees into one prefix under $CONVBENCH_DEPS (default ${XDG_CACHE_HOME:-~/.cache}/convbench-deps).
# Nothing is vendored; a second run reuses the prefix. Needs python3-pip and unzip (it installs them if
# missing).
set -euo pipefail
version=${ONEDNN_WHEEL_VERSION:-2023.2.0}
deps=${CONVBENCH_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/convbench-deps}
prefix=$deps/onednn-$version
if [ -f "$prefix/lib/cmake/dnnl/dnnl-config.cmake" ] && [ -e "$prefix/lib/libdnnl.so" ]; then
  echo "$prefix"
  exit 0
fi

sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
need=()
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "setup-onednn3: fetching onednn-devel-cpu-gomp and onednn-cpu-gomp $version (PyPI wheels) into $prefix" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux1_x86_64 -d "$tmp/whl" "onednn-devel-cpu-gomp==$version" "onednn-cpu-gomp==$version" >&2
mkdir -p "$tmp/x" "$tmp/prefix"
for w in "$tmp"/whl/*.whl; do unzip -q -o "$w" -d "$tmp/x"; done
for d in "$tmp"/x/*.data/data; do cp -a "$d"/. "$tmp/prefix"/; done
# The wheel ships libdnnl.so, .so.3 and .so.3.2 as three full copies: keep one file and two links.
(cd "$tmp/prefix/lib" && real=$(ls libdnnl.so.*.* | head -n 1) &&
  ln -sf "$real" libdnnl.so && ln -sf "$real" "$(echo "$real" | sed -E 's/(\.so\.[0-9]+)\..*/\1/')")
mkdir -p "$deps"
rm -rf "$prefix.partial" && mv "$tmp/prefix" "$prefix.partial" && rm -rf "$prefix" && mv "$prefix.partial" "$prefix"
echo "$prefix"
