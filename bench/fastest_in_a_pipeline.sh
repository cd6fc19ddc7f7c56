#!/usr/bin/env bash
# How often --cpu-dtype fastest keeps each mode when convbench starts at the head of a pipeline, as in
# `convbench --problems - --format jsonl | python3 ...`: the consumer starts at the same moment and takes a
# core for its own start-up, so the first problem's trial runs beside it. Prints, per problem and mode kept,
# how many processes kept it, then the first problem's trial detail in each process.
#
#   bash bench/fastest_in_a_pipeline.sh [CONVBENCH] [PROCESSES]
set -euo pipefail
convbench=${1:-build/convbench}
processes=${2:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$processes"); do
  # The consumer is a fresh python3 that starts up and passes the records on, as a script's would.
  printf -- '--batch 2 --filter 4x3x3 --dtype bf16\n--batch 2 --filter 8x3x3 --dtype bf16\n' |
    "$convbench" --device cpu --problems - --cpu-dtype fastest --runs 3 --format jsonl 2>/dev/null |
    python3 -c 'import sys; sys.stdout.write(sys.stdin.read())' >"$out/$i.jsonl"
done
python3 - "$out"/*.jsonl <<'EOF'
import collections, json, sys
kept, first = collections.Counter(), []
for path in sys.argv[1:]:
    records = [json.loads(line) for line in open(path)]
    for r in records:
        kept[(r["problem"]["descriptor"], r["devices"]["cpu"]["dtype"])] += 1
    first.append(records[0]["devices"]["cpu"]["details"].get("mode", ""))
for (problem, mode), n in sorted(kept.items()):
    print(f"{problem}: {mode} kept by {n} of {len(sys.argv) - 1}")
print("first problem's trials:")
for d in first:
    print("  " + d)
EOF
