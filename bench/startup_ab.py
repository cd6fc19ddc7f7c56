#!/usr/bin/env python3
"""Start to exit of two convbench binaries, run in interleaved pairs so that drift on a noisy machine hits
both alike. Prints each side's median, min and max, and the median and quartiles of the paired differences
(NEW minus OLD); any failed run stops it.

    python3 bench/startup_ab.py OLD NEW PAIRS [convbench arguments...]
    python3 bench/startup_ab.py /tmp/before/build/convbench build/convbench 30 --device cpu --format jsonl
"""
import statistics
import subprocess
import sys
import time


def start_to_exit_ms(binary, args):
    start = time.perf_counter()
    r = subprocess.run([binary] + args, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode != 0:
        sys.exit(f"startup_ab: {binary} exited {r.returncode}: {r.stderr.strip()}")
    return elapsed


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: " + __doc__.strip().splitlines()[-2].strip())
    old, new, pairs, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    times = {"old": [], "new": []}
    for _ in range(pairs):
        times["old"].append(start_to_exit_ms(old, args))
        times["new"].append(start_to_exit_ms(new, args))
    for side, v in times.items():
        print(f"{side}: median {statistics.median(v):.0f} ms, min {min(v):.0f}, max {max(v):.0f} ({len(v)} runs)")
    d = [b - a for a, b in zip(times["old"], times["new"])]
    q = statistics.quantiles(d, n=4)
    print(f"new - old, paired: median {statistics.median(d):.0f} ms, quartiles {q[0]:.0f} {q[2]:.0f}")


if __name__ == "__main__":
    main()
