#!/usr/bin/env bash
# The one script to run on the GPU machine (it builds nothing). Before it, on the build machine:
#   ./scripts/build.sh && ../shared/gpu/stage build/convbench build/tests/test_cudnn build/tests/test_cli
# then send .device/ (device tool: carry [".device"]) with: bash bench/device_run.sh
# Logs go to $OUT (or ./device-out); a short summary is printed last.
set -uo pipefail
out=${OUT:-device-out}
mkdir -p "$out"
source .device/env.sh
py=/opt/torch/.venv/bin/python3
[ -x "$py" ] || py=python3
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader
  convbench --version
  ldd "$(command -v convbench)" | grep -E 'cudnn|cudart' || echo "ldd: neither libcudnn nor libcudart is linked"
} >"$out/env.txt" 2>&1
s=$(date +%s%N); convbench --batch 100 --filter 32x7x7 --seed 1 >"$out/seed.txt" 2>&1; rc=$?; e=$(date +%s%N)
echo "seed run: exit $rc, $(( (e - s) / 1000000 )) ms start to exit" >>"$out/seed.txt"
test_cudnn >"$out/test_cudnn.txt" 2>&1; echo "test_cudnn exit $?" >>"$out/test_cudnn.txt"
CONVBENCH_BINARY=$(command -v convbench) test_cli >"$out/test_cli.txt" 2>&1; echo "test_cli exit $?" >>"$out/test_cli.txt"
for d in f32 tf32 f16; do convbench --device gpu --dtype $d --seed 1 >>"$out/seed_dtypes.txt" 2>&1; done
timeout 400 "$py" bench/gpu_vs_pytorch.py --convbench "$(command -v convbench)" --rounds 3 --out "$out/pytorch.md" \
  >"$out/pytorch.log" 2>&1
cat "$out/env.txt" "$out/seed.txt"; tail -3 "$out/test_cudnn.txt" "$out/test_cli.txt"; cat "$out/pytorch.md" 2>/dev/null
