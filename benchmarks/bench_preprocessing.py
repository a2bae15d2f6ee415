"""Step 1 speed: our image path vs the seed approach, same clips, one core, in one run.

Seed approach (the projects this one grew from): librosa.load(duration=3) at 22.05 kHz,
melspectrogram(n_mels=128), power_to_db(ref=max), one matplotlib figure per clip with
specshow + savefig. Ours: process_clip (load, resample to 16 kHz, trim, window, mel, PNG).
Then the whole script with --jobs 1 and --jobs 2 on the same clips.
"""
from __future__ import annotations

import argparse
import csv
import re
import shutil
import statistics
import time

import librosa
import librosa.display
import matplotlib
import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.common import DEVSET, WORK, require_devset, run, save_result
from preprocessing.audio_to_spectrogram import process_clip
from preprocessing.config import SpectrogramConfig

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def seed_approach(path: str, output: str) -> None:
    samples, sample_rate = librosa.load(path, duration=3)
    mel = librosa.feature.melspectrogram(y=samples, sr=sample_rate, n_mels=128)
    mel_db = librosa.power_to_db(mel, ref=np.max)
    fig = plt.figure()  # matplotlib's default size, as the seed projects left it
    librosa.display.specshow(mel_db, sr=sample_rate)
    plt.axis("off")
    fig.savefig(output, bbox_inches="tight", pad_inches=0)
    plt.close(fig)


def ours(path: str, name: str, config: SpectrogramConfig) -> None:
    clip = {"path": path, "label": "REAL", "split": "train", "group": "g", "origin": "", "attack": "",
            "key": path}
    rows = process_clip({"config": config, "clip": clip, "stem": name, "output": WORK / "ours",
                         "seed": 0, "max_windows": 1, "augment": 0, "vocoders": []})
    assert rows[0]["status"] == "ok", rows[0]["error"]


def ms_per_clip(function, paths: list[str], repeats: int) -> list[float]:
    """Each clip writes a file of its own, as a real run does (replacing a file costs more)."""
    function(paths[0], "warm-up")  # imports, caches, JIT
    timings = []
    for repeat in range(repeats):
        started = time.perf_counter()
        for index, path in enumerate(paths):
            function(path, f"{repeat}-{index:04d}")
        timings.append((time.perf_counter() - started) / len(paths) * 1000)
    return timings


def script_rate(manifest: str, jobs: int) -> float:
    output = WORK / f"jobs{jobs}"
    shutil.rmtree(output, ignore_errors=True)
    stdout = run(["preprocessing/audio_to_spectrogram.py", "--input", manifest, "--output", str(output),
                  "--jobs", str(jobs)])
    return float(re.search(r"([\d.]+) clips/s", stdout).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--script-clips", type=int, default=1749, help="clips for the --jobs comparison")
    args = parser.parse_args()
    manifest = require_devset()
    with manifest.open() as stream:
        rows = list(csv.DictReader(stream))
    rng = np.random.default_rng(0)
    chosen = [rows[i] for i in sorted(rng.choice(len(rows), size=args.clips, replace=False))]
    paths = [str(DEVSET / row["path"]) for row in chosen]
    for folder in ("seed", "ours"):
        shutil.rmtree(WORK / folder, ignore_errors=True)
    (WORK / "seed").mkdir(parents=True)
    config = SpectrogramConfig()
    with threadpool_limits(1):
        seed = ms_per_clip(lambda p, name: seed_approach(p, str(WORK / "seed" / f"{name}.png")), paths, args.repeats)
        our = ms_per_clip(lambda p, name: ours(p, name, config), paths, args.repeats)

    subset = WORK / "subset.csv"
    picked = [rows[i] for i in sorted(rng.choice(len(rows), size=min(args.script_clips, len(rows)), replace=False))]
    with subset.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "path": str(DEVSET / row["path"])} for row in picked)
    rates = {jobs: statistics.median(script_rate(str(subset), jobs) for _ in range(args.repeats))
             for jobs in (1, 2)}
    result = {
        "clips": args.clips, "repeats": args.repeats,
        "seed_ms_per_clip": round(statistics.median(seed), 2),
        "ours_ms_per_clip": round(statistics.median(our), 2),
        "speedup": round(statistics.median(seed) / statistics.median(our), 1),
        "script_clips": len(picked),
        "script_clips_per_s": {f"jobs{jobs}": round(rate, 1) for jobs, rate in rates.items()},
        "jobs2_gain": round(rates[2] / rates[1], 2),
    }
    print(result)
    save_result("preprocessing", "python benchmarks/bench_preprocessing.py", result)


if __name__ == "__main__":
    main()
