#!/usr/bin/env bash
# The core issue's CPU speed figures, on this machine:
#  1. convbench's seed-problem median against a direct oneDNN call (bench_cpu_overhead);
#  2. the wall time of the whole default run, start to exit (median of 5 runs).
#  3. the wall time of `convbench check` (median of 5).
# Usage: bench/cpu_bench.sh [build-dir]   (after scripts/build.sh)
set -euo pipefail
build=${1:-build}
"$build/bench/bench_cpu_overhead" 7
walls=()
for i in 1 2 3 4 5; do
  s=$(date +%s%N); "$build/convbench" >/dev/null; e=$(date +%s%N)
  walls+=("$(( (e - s) / 1000000 ))")
done
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1/1000} END {printf "default run, start to exit: median %.3f s of 5 (min %.3f, max %.3f); target < 1.5 s: %s\n", a[3], a[1], a[5], (a[3] < 1.5 ? "met" : "NOT met")}'
checks=()
for i in 1 2 3 4 5; do
  s=$(date +%s%N); "$build/convbench" check >/dev/null 2>&1 || true; e=$(date +%s%N)
  checks+=("$(( (e - s) / 1000 ))")
done
printf '%s\n' "${checks[@]}" | sort -n | awk '{a[NR]=$1/1000} END {printf "convbench check, start to exit: median %.1f ms of 5 (max %.1f); target without a GPU < 200 ms: %s\n", a[3], a[5], (a[3] < 200 ? "met" : "NOT met")}'
