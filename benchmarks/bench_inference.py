"""Audio -> verdict throughput of inference/predict.py (batched, worker processes decode audio).

    python benchmarks/bench_inference.py --model <run folder>

Files/s as the script reports it: from the first file decoded to the last verdict,
model loading excluded. Median of repeated runs on the same devset clips.
"""
from __future__ import annotations

import argparse
import csv
import re
import statistics

import numpy as np

from benchmarks.common import DEVSET, WORK, require_devset, run, save_result
from model.run import RunCard, resolve_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="run folder (default: newest under model/saved_models)")
    parser.add_argument("--clips", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with require_devset().open() as stream:
        rows = [row for row in csv.DictReader(stream) if 3.0 <= float(row["seconds"]) <= 5.0]
    rng = np.random.default_rng(0)
    chosen = [rows[i] for i in sorted(rng.choice(len(rows), size=min(args.clips, len(rows)), replace=False))]
    WORK.mkdir(parents=True, exist_ok=True)
    paths = [str(DEVSET / row["path"]) for row in chosen]
    run_dir = resolve_run(args.model)
    rates = []
    for _ in range(args.repeats):
        stdout = run(["inference/predict.py", "--model", str(run_dir), "--jobs", str(args.jobs),
                      "--output", str(WORK / "predictions.csv"), "--input", *paths])
        rates.append(float(re.search(r"([\d.]+) files/s", stdout).group(1)))
    result = {"clips": len(paths), "clip_seconds": "3-5 s", "jobs": args.jobs, "repeats": args.repeats,
              "arch": RunCard.load(run_dir).arch, "files_per_s": rates, "median_files_per_s": round(statistics.median(rates), 1)}
    print(result)
    save_result("inference", f"python benchmarks/bench_inference.py --model {run_dir}", result)


if __name__ == "__main__":
    main()
