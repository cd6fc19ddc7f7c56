#!/usr/bin/env python3
"""convbench's GPU median against PyTorch's on the same problems, dtypes and layouts.

PyTorch runs with torch.backends.cudnn.benchmark = True (it times the engine configs it is offered) and
allow_tf32 only for tf32, so both sides search engines and use the same math. Each (problem, dtype) pair
is measured in --rounds alternating rounds; the verdict compares the ratio of medians with the
run-to-run spread of both sides. Prints a Markdown table (and writes it to --out).

Usage: python3 bench/gpu_vs_pytorch.py --convbench build/convbench [--rounds 3] [--out results.md]
Run it with the Python that has PyTorch, on the GPU machine (bench/device_run.sh does).
"""
import argparse
import re
import statistics
import subprocess
import sys

# (name, N, C, H, W, K, R, S, stride, pad): the six of shared/gpu/README.md, then a DeepBench subset
# (training set, given there as W, H, C, N, K, S, R, pad_w, pad_h, stride_w, stride_h).
PROBLEMS = [
    ("seed", 100, 3, 100, 100, 32, 7, 7, 1, 0),
    ("resnet-stem", 32, 3, 224, 224, 64, 7, 7, 2, 3),
    ("3x3-56", 32, 64, 56, 56, 64, 3, 3, 1, 1),
    ("3x3-14", 32, 256, 14, 14, 256, 3, 3, 1, 1),
    ("1x1-56", 32, 256, 56, 56, 64, 1, 1, 1, 0),
    ("deepspeech-2", 4, 32, 79, 341, 32, 5, 10, 2, 0),
    ("db-speech-1", 4, 1, 161, 700, 32, 5, 20, 2, 0),
    ("db-ocr-48", 16, 1, 48, 480, 16, 3, 3, 1, 1),
    ("db-ocr-24", 16, 16, 24, 240, 32, 3, 3, 1, 1),
    ("db-vgg-112", 8, 64, 112, 112, 128, 3, 3, 1, 1),
    ("db-vgg-28", 16, 128, 28, 28, 128, 3, 3, 1, 1),
    ("db-vgg-7", 16, 512, 7, 7, 512, 3, 3, 1, 1),
]
# The layouts of shared/gpu/README.md's PyTorch columns.
LAYOUT = {"f32": "nchw", "tf32": "nhwc", "f16": "nhwc", "bf16": "nhwc"}


def convbench_median(binary, prob, dtype, layout):
    name, n, c, h, w, k, r, s, stride, pad = prob
    cmd = [binary, "--device", "gpu", "--batch", str(n), "--input", f"{h}x{w}x{c}", "--filter", f"{k}x{r}x{s}",
           "--stride", str(stride), "--padding", str(pad), "--dtype", dtype, "--layout", layout, "--runs", "10",
           "--seed", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.strip()}")
    line = next(l for l in out.stdout.splitlines() if l.startswith("gpu: ") and "median" in l)
    median = float(re.search(r"median ([0-9.]+) ms", line).group(1))
    engine = line.split(" | ")[1].split(" ")[2].rstrip(",")
    return median, engine


def torch_median(torch, prob, dtype, layout):
    name, n, c, h, w, k, r, s, stride, pad = prob
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = dtype == "tf32"
    dt = {"f32": torch.float32, "tf32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[dtype]
    x = torch.randn(n, c, h, w, device="cuda", dtype=dt)
    wt = torch.randn(k, c, r, s, device="cuda", dtype=dt)
    if layout == "nhwc":
        x = x.to(memory_format=torch.channels_last)
        wt = wt.to(memory_format=torch.channels_last)
    conv = lambda: torch.nn.functional.conv2d(x, wt, stride=stride, padding=pad)
    for _ in range(3):  # the first call runs cudnn.benchmark's search
        conv()
    torch.cuda.synchronize()
    times = []
    for _ in range(10):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        conv()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


def spread(xs):
    return (max(xs) - min(xs)) / statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--convbench", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dtypes", default="f32,tf32,f16")
    ap.add_argument("--out")
    args = ap.parse_args()
    import torch

    lines = [
        f"GPU: {torch.cuda.get_device_name()}, PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}",
        "",
        "| problem | dtype | layout | convbench ms | PyTorch ms | ratio | spread cb / pt | verdict | convbench engine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for prob in PROBLEMS:
        for dtype in args.dtypes.split(","):
            layout = LAYOUT[dtype]
            cb, pt, engine = [], [], ""
            try:
                for _ in range(args.rounds):
                    m, engine = convbench_median(args.convbench, prob, dtype, layout)
                    cb.append(m)
                    pt.append(torch_median(torch, prob, dtype, layout))
            except Exception as e:  # report and go on: one failure must not hide the other rows
                lines.append(f"| {prob[0]} | {dtype} | {layout} | error: {e} | | | | FAILED | |")
                continue
            ratio = statistics.median(cb) / statistics.median(pt)
            noise = spread(cb) + spread(pt)
            verdict = "ok" if ratio <= 1.0 + noise else "SLOWER"
            worst = max(worst, ratio)
            lines.append(f"| {prob[0]} | {dtype} | {layout} | {statistics.median(cb):.3f} | {statistics.median(pt):.3f} | "
                         f"{ratio:.2f} | {spread(cb):.1%} / {spread(pt):.1%} | {verdict} | `{engine}` |")
    lines.append("")
    lines.append(f"worst ratio: {worst:.2f}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
