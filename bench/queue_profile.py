#!/usr/bin/env python3
"""Where in a queued group a run sits, and how fast it was: each GPU record's samples by position.

convbench (and bench/gpu_vs_pytorch.py's PyTorch side) queues its timed runs in groups of 16 behind a held
stream. On the H100 (run 6) the runs at the end of a group were 2-4% faster than those at its start on
problems under 0.05 ms. This prints, for every record of a JSON Lines file, each position's mean over the
full groups relative to the record's median, the final partial group's runs, and the tail ratio: the mean of
the last four positions over the mean of the first eight (below 1: the end of a queue runs faster).

    python3 bench/queue_profile.py bench/results/h100.jsonl [--device gpu] [--max-ms 0.05]
"""
import argparse
import json
import statistics
import sys

GROUP = 16  # convbench's kRunsPerGroup (include/convbench/harness.hpp); GROUP in bench/gpu_vs_pytorch.py


def positions(samples, group=GROUP):
    """Each position's mean over the full groups, relative to the median of all samples; [] without one."""
    full = len(samples) // group * group
    if not full:
        return []
    median = statistics.median(samples)
    return [statistics.mean(samples[i:full:group]) / median for i in range(group)]


def tail_of(by_position):
    """Mean of the last four of `positions`' values over the mean of their first eight; None without any.
    Every position has the same count of samples, so these means of means are the means of the samples."""
    return statistics.mean(by_position[-4:]) / statistics.mean(by_position[:8]) if by_position else None


def tail_ratio(samples, group=GROUP):
    """The queue tail of `samples` (see tail_of); None without a full group."""
    return tail_of(positions(samples, group))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jsonl")
    ap.add_argument("--device", default="gpu")
    ap.add_argument("--max-ms", type=float, default=float("inf"), help="only records whose median is below this")
    args = ap.parse_args()
    shown = 0
    with open(args.jsonl) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            dev = r["devices"].get(args.device, {})
            samples = dev.get("samples_ms") or []
            if not dev.get("ran") or not samples:
                continue
            median = statistics.median(samples)
            if median >= args.max_ms:
                continue
            by_position = positions(samples)
            ratio = tail_of(by_position)
            rest = samples[len(samples) // GROUP * GROUP:]
            print(f"{r['problem']['descriptor']} {r['problem']['dtype']} {median:.4f} ms: "
                  + " ".join(f"{x:.3f}" for x in by_position)
                  + (f" | last {' '.join(f'{x / median:.3f}' for x in rest)}" if rest else "")
                  + (f" | tail {ratio:.3f}" if ratio else ""))
            shown += 1
    if not shown:
        sys.exit(f"queue_profile: no {args.device} record in {args.jsonl}")


if __name__ == "__main__":
    main()
