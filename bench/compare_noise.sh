#!/usr/bin/env bash
# The compare experiment (issue 13): does `convbench compare` at its default settings stay quiet on
# unchanged code and catch a 10% slowdown?
#
#   bench/compare_noise.sh [BUILD_DIR] [TRIES] [WORKDIR]     (defaults: build, 20, bench-out/compare-noise)
#
# Each try runs the resnet50 suite on the CPU twice, back to back, with the default settings (A, then B).
#  - unchanged: `compare A B` must report no regression (exit 0);
#  - planted slowdown: B with every timing multiplied by 1.10 (bench/plant_slowdown.py: B's own run-to-run
#    noise is kept, only its level moves) must be caught (exit 8), and the script counts how many of the
#    23 problems were flagged.
# Prints one line per try and the two tallies; the records stay in WORKDIR, so that a changed verdict can be
# re-evaluated on the same data with `bench/compare_noise.sh --evaluate-only`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
evaluate_only=0
[ "${1:-}" = --evaluate-only ] && { evaluate_only=1; shift; }
build=${1:-$root/build}
tries=${2:-20}
work=${3:-$root/bench-out/compare-noise}
bin=$build/convbench
mkdir -p "$work"
if [ $evaluate_only = 0 ]; then
  for i in $(seq 1 "$tries"); do
    for side in a b; do
      "$bin" --suite resnet50 --device cpu --format jsonl --quiet --output "$work/try$i-$side.jsonl"
    done
  done
fi
quiet=0 caught=0 flagged_total=0
for i in $(seq 1 "$tries"); do
  a=$work/try$i-a.jsonl b=$work/try$i-b.jsonl slow=$work/try$i-b-slow.jsonl
  python3 "$root/bench/plant_slowdown.py" 1.10 <"$b" >"$slow"
  rc_same=0; "$bin" compare "$a" "$b" --format json >"$work/try$i-same.json" 2>/dev/null || rc_same=$?
  rc_slow=0; "$bin" compare "$a" "$slow" --format json >"$work/try$i-slow.json" 2>/dev/null || rc_slow=$?
  # per-problem regressions, and "+set" when a device's whole set was judged slower
  count='import json,sys; j=json.load(open(sys.argv[1])); print(str(j["regressions"]) + ("+set" if any(s["regression"] for s in j.get("sets", [])) else ""))'
  same_regressions=$(python3 -c "$count" "$work/try$i-same.json")
  slow_regressions=$(python3 -c "$count" "$work/try$i-slow.json")
  [ "$rc_same" = 0 ] && quiet=$((quiet + 1))
  [ "$rc_slow" = 8 ] && caught=$((caught + 1))
  flagged_total=$((flagged_total + ${slow_regressions%+set}))
  echo "try $i: unchanged: $same_regressions regressions (exit $rc_same); +10%: $slow_regressions of 23 flagged (exit $rc_slow)"
done
echo "unchanged code: no regression in $quiet of $tries tries"
echo "planted 10% slowdown: caught in $caught of $tries tries; $flagged_total of $((tries * 23)) problem comparisons flagged"
