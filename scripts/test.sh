#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with CTest. Tests that need a GPU
# skip, with their reason, where there is none.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
cd "$build" && ctest --output-on-failure -j "$(nproc)"
