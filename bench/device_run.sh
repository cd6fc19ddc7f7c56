#!/usr/bin/env bash
# The one script to run on the GPU machine; it builds nothing. Before it, on the build machine:
#   ./scripts/build.sh && ../shared/gpu/stage build/convbench build/tests/test_cudnn build/tests/test_e2e_check \
#       build/tests/test_e2e_cli build/bench/bench_cpu_fpmath [/tmp/before/convbench-before] &&
#       bash bench/device_run.sh --dry-run
# convbench-before (optional) is run 6's binary, for the seed step's start-up A/B:
#   git worktree add /tmp/before 0d76002 && ln -s "$PWD/.deps" /tmp/before/.deps &&
#   cmake -S /tmp/before -B /tmp/before/build -DCMAKE_BUILD_TYPE=Release &&
#   cmake --build /tmp/before/build --target convbench && cp /tmp/before/build/convbench /tmp/before/convbench-before
# then, with the device tool: carry [".device"], timeout_s 560, command: bash bench/device_run.sh
#
# Steps, in this order, each with its own time limit (together 530 s, under the 540 s budget), each writing
# its file under $OUT the moment it finishes (the comparison appends every row as it is measured), so that
# a run cut short keeps everything done:
#   1. env      env.txt      card, driver, memory, versions, ldd, `convbench check` (timed, cold process), its JSON
#   2. tests    tests.txt    the GPU tests: test_cudnn, test_e2e_check, test_e2e_cli; GPU against CPU in
#                            every dtype and layout; bench_cpu_fpmath (does bf16 math change the CPU kernel)
#   3. seed     seed.txt     the seed run start to exit with an empty tuning cache, then a warm one (five
#                            times); run 6's binary against this one, 10 warm pairs (where staged); one warm
#                            run's phases; auto, exhaustive and heuristic on the seed in f32 and f16 (time,
#                            engine, each candidate)
#   4. pytorch  CARD-vs-pytorch.csv, CARD.jsonl, pytorch.log   bench/gpu_vs_pytorch.py (3 rounds a dtype, the
#                            sides taking turns to go first; a log line per problem and round), then
#                            (--exhaustive) auto against exhaustive on every problem, one log line each
#   5. spread   spread.txt   five back-to-back seed runs (median spread), a cold-cache run, `convbench peak`,
#                            `--gpu all` on batch 8 and `report --html` on CARD.jsonl
# summary.txt gets one line per step, then bench/device_verdict.py's line per target of issue 10 (met or not),
# which also end the script's output. That is 8 files, the most the device tool brings back.
# CARD names the card the run found (h100 for "NVIDIA H100 80GB HBM3", h200 for "NVIDIA H200"; gpu where
# nvidia-smi is missing, as in a dry run; $CARD overrides it), so that results are never filed under a card
# they were not measured on: the device tool lends an H200 now, where run 6 had an H100.
#
# --dry-run (here, no GPU): runs every step against the staged programs, the tests only listed and the
# comparison on the CPU at batch 1, and fails on a usage error, a missing program or a script error, so
# that no device time is spent on a typo. Its files go to $OUT, or to a temporary directory it prints.
set -uo pipefail
cd "$(dirname "$0")/.."
dry=0
[ "${1:-}" = --dry-run ] && dry=1
if [ -n "${OUT:-}" ]; then out=$OUT; elif [ $dry = 1 ]; then out=$(mktemp -d); else out=device-out; fi
mkdir -p "$out"
tests=(test_cudnn test_e2e_check test_e2e_cli)
# DEVICE_STEPS / DEVICE_TESTS (space-separated) pick a subset, e.g. a first short smoke run on the device:
#   DEVICE_STEPS="env seed tests" DEVICE_TESTS=test_cudnn bash bench/device_run.sh
steps=${DEVICE_STEPS:-env tests seed pytorch spread}
[ -n "${DEVICE_TESTS:-}" ] && read -ra tests <<<"$DEVICE_TESTS"

# Staging: every program, and a size the device tool accepts.
[ -f .device/env.sh ] || { echo "device_run: .device/env.sh is missing; stage first (see the top of $0)" >&2; exit 2; }
for p in convbench "${tests[@]}"; do
  [ -x ".device/bin/$p" ] || { echo "device_run: .device/bin/$p is not staged" >&2; exit 2; }
done
size_mib=$(du -sm .device | cut -f1)
[ "$size_mib" -lt 64 ] || { echo "device_run: .device is ${size_mib} MiB, over the 64 MiB the tool carries" >&2; exit 2; }
if [ $dry = 1 ]; then
  bash -n "$0" || exit 2
  python3 -m py_compile bench/gpu_vs_pytorch.py bench/device_verdict.py || exit 2
fi

source .device/env.sh
work=$(mktemp -d)
export CONVBENCH_BINARY=$(command -v convbench) CONVBENCH_PEAK_FILE=$work/peak-ceilings.json
py=/opt/torch/.venv/bin/python3
[ -x "$py" ] || py=python3
export XDG_CACHE_HOME=$work/xdg  # an empty tuning cache, whatever the machine had
# card_slug NAME: the model word of a GPU name, lower case ("NVIDIA H100 80GB HBM3" -> h100, "NVIDIA
# A100-SXM4-80GB" -> a100): the first word with a digit, cut at its first '-'; "gpu" if there is none.
card_slug() {
  local w
  for w in ${1#NVIDIA }; do
    if [[ $w == *[0-9]* ]]; then
      w=${w%%-*}
      w=$(tr 'A-Z' 'a-z' <<<"$w" | tr -cd 'a-z0-9')
      [ -n "$w" ] && { echo "$w"; return; }
    fi
  done
  echo gpu
}
card_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
[ -n "${CARD:-}" ] || CARD=$(card_slug "$card_name")
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# timed NAME CMD...: runs CMD, then prints "NAME: exit RC, N ms".
timed() {
  local name=$1 s rc
  shift
  s=$(date +%s%N)
  "$@"
  rc=$?
  echo "$name: exit $rc, $(ms_since "$s") ms" >&2  # stderr: stdout may be a data file
}
export -f ms_since timed
# memory_line: convbench refuses a problem whose host memory estimate exceeds MemAvailable (exit 3;
# --no-memory-check runs it anyway), and a microVM's memory may start small and grow as it is used. One line
# of what the machine reports and of how it can grow: the balloon's pages (/proc/vmstat), its feature bits
# (bit 2: deflate on OOM), the virtio-mem devices, and the memory blocks online.
memory_line() {
  local blocks=/sys/devices/system/memory features
  features=$(cat /sys/bus/virtio/drivers/virtio_balloon/virtio*/features 2>/dev/null | cut -c1-8)
  echo "memory: $(grep -E '^(MemTotal|MemAvailable):' /proc/meminfo | tr -s ' ' | paste -sd ' ');" \
    "$(grep -E '^balloon_(inflate|deflate)' /proc/vmstat 2>/dev/null | paste -sd ' ');" \
    "balloon features ${features:-none (no balloon)};" \
    "virtio_mem devices $(ls -d /sys/bus/virtio/drivers/virtio_mem/virtio* 2>/dev/null | wc -l);" \
    "blocks online $(cat $blocks/memory*/online 2>/dev/null | grep -c 1) of $(ls -d $blocks/memory* 2>/dev/null | wc -l)," \
    "$((0x$(cat $blocks/block_size_bytes 2>/dev/null || echo 0) / 1048576)) MiB each"  # the size is in hex
}
export -f memory_line

step_env() {
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,persistence_mode,clocks.sm,clocks.max.sm,temperature.gpu,power.draw \
      --format=csv
    head -n 1 /proc/driver/nvidia/version
  else
    echo "nvidia-smi: not on this machine"
  fi
  memory_line
  convbench --version
  ldd "$CONVBENCH_BINARY" | grep -E 'cudnn|cudart' || echo "ldd: neither libcudnn nor libcudart is linked"
  # The first check after the machine started (run 6: 1.25 s, reading cuDNN from disk), with its phases
  # (the probe's driver, CUDA and cuDNN steps, context, cudnnCreate, the plan), then a new process again.
  CONVBENCH_PHASES=1 timed "convbench check (cold process)" convbench check
  timed "convbench check (again)" convbench check
  CONVBENCH_PHASES=1 convbench check 2>&1 >/dev/null | grep 'phase' || true  # where check's time goes
  convbench check --all --format json
}
step_tests() {
  # A tuning cache of the tests' own: test_e2e_cli's default run is the seed problem, and an engine it
  # cached would turn the seed step's empty-cache run into a warm one (it did in runs 2-6).
  export XDG_CACHE_HOME=$work/xdg-tests
  local t
  for t in "${tests[@]}"; do
    if [ "$dry" = 1 ]; then
      "$t" --gtest_list_tests | tail -n 2
    else
      timeout -k 5 80 "$t" --gtest_brief=1 2>&1 | tail -n 40
    fi
    echo "$t: exit ${PIPESTATUS[0]}"
  done
  # GPU against CPU in every dtype and both layouts (the seed's filter, batch 8), one line each.
  local d l
  for d in f32 tf32 f16 bf16; do
    for l in nchw nhwc; do
      convbench --batch 8 --filter 32x7x7 --seed 1 --dtype $d --layout $l --format jsonl --quiet
    done
  done >"$work/agree.jsonl"
  # The CPU's mode chosen by time (--cpu-dtype fastest): on the AMX host, does native bf16/f16 beat FP32?
  for d in bf16 f16; do
    convbench --device cpu --batch 8 --filter 32x7x7 --seed 1 --dtype $d --cpu-dtype fastest --format jsonl --quiet
  done >"$work/fastest.jsonl"
  "$py" - "$work/agree.jsonl" "$work/fastest.jsonl" <<'PY'
import json, sys
def records(path):
    return [json.loads(line) for line in open(path) if line.strip()]
# Each device's median; the CPU's lines show its native bf16/f16 against its f32.
ms = lambda d: f"{d['stats']['median']:.3f} ms" if d.get("ran") else "-"
for r in records(sys.argv[1]):
    c, g = r["devices"]["cpu"], r["devices"]["gpu"]
    x = r.get("cross_check") or {}
    print(f"agree {r['problem']['dtype']} {r['problem']['layout']}: cpu {c.get('mode', c.get('reason'))} "
          f"{c.get('implementation')} {ms(c)}, gpu {g.get('mode', g.get('reason'))} {g.get('implementation')} {ms(g)}, "
          f"cross-check {'ok' if x.get('ok') else ('FAILED' if x else 'not run')} error {x.get('error')} tolerance {x.get('tolerance')}")
for r in records(sys.argv[2]):
    c = r["devices"]["cpu"]
    trial = (c.get("details") or {}).get("mode", "no trial")
    print(f"fastest cpu {r['problem']['dtype']}: {c.get('mode')} {c.get('implementation')} {ms(c)}, {trial}")
PY
  if [ -x .device/bin/bench_cpu_fpmath ]; then bench_cpu_fpmath; fi  # the AMX half of the tf32 pairing question
}
step_seed() {
  export XDG_CACHE_HOME=$work/xdg-seed  # empty: no other step writes here
  local cache=$XDG_CACHE_HOME/convbench/tuning.json
  echo "tuning cache before the empty-cache run: $([ -e "$cache" ] && echo "PRESENT ($cache)" || echo none)"
  timed "seed run, empty tuning cache, start to exit" convbench --batch 100 --filter 32x7x7 --seed 1
  echo "tuning cache after it: $([ -e "$cache" ] && echo "$(wc -c <"$cache") bytes" || echo none)"
  local i
  for i in 1 2 3 4 5; do
    timed "seed run, warm tuning cache, start to exit" convbench --batch 100 --filter 32x7x7 --seed 1
  done
  # The start-up cuts made after run 6, paired on this machine: run 6's binary (staged as convbench-before,
  # see the top of this script) against this one, warm tuning cache, 10 interleaved pairs.
  if command -v convbench-before >/dev/null; then
    "$py" bench/startup_ab.py "$(command -v convbench-before)" "$CONVBENCH_BINARY" 10 \
      --batch 100 --filter 32x7x7 --seed 1
  else
    echo "startup A/B: skipped (convbench-before is not staged)"
  fi
  # Where a warm run's time goes (CONVBENCH_PHASES=1 marks each phase on stderr).
  CONVBENCH_PHASES=1 convbench --batch 100 --filter 32x7x7 --seed 1 2>&1 >/dev/null | grep 'phase' || true
  convbench --batch 100 --filter 32x7x7 --seed 1 --verbose --format jsonl --quiet >"$work/seed-warm.jsonl"
  "$py" -c 'import json,sys; [print("  warm cache: setup %s ms, upload %s ms," % (g.get("setup_ms"), g.get("reorder_ms")),
    dict(g.get("details", []))) for g in (json.loads(l)["devices"].get("gpu", {}) for l in open(sys.argv[1]) if l.strip())]' \
    "$work/seed-warm.jsonl"
  local a d
  for d in "f32 nchw" "f16 nhwc"; do
    for a in auto exhaustive heuristic; do
      timed "gpu seed ${d% *} --algo $a (no cache)" convbench --device gpu --seed 1 --dtype ${d% *} --layout ${d#* } \
        --algo $a --tune-cache off --format jsonl --quiet >"$work/algo-$a.jsonl"
      "$py" - "$work/algo-$a.jsonl" "$a" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    g = json.loads(line)["devices"]["gpu"]
    if g.get("ran"):
        d = dict(g["details"])
        print(f"  {sys.argv[2]}: median {g['stats']['median']:.4f} ms, setup {g['setup_ms']:.0f} ms, "
              f"engine {g['implementation']}, {d.get('algo')}, timing {d.get('timing')}\n    search: {d.get('search')}")
PY
    done
  done
}
step_pytorch() {
  local extra=()
  [ "$dry" = 1 ] && extra=(--dry-run)
  "$py" bench/gpu_vs_pytorch.py --convbench "$CONVBENCH_BINARY" --csv "$out/$CARD-vs-pytorch.csv" \
    --jsonl "$out/$CARD.jsonl" --exhaustive --runs 100 "${extra[@]}"
}
step_spread() {
  local i
  for i in 1 2 3 4 5; do convbench --device gpu --seed 1 --format jsonl --quiet; done >"$work/five.jsonl"
  "$py" - "$work/five.jsonl" <<'PY'
import json, sys
gpu = [json.loads(l)["devices"]["gpu"] for l in open(sys.argv[1]) if l.strip()]
m = [g["stats"]["median"] for g in gpu if g.get("ran")]
print("five seed medians (ms):", m, "spread %.2f%%" % (100 * (max(m) - min(m)) / min(m)) if m else "no GPU records")
PY
  convbench --device gpu --seed 1 --cache cold
  timeout -k 5 40 convbench peak --device gpu
  # Paths no GPU has run yet: --gpu all (here one GPU: one record with its gpu_index) and `report` on
  # this run's records; the page stays in $work (the tool brings back 8 files), its size is logged.
  timed "--gpu all, batch 8" convbench --gpu all --batch 8 --filter 32x7x7 --seed 1 --format jsonl --quiet \
    >"$work/gpu-all.jsonl"
  "$py" -c 'import json,sys; [print("  gpu_index", r.get("gpu_index"), "straggler", r.get("straggler"),
    "gpu ran", r["devices"]["gpu"].get("ran")) for r in map(json.loads, open(sys.argv[1])) if r]' "$work/gpu-all.jsonl"
  if [ -s "$out/$CARD.jsonl" ]; then
    timed "report --html on $CARD.jsonl" convbench report "$out/$CARD.jsonl" --html "$work/report.html" &&
      echo "  report.html: $(wc -c <"$work/report.html") bytes, $(grep -o '<rect' "$work/report.html" | wc -l) rects"
  fi
}
export -f step_env step_tests step_seed step_pytorch step_spread
export dry out work py CARD
export tests_list="${tests[*]}"

echo "card: $CARD (${card_name:-nvidia-smi gave no name})" >>"$out/summary.txt"

# run NAME LIMIT_S FILE: one step under its own limit, its output appended to FILE as it comes.
failed=0
run() {
  local name=$1 limit=$2 file=$3 s rc
  [[ " $steps " == *" $name "* ]] || return 0
  s=$(date +%s%N)
  echo "== $name (limit ${limit} s)" >>"$out/$file"
  timeout -k 5 "$limit" bash -c "tests=($tests_list); step_$name" >>"$out/$file" 2>&1
  rc=$?
  echo "$name: exit $rc after $(ms_since "$s") ms -> $file" | tee -a "$out/summary.txt"
  # A dry run must not meet a usage error, an internal error, a missing command or a broken script.
  if [ $dry = 1 ] && grep -qE 'exit (1|2|126|127)(,| after)|command not found|Traceback|syntax error' "$out/$file"; then
    echo "device_run: dry run: step $name went wrong; see $out/$file" | tee -a "$out/summary.txt"
    failed=1
  fi
}
run env 20 env.txt
run tests 100 tests.txt
run seed 90 seed.txt
run pytorch 250 pytorch.log
run spread 70 spread.txt
rm -rf "$work"
echo "at the end, $(memory_line)" >>"$out/summary.txt"

echo "---"
cat "$out/summary.txt"
grep -hE '^(convbench check|tuning cache|seed run|gpu seed|  (auto|exhaustive|heuristic)|five seed|test_[a-z]+: exit|agree|fastest cpu)' "$out"/*.txt
[ -f "$out/$CARD-vs-pytorch.csv" ] && column -s, -t <"$out/$CARD-vs-pytorch.csv" 2>/dev/null | head -n 40
# Last, so that it ends the device tool's output: issue 10's targets, met or not, also kept in summary.txt.
echo "--- issue 10's targets and RESULTS.md's predictions (bench/device_verdict.py)" | tee -a "$out/summary.txt"
"$py" bench/device_verdict.py "$out" --card "$CARD" $([ $dry = 1 ] && echo --dry-run) | tee -a "$out/summary.txt"
rc=${PIPESTATUS[0]}
# A verdict of "NOT MET" (1) or "not measured" (2) is for the reader; only a dry run's parse must succeed.
[ $dry = 1 ] && [ "$rc" != 0 ] && { echo "device_run: dry run: bench/device_verdict.py failed" >&2; failed=1; }
n=$(find "$out" -type f | wc -l)
[ "$n" -le 8 ] || { echo "device_run: $n files under $out; the device tool brings back 8" >&2; failed=1; }
[ $dry = 1 ] && echo "device_run: dry run $([ $failed = 0 ] && echo passed || echo FAILED); files in $out"
exit $failed
