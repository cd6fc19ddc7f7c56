#!/usr/bin/env python3
"""Plants each mutation of tests/mutants.json in the source, one at a time, rebuilds ./build and runs the
tests that should notice it (its `tests`, a ctest -R pattern; --full: the whole suite). Every mutation must
make a test fail: one that survives is a behaviour no test pins down. The source is restored after each
mutation, and on Ctrl-C.

Usage: python3 scripts/mutants.py [--full] [ID ...]     (after ./scripts/build.sh; about 30 s a mutation)
Exit 0 when every mutation was caught, 1 when one survived, 2 when one no longer applies (its `old` text is
not in its file, or the mutated tree no longer builds: update tests/mutants.json with the code), an unknown
ID, or an unmutated tree that does not build."""
import json
import pathlib
import subprocess
import sys
import time

root = pathlib.Path(__file__).resolve().parent.parent
args = sys.argv[1:]
full = "--full" in args
wanted = {a for a in args if a != "--full"}
mutants = [m for m in json.loads((root / "tests/mutants.json").read_text()) if not wanted or m["id"] in wanted]


def fail(message):
    print(f"mutants: {message}", file=sys.stderr)
    sys.exit(2)


if wanted - {m["id"] for m in mutants}:
    fail(f"no mutation named {', '.join(sorted(wanted - {m['id'] for m in mutants}))}")


def build():
    return subprocess.run(["cmake", "--build", "build", "-j2"], cwd=root, capture_output=True, text=True)


def failing_tests(pattern):
    cmd = ["ctest", "-j2", "--timeout", "120"] + ([] if full else ["-R", pattern])
    r = subprocess.run(cmd, cwd=root / "build", capture_output=True, text=True)
    # The names under ctest's "The following tests FAILED:" (not its list of skipped tests).
    failed = r.stdout.partition("The following tests FAILED:")[2].splitlines()
    return r.returncode, [line.split(" - ", 1)[1].split(" (")[0] for line in failed if " - " in line]


if build().returncode != 0:
    fail("the unmutated tree does not build; run ./scripts/build.sh first")
survived, stale = [], []
try:
    for m in mutants:
        path = root / m["file"]
        original = path.read_text()
        if m["old"] not in original:
            stale.append(m["id"])
            print(f"STALE     {m['id']}: its text is no longer in {m['file']}", flush=True)
            continue
        start = time.time()
        try:
            path.write_text(original.replace(m["old"], m["new"], 1))
            if build().returncode != 0:  # a mutation is meant to build: this one tests nothing
                stale.append(m["id"])
                print(f"STALE     {m['id']}: it no longer builds", flush=True)
                continue
            rc, failed = failing_tests(m["tests"])
        finally:
            path.write_text(original)
        if rc == 0:
            survived.append(m["id"])
            print(f"SURVIVED  {m['id']} ({m['file']}; tests {m['tests']})", flush=True)
        else:
            print(f"caught    {m['id']} in {time.time() - start:.0f} s by {', '.join(failed[:3])}", flush=True)
finally:
    build()
print(f"mutants: {len(mutants) - len(survived) - len(stale)} of {len(mutants)} caught"
      + (f"; survived: {' '.join(survived)}" if survived else "") + (f"; stale: {' '.join(stale)}" if stale else ""))
sys.exit(2 if stale else 1 if survived else 0)
