"""Step 4: p_fake for spectrogram PNGs and audio files or folders, mixed freely.

    python inference/predict.py                                  # newest run, spectrograms/test
    python inference/predict.py --input clips/ song.mp3 --output predictions.csv
    python inference/predict.py --input long_talk.wav --all-segments --aggregate max

p_fake is the model's P(fake) in 0-1; label is FAKE when p_fake >= threshold (the run's
threshold, chosen at the validation EER point, unless --threshold is given). Audio goes
through step 1's code with the settings stored in the run's model.json.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from inference.predictor import AGGREGATIONS, Predictor, aggregate
from model.run import ModelNotFoundError, describe_run
from preprocessing.audio import AUDIO_EXTENSIONS
from preprocessing.config import CONFIG_FILENAME, ConfigMismatchError, SpectrogramConfig, require_same_config
from preprocessing.spectrogram import load_image_array

CLIP_COLUMNS = ["path", "kind", "p_fake", "label", "threshold", "duration", "windows", "status", "warning", "error"]
WINDOW_COLUMNS = ["path", "window", "start_seconds", "p_fake", "label"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="run folder or its model.keras (default: newest under model/saved_models)")
    parser.add_argument("--input", nargs="+", default=["spectrograms/test"],
                        help="PNG spectrograms and/or audio: files or folders (searched recursively)")
    parser.add_argument("--output", default="predictions.csv")
    parser.add_argument("--threshold", type=float, help="p_fake decision threshold (default: the run's)")
    windows = parser.add_mutually_exclusive_group()
    windows.add_argument("--segments", type=int, default=1, help="3 s windows per audio file (default 1)")
    windows.add_argument("--all-segments", action="store_true",
                         help="every window of long audio; per-window rows go to <output>_windows.csv")
    parser.add_argument("--aggregate", choices=AGGREGATIONS, default="mean",
                        help="clip verdict from window p_fake values")
    parser.add_argument("--jobs", type=int, default=2, help="threads turning audio into images")
    parser.add_argument("--batch-size", type=int, default=128)
    return parser.parse_args(argv)


def collect_inputs(inputs: list[str]) -> tuple[list[Path], list[str]]:
    """Image and audio files under the given paths (sorted), and the paths that do not exist."""
    wanted = AUDIO_EXTENSIONS | {".png"}
    files, missing = [], []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in wanted
                                and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(name)
    return list(dict.fromkeys(files)), missing


def folder_problem(predictor: Predictor, folder: Path) -> str:
    """Why images of this folder can't be used: its spectrogram config.json (up to 3 levels up) differs."""
    for parent in [folder, *list(folder.parents)[:3]]:
        if (parent / CONFIG_FILENAME).exists():
            try:
                require_same_config(predictor.config, SpectrogramConfig.load(parent), str(parent))
            except ConfigMismatchError as error:
                return str(error)
            return ""
    return ""


def image_rows(predictor: Predictor, paths: list[Path], batch_size: int):
    """Yield a row per PNG; images of the wrong size, or from a folder made with other settings, are refused."""
    problems: dict[Path, str] = {}
    for start in range(0, len(paths), batch_size):
        chunk, arrays, errors, index = paths[start:start + batch_size], [], {}, {}
        for path in chunk:
            if path.parent not in problems:
                problems[path.parent] = folder_problem(predictor, path.parent)
            try:
                if problems[path.parent]:
                    raise ConfigMismatchError(problems[path.parent])
                index[path] = len(arrays)
                arrays.append(load_image_array(path, predictor.config))
            except (OSError, ValueError) as error:  # ConfigMismatchError is a ValueError
                errors[path] = str(error)
        p_fake = iter(predictor.predict_arrays(np.stack(arrays)) if arrays else [])
        for path in chunk:
            row = {"path": str(path), "kind": "image", "windows": 1}
            if path in errors:
                yield {**row, "status": "error", "error": errors[path]}
            else:
                yield {**row, "p_fake": float(next(p_fake)), "status": "ok",
                       "warning": predictor.image_warning(arrays[index[path]])}


def audio_rows(predictor: Predictor, paths: list[Path], max_windows, how: str, jobs: int):
    """Yield (row, window p_fake values) for each audio file."""
    for clip in predictor.score_files(paths, max_windows, jobs):
        row = {"path": clip.path, "kind": "audio"}
        if clip.error:
            yield {**row, "status": "error", "error": clip.error}, []
            continue
        yield {**row, "p_fake": aggregate(clip.window_p_fake, how), "duration": round(clip.audio.duration, 3),
               "windows": len(clip.window_p_fake), "status": "ok", "warning": clip.warning}, clip.window_p_fake.tolist()


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None) -> int:
    args = parse_args(argv)
    files, missing = collect_inputs(args.input)
    for name in missing:
        print(f"warning: {name} does not exist", file=sys.stderr)
    if not files:
        print("error: no PNG or audio files found in " + ", ".join(args.input), file=sys.stderr)
        return 1
    try:
        predictor = Predictor.load(args.model, args.batch_size)
    except ModelNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    threshold = predictor.threshold if args.threshold is None else args.threshold
    images = [p for p in files if p.suffix.lower() == ".png"]
    audio = [p for p in files if p.suffix.lower() != ".png"]
    print(f"model: {describe_run(predictor.run_dir)} (output = P(fake), threshold {threshold:.3f}); "
          f"{len(images)} images, {len(audio)} audio files")
    if predictor.model_warning:
        print(f"warning: {predictor.model_warning}")

    started = time.perf_counter()
    rows, window_rows = [], []
    max_windows = None if args.all_segments else args.segments
    with tqdm(total=len(files), unit="file", desc="predicting") as progress, threadpool_limits(1):
        for row in image_rows(predictor, images, args.batch_size):
            rows.append(row)
            progress.update()
        for row, windows in audio_rows(predictor, audio, max_windows, args.aggregate, args.jobs):
            rows.append(row)
            window_rows.extend({"path": row["path"], "window": index,
                                "start_seconds": index * predictor.config.clip_seconds, "p_fake": value,
                                "label": predictor.label(value, threshold).item()}
                               for index, value in enumerate(windows))
            progress.update()
    elapsed = time.perf_counter() - started

    for row in rows:
        if row["status"] == "ok":
            row["label"] = predictor.label(row["p_fake"], threshold).item()
            row["threshold"] = round(threshold, 6)
            row["warning"] = "; ".join(w for w in (row.get("warning"), predictor.model_warning) if w)
    output = Path(args.output)
    write_csv(output, CLIP_COLUMNS, rows)
    if max_windows != 1:
        windows_csv = output.with_name(output.stem + "_windows.csv")
        write_csv(windows_csv, WINDOW_COLUMNS, window_rows)
        print(f"per-window p_fake: {windows_csv}")

    verdicts = Counter(row.get("label", "error") for row in rows)
    print(f"{len(rows)} files in {elapsed:.1f} s ({len(rows) / max(elapsed, 1e-9):.1f} files/s): "
          + ", ".join(f"{name} {verdicts[name]}" for name in ("REAL", "FAKE", "error") if verdicts[name]))
    for reason, count in Counter(r["error"] for r in rows if r["status"] == "error").most_common(5):
        print(f"  {count} x error: {reason}")
    for reason, count in Counter(r["warning"] for r in rows if r.get("warning")).most_common(5):
        print(f"  {count} x warning: {reason}")
    print(f"wrote {output}")
    return 0 if verdicts["REAL"] + verdicts["FAKE"] else 1


if __name__ == "__main__":
    sys.exit(main())
