"""Reads JSON-lines records on stdin and writes them with every timing multiplied by FACTOR (argv[1]):
a planted slowdown for bench/compare_noise.sh that keeps the records' own run-to-run noise."""
import json
import sys

factor = float(sys.argv[1])
for line in sys.stdin:
    if not line.strip():
        continue
    record = json.loads(line)
    for device in record["devices"].values():
        if not device.get("ran"):
            continue
        device["samples_ms"] = [t * factor for t in device["samples_ms"]]
        device["round_medians_ms"] = [t * factor for t in device.get("round_medians_ms", [])]
        stats = device["stats"]
        for key in ("max", "mean", "median", "min", "stddev", "sum"):
            stats[key] *= factor
    print(json.dumps(record))
