#!/usr/bin/env bash
# Installs what is missing, builds, and runs every check CI runs:
#  1. the Release build's test suite (GPU tests skip, with their reason, where there is no GPU);
#  2. the same CPU test suite built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
#  3. the libFuzzer targets (build-fuzz/, clang), each for FUZZ_SECONDS (default 30) from fuzz/corpus/.
# CONVBENCH_QUICK=1 runs only step 1. The Release suite runs last, so its summary closes the output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=$(nproc)
"$root/scripts/build.sh"

if [ "${CONVBENCH_QUICK:-0}" != 1 ]; then
  echo "== sanitizer build (asan + ubsan, CPU only)" >&2
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVBENCH_SANITIZE=ON \
        -DCONVBENCH_GPU=OFF >/dev/null
  cmake --build "$root/build-asan" -j "$jobs" >/dev/null
  (cd "$root/build-asan" && ctest --output-on-failure -j "$jobs") | tail -n 3

  echo "== fuzz build (clang, libFuzzer)" >&2
  CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVBENCH_FUZZ=ON \
        -DCONVBENCH_GPU=OFF -DCONVBENCH_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build-fuzz" -j "$jobs" >/dev/null
  for target in descriptor problem_line npy; do
    work=$(mktemp -d)
    echo "== fuzz_$target for ${FUZZ_SECONDS:-30} s" >&2
    if ! (cd "$work" && "$root/build-fuzz/fuzz/fuzz_$target" -max_total_time="${FUZZ_SECONDS:-30}" \
            "$work" "$root/fuzz/corpus/$target" >"$work/log" 2>&1); then
      tail -n 30 "$work/log" >&2
      echo "fuzz_$target found a failure; the input is in $work" >&2
      exit 1
    fi
    tail -n 1 "$work/log" >&2
    rm -rf "$work"
  done
fi

echo "== test suite (Release)" >&2
cd "$build" && ctest --output-on-failure -j "$jobs"
