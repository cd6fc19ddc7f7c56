#!/usr/bin/env bash
# The one script to run on the GPU machine (it builds nothing). Before it, on the build machine:
#   ./scripts/build.sh && ../shared/gpu/stage build/convbench build/tests/test_cudnn build/tests/test_cli \
#       build/tests/test_check
# then send .device/ (device tool: carry [".device"]) with: bash bench/device_run.sh
# Logs go to $OUT (or ./device-out); a short summary is printed last. Budget: about 8 minutes.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
source .device/env.sh
export CONVBENCH_BINARY=$(command -v convbench) CONVBENCH_PEAK_FILE=$out/peak.json
py=/opt/torch/.venv/bin/python3
[ -x "$py" ] || py=python3
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
  convbench --version
  ldd "$CONVBENCH_BINARY" | grep -E 'cudnn|cudart' || echo "ldd: neither libcudnn nor libcudart is linked"
} >"$out/env.txt" 2>&1
# Issue 4: the check, its time, its JSON.
s=$(date +%s%N); convbench check >"$out/check.txt" 2>&1; echo "exit $?, $(ms "$s") ms" >>"$out/check.txt"
convbench check --all --format json >"$out/check.json" 2>&1
# Issue 3: the seed run, start to exit (autotuning included), then every dtype.
s=$(date +%s%N); convbench --batch 100 --filter 32x7x7 --seed 1 >"$out/seed.txt" 2>&1
echo "exit $?, $(ms "$s") ms start to exit" >>"$out/seed.txt"
for d in f32 tf32 f16 bf16; do convbench --device gpu --dtype $d --seed 1 >>"$out/seed_dtypes.txt" 2>&1; done
# GPU tests.
for t in test_cudnn test_check test_cli; do timeout 300 "$t" >"$out/$t.txt" 2>&1; echo "$t exit $?" >>"$out/$t.txt"; done
# Issue 6: five back-to-back seed runs, a cold-cache run, the ceilings.
for i in 1 2 3 4 5; do convbench --device gpu --seed 1 --format jsonl; done >"$out/five.jsonl" 2>"$out/five.err"
convbench --device gpu --seed 1 --cache cold >"$out/cold.txt" 2>&1
timeout 120 convbench peak --device gpu >"$out/peak.txt" 2>&1
# Issue 3: against PyTorch.
timeout 300 "$py" bench/gpu_vs_pytorch.py --convbench "$CONVBENCH_BINARY" --rounds 3 --out "$out/pytorch.md" \
  >"$out/pytorch.log" 2>&1
cat "$out/env.txt" "$out/check.txt" "$out/seed.txt"
tail -n 3 "$out"/test_*.txt
"$py" - "$out/five.jsonl" <<'PY'
import json, sys
m = [json.loads(l)["devices"]["gpu"]["stats"]["median"] for l in open(sys.argv[1]) if l.strip()]
print("five seed medians (ms):", m, "spread %.2f%%" % (100 * (max(m) - min(m)) / min(m)) if m else "")
PY
cat "$out/peak.txt" "$out/pytorch.md" 2>/dev/null
