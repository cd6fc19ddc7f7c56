#!/usr/bin/env bash
# Installs what is missing, builds, and runs every check CI runs:
#  1. the same CPU test suite built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
#  2. the libFuzzer targets (build-fuzz/, clang), each for FUZZ_SECONDS (default 30) from fuzz/corpus/,
#     with a fixed FUZZ_SEED (default 1): CI walks the same inputs as a local run with the same seed, so a
#     longer local run before a commit covers what CI will try (a random seed once failed a landing on an
#     input no local run had reached); set FUZZ_SEED=0 for a random seed when exploring;
#  3. the CPU test suite built against oneDNN 3.x (build-onednn3/; scripts/setup-onednn3.sh fetches it
#     outside the source tree), besides Debian 12's oneDNN 2.6 that every other build uses;
#  4. bench/device_run.sh --dry-run on the staged programs (where ../shared/gpu/stage exists);
#  5. the Release build's test suite (GPU tests skip, with their reason, where there is no GPU).
# CONVBENCH_QUICK=1 runs only step 5. The Release suite runs last, so its summary closes the output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=$(nproc)
"$root/scripts/setup.sh" --for-tests
"$root/scripts/build.sh"

# Runs the ctest suite in $2 and prints its pass/fail count; on a failure, the failing tests' output too.
suite() {
  local name=$1 dir=$2 log
  log=$(mktemp)
  if (cd "$dir" && ctest --output-on-failure -j "$jobs") >"$log" 2>&1; then
    echo "$name: $(grep -E '^[0-9]+% tests passed' "$log")" >&2
    rm -f "$log"
  else
    cat "$log" >&2
    echo "$name: FAILED (log above)" >&2
    rm -f "$log"
    return 1
  fi
}

if [ "${CONVBENCH_QUICK:-0}" != 1 ]; then
  echo "== sanitizer build (asan + ubsan, CPU only)" >&2
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVBENCH_SANITIZE=ON \
        -DCONVBENCH_GPU=OFF >/dev/null
  cmake --build "$root/build-asan" -j "$jobs" >/dev/null
  suite "asan+ubsan suite" "$root/build-asan"

  echo "== fuzz build (clang, libFuzzer)" >&2
  CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVBENCH_FUZZ=ON \
        -DCONVBENCH_GPU=OFF -DCONVBENCH_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build-fuzz" -j "$jobs" >/dev/null
  for target in descriptor problem_line npy record; do
    work=$(mktemp -d)
    echo "== fuzz_$target for ${FUZZ_SECONDS:-30} s, seed ${FUZZ_SEED:-1}" >&2
    dict=()  # a target's dictionary of tokens, where it has one (fuzz/TARGET.dict)
    [ -f "$root/fuzz/$target.dict" ] && dict=(-dict="$root/fuzz/$target.dict")
    if ! (cd "$work" && "$root/build-fuzz/fuzz/fuzz_$target" -max_total_time="${FUZZ_SECONDS:-30}" -seed="${FUZZ_SEED:-1}" "${dict[@]}" \
            "$work" "$root/fuzz/corpus/$target" >"$work/log" 2>&1); then
      tail -n 30 "$work/log" >&2
      # The input, printed: on a CI machine the log is all that comes back.
      for found in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        [ -f "$found" ] && echo "the input, base64: $(base64 -w0 "$found")" >&2
      done
      echo "fuzz_$target found a failure; the input is in $work" >&2
      exit 1
    fi
    tail -n 1 "$work/log" >&2
    rm -rf "$work"
  done

  echo "== oneDNN 3.x build (CPU only)" >&2
  onednn3=$("$root/scripts/setup-onednn3.sh")
  cmake -S "$root" -B "$root/build-onednn3" -DCMAKE_BUILD_TYPE=Release -DCONVBENCH_GPU=OFF \
        -Ddnnl_DIR="$onednn3/lib/cmake/dnnl" >/dev/null
  cmake --build "$root/build-onednn3" -j "$jobs" >/dev/null
  "$root/build-onednn3/convbench" --version | head -n 2 >&2
  suite "oneDNN 3.x suite" "$root/build-onednn3"
fi

# The GPU machine's script, dry: staging and every command checked here, so device time is not spent on a typo.
stage=$root/../shared/gpu/stage
if [ "${CONVBENCH_QUICK:-0}" != 1 ] && [ -x "$stage" ]; then
  echo "== bench/device_run.sh --dry-run" >&2
  # stage appends to .git/info/exclude; a clone made without git's templates (as CI's is) has no info/.
  [ -d "$root/.git" ] && mkdir -p "$root/.git/info"
  (cd "$root" && "$stage" "$build/convbench" "$build/tests/test_cudnn" "$build/tests/test_e2e_check" \
     "$build/tests/test_e2e_cli" >&2 && d=$(mktemp -d) && OUT=$d bash bench/device_run.sh --dry-run >/dev/null && rm -rf "$d") ||
    { echo "device_run.sh --dry-run FAILED" >&2; exit 1; }
  echo "device_run.sh --dry-run: passed" >&2
fi

echo "== test suite (Release)" >&2
cd "$build" && ctest --output-on-failure -j "$jobs"
