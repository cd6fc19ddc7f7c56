#!/usr/bin/env python3
"""convbench's GPU median against PyTorch's, on the same problems, dtypes, layouts and cuDNN.

For each dtype, in --rounds rounds (3 by default): one convbench process runs every problem
(`--problems -`, `--format jsonl`; its records are appended, unedited, to --jsonl as they arrive), and
PyTorch runs each problem with torch.backends.cudnn.benchmark = True (it times the engine configs it is
offered, as convbench does) and allow_tf32 only for tf32. The two sides take turns going first (round 1:
convbench first, round 2: PyTorch first, ...), so that a drift of the card's state over the step does not
favour either. Every round prints one line per problem as it is measured; one CSV row per problem is
written and flushed when the dtype's rounds are done.

Why rounds: the same engine timed in two convbench processes a minute apart differs by up to 2.5% on the
H100 (pytorch.log's auto/exhaustive lines of run 6), far more than the noise within one process, so one
process against one PyTorch pass says less than its own coefficients of variation suggest.

Both sides are timed on the device alone: convbench queues its runs behind a held stream; here each
group of runs is queued behind torch.cuda._sleep, so that neither side's intervals hold the host's
launch latency.

CSV columns: problem,dtype,layout,convbench_ms,pytorch_ms,ratio,spread_pct,engine
  convbench_ms, pytorch_ms = the median of that side's per-round medians
  ratio      = convbench_ms / pytorch_ms (below 1: convbench faster)
  spread_pct = 100 * sqrt(cv_convbench^2 + cv_pytorch^2 + half_range^2): the two sides' coefficients of
               variation within a round (averaged over the rounds) and half the range of the per-round
               ratios (relative to `ratio`), added in quadrature
  engine     = convbench's engine; where the rounds chose different ones, each in round order, joined by '|'

Usage (on the GPU machine, with PyTorch's Python; bench/device_run.sh does this):
  python3 bench/gpu_vs_pytorch.py --convbench convbench --csv out.csv --jsonl out.jsonl
  python3 bench/gpu_vs_pytorch.py --convbench build/convbench --dry-run   # here: CPU, batch 1, no PyTorch
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys

import queue_profile  # bench/, beside this script

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
COLUMNS = ["problem", "dtype", "layout", "convbench_ms", "pytorch_ms", "ratio", "spread_pct", "engine"]
GROUP = queue_profile.GROUP  # runs queued behind one hold, as convbench queues them
HOLD_CYCLES = 20_000_000   # about 10 ms at 2 GHz: longer than the host needs to queue a group


def problem_line(prob, batch=None):
    name, n, c, h, w, k, r, s, stride, pad = prob
    return (f"--batch {batch or n} --input {h}x{w}x{c} --filter {k}x{r}x{s} --stride {stride} "
            f"--padding {pad}")


def run_convbench(args, dtype, device, jsonl, algo="auto"):
    """One convbench process for every problem in `dtype` (in its LAYOUT; a dry run: 2 runs at batch 1);
    returns its records in problem order. Exit 4 (a dtype the device cannot run), 3 or 7 (a device out of
    memory or failing on a problem; the list goes on) still gives every record, each saying why."""
    binary, layout = args.convbench, LAYOUT[dtype]
    runs, batch = (2, 1) if args.dry_run else (args.runs, None)
    cmd = [binary, "--problems", "-", "--device", device, "--format", "jsonl", "--dtype", dtype, "--layout",
           layout, "--runs", str(runs), "--warmup", "3", "--seed", "1", "--tune-cache", "off", "--quiet", "--algo", algo,
           "--rounds", "1"]  # one round a process: this script's rounds take turns with PyTorch's
    lines = "\n".join(problem_line(p, batch) for p in PROBLEMS) + "\n"
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(lines)
    proc.stdin.close()
    records = []
    for line in proc.stdout:  # streamed: each record is kept the moment it arrives
        if not line.strip():
            continue
        if jsonl:
            jsonl.write(line)
            jsonl.flush()
        records.append(json.loads(line))
    err = proc.stderr.read()
    code = proc.wait()
    if code not in (0, 3, 4, 6, 7) or len(records) != len(PROBLEMS):
        raise RuntimeError(f"{' '.join(cmd)} exited {code} with {len(records)} of {len(PROBLEMS)} records: "
                           f"{err.strip()[-500:]}")
    return records


def torch_samples(torch, prob, dtype, layout, runs):
    """Event-timed PyTorch runs, each group queued behind a held stream."""
    name, n, c, h, w, k, r, s, stride, pad = prob
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = dtype == "tf32"
    dt = {"f32": torch.float32, "tf32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[dtype]
    gen = torch.Generator(device="cuda").manual_seed(1)
    x = torch.randn(n, c, h, w, device="cuda", dtype=dt, generator=gen)
    wt = torch.randn(k, c, r, s, device="cuda", dtype=dt, generator=gen)
    if layout == "nhwc":
        x = x.to(memory_format=torch.channels_last)
        wt = wt.to(memory_format=torch.channels_last)

    def conv():
        return torch.nn.functional.conv2d(x, wt, stride=stride, padding=pad)

    for _ in range(3):  # the first call runs cudnn.benchmark's search; then the same warm-up as convbench
        conv()
    torch.cuda.synchronize()
    times = []
    while len(times) < runs:
        group = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
                 for _ in range(min(GROUP, runs - len(times)))]
        torch.cuda._sleep(HOLD_CYCLES)
        for a, b in group:
            a.record()
            conv()
            b.record()
        torch.cuda.synchronize()
        times += [a.elapsed_time(b) for a, b in group]
    return times


def compare_exhaustive(args, device, jsonl):
    """After every CSV row: the same problems with --algo exhaustive (records appended to --jsonl too), one
    log line per problem, auto's median against exhaustive's, to decide how many candidates auto needs."""
    for dtype in args.dtypes.split(","):
        try:
            auto = run_convbench(args, dtype, device, None)
            full = run_convbench(args, dtype, device, jsonl, "exhaustive")
        except Exception as e:
            print(f"{dtype}: exhaustive comparison failed: {e}", file=sys.stderr, flush=True)
            continue
        for prob, a, x in zip(PROBLEMS, auto, full):
            a, x = a["devices"][device], x["devices"][device]
            if not (a.get("ran") and x.get("ran")):
                continue
            am, xm = statistics.median(a["samples_ms"]), statistics.median(x["samples_ms"])
            print(f"algo {prob[0]} {dtype}: auto {am:.4f} ms {a['implementation']}, exhaustive {xm:.4f} ms "
                  f"{x['implementation']}, auto/exhaustive {am / xm:.3f}; {dict(x['details']).get('algo', '')}",
                  flush=True)


def tails(cb_samples, pt_samples):
    """The round line's queue tails (", queue tail convbench X, PyTorch Y"; empty without a full group): each
    side's last four runs of a group over its first eight (bench/queue_profile.py), to tell whether the end
    of a queue runs faster on both sides alike."""
    cb, pt = queue_profile.tail_ratio(cb_samples, GROUP), queue_profile.tail_ratio(pt_samples, GROUP)
    return f", queue tail convbench {cb:.3f}, PyTorch {pt:.3f}" if cb and pt else ""


def round_line(rnd, name, dtype, dev, pt_samples):
    """One problem's line in a round (pytorch.log; bench/device_verdict.py reads the queue tails from it)."""
    cb_ms, pt_ms = statistics.median(dev["samples_ms"]), statistics.median(pt_samples)
    return (f"round {rnd} {name} {dtype}: convbench {cb_ms:.4f} ms ({dev['implementation']}), "
            f"PyTorch {pt_ms:.4f} ms, ratio {cb_ms / pt_ms:.3f}{tails(dev['samples_ms'], pt_samples)}")


def cv(xs):
    return statistics.stdev(xs) / statistics.mean(xs) if len(xs) > 1 and statistics.mean(xs) > 0 else 0.0


def one_round(args, torch, dtype, device, jsonl, rnd):
    """Round `rnd` (from 0) of one dtype: {problem name: (convbench record's device part, PyTorch samples)}.
    Odd rounds run PyTorch first. A side that failed leaves the problem out, with one line on stderr."""
    layout = LAYOUT[dtype]

    def pytorch_side(names):
        pt = {}
        for prob in PROBLEMS:
            if prob[0] not in names:
                continue
            try:
                pt[prob[0]] = None if args.dry_run else torch_samples(torch, prob, dtype, layout, args.runs)
            except Exception as e:
                print(f"{prob[0]} {dtype}: PyTorch failed: {e}", file=sys.stderr, flush=True)
        return pt

    pt = pytorch_side({p[0] for p in PROBLEMS}) if rnd % 2 else None
    records = run_convbench(args, dtype, device, jsonl)
    ran = {}
    for prob, rec in zip(PROBLEMS, records):
        dev = rec["devices"][device]
        if dev.get("ran"):
            ran[prob[0]] = dev
        elif not args.dry_run or rnd == 0:
            print(f"{prob[0]} {dtype}: convbench did not run: {dev.get('reason')}", file=sys.stderr, flush=True)
    if pt is None:
        pt = pytorch_side(set(ran))
    out = {}
    for name, dev in ran.items():
        if name not in pt:
            continue
        samples = dev["samples_ms"] if args.dry_run else pt[name]  # a dry run has no PyTorch: both sides its own
        out[name] = (dev, samples)
        print(round_line(rnd + 1, name, dtype, dev, samples), flush=True)
    return out


def row(name, dtype, rounds):
    """The CSV row of one problem from its rounds [(convbench device part, PyTorch samples)]."""
    cb = [statistics.median(dev["samples_ms"]) for dev, _ in rounds]
    pt = [statistics.median(samples) for _, samples in rounds]
    cb_ms, pt_ms = statistics.median(cb), statistics.median(pt)
    ratio = cb_ms / pt_ms
    per_round = [a / b for a, b in zip(cb, pt)]
    half_range = (max(per_round) - min(per_round)) / 2 / ratio
    cv_cb = statistics.mean(cv(dev["samples_ms"]) for dev, _ in rounds)
    cv_pt = statistics.mean(cv(samples) for _, samples in rounds)
    engines = list(dict.fromkeys(dev["implementation"] for dev, _ in rounds))
    return ratio, [name, dtype, LAYOUT[dtype], f"{cb_ms:.4f}", f"{pt_ms:.4f}", f"{ratio:.3f}",
                   f"{100 * math.sqrt(cv_cb ** 2 + cv_pt ** 2 + half_range ** 2):.2f}", "|".join(engines)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--convbench", required=True)
    ap.add_argument("--dtypes", default="f32,tf32,f16")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds per dtype, the two sides taking turns to go first (default 3)")
    ap.add_argument("--csv", help="CSV to append rows to (header written when new)")
    ap.add_argument("--jsonl", help="file to append convbench's records to, unedited")
    ap.add_argument("--dry-run", action="store_true",
                    help="no GPU and no PyTorch: run convbench on the CPU at batch 1 and write rows with "
                         "convbench's times on both sides, to check every command and the parsing")
    ap.add_argument("--exhaustive", action="store_true",
                    help="after the rows, run every problem again with --algo auto and --algo exhaustive and "
                         "log the two medians side by side")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    device = "cpu" if args.dry_run else "gpu"
    torch = None
    if not args.dry_run:
        import torch  # noqa: F811  (only on the GPU machine)
        print(f"GPU: {torch.cuda.get_device_name()}, PyTorch {torch.__version__}, "
              f"cuDNN {torch.backends.cudnn.version()}", flush=True)
    new_csv = args.csv and not os.path.exists(args.csv)
    csv_file = open(args.csv, "a", newline="") if args.csv else sys.stdout
    jsonl = open(args.jsonl, "a") if args.jsonl else None
    out = csv.writer(csv_file)
    if new_csv or not args.csv:
        out.writerow(COLUMNS)
        csv_file.flush()
    ratios, failed = [], 0
    for dtype in args.dtypes.split(","):
        measured = {}
        try:
            for rnd in range(args.rounds):
                for name, pair in one_round(args, torch, dtype, device, jsonl, rnd).items():
                    measured.setdefault(name, []).append(pair)
        except Exception as e:  # report and go on: one dtype's failure must not hide the others
            print(f"{dtype}: convbench failed: {e}", file=sys.stderr, flush=True)
            failed += 1
        for prob in PROBLEMS:
            rounds = measured.get(prob[0], [])
            if len(rounds) < args.rounds:  # a side failed or did not run in some round: said on stderr
                failed += 0 if args.dry_run and not rounds else 1
                if not rounds:
                    continue
            ratio, fields = row(prob[0], dtype, rounds)
            ratios.append(ratio)
            out.writerow(fields)
            csv_file.flush()
    if args.exhaustive:
        compare_exhaustive(args, device, jsonl)
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"rows {len(ratios)}, failed {failed}, worst ratio {max(ratios):.3f}, geometric mean {geo:.3f}",
              file=sys.stderr, flush=True)
    return 1 if failed or not ratios else 0


if __name__ == "__main__":
    sys.exit(main())
