"""Step 1's manifest.csv: one owner for its name, columns, writing (with a journal, so an
interrupted run resumes) and reading, for step 1 itself and every later step."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from preprocessing.config import SpectrogramConfig

MANIFEST_FILENAME = "manifest.csv"
JOURNAL_FILENAME = "manifest.journal.csv"   # rows of clips done so far, while step 1 runs
BUILD_OPTIONS_FILENAME = "build_options.json"  # step 1's options that change which images it makes
# variant: 0 = the audio as it is; others are training-only copies (augmented, or re-synthesised by
# `vocoder`, empty for every other row)
COLUMNS = ["image", "label", "split", "group", "status", "error", "source", "origin",
           "attack", "vocoder", "segment", "variant", "duration", "sample_rate"]


class DatasetError(ValueError):
    """A spectrogram folder that is missing, empty or unusable (message is shown as is)."""


def _csv_rows(path: Path) -> list[dict]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def previous_rows(output: Path) -> dict[str, list[dict]]:
    """Rows of the last run by source path: its manifest, then what an interrupted run's journal
    recorded after it (a clip's journal rows replace its manifest rows)."""
    rows: dict[str, list[dict]] = {}
    for path in (output / MANIFEST_FILENAME, output / JOURNAL_FILENAME):
        if path.exists():
            found: dict[str, list[dict]] = {}
            for row in _csv_rows(path):
                found.setdefault(row["source"], []).append(row)
            rows.update(found)
    return rows


class Journal:
    """Appends each finished clip's rows to manifest.journal.csv, flushed every `flush_every` clips,
    so that Ctrl-C or a crash loses at most that many clips of work."""

    def __init__(self, output: Path, resume: bool, flush_every: int = 100):
        """`resume` appends to an interrupted run's journal; otherwise it starts empty."""
        self.path, self.flush_every, self.pending = output / JOURNAL_FILENAME, flush_every, 0
        append = resume and self.path.exists()
        self.stream = self.path.open("a" if append else "w", newline="")
        self.writer = csv.DictWriter(self.stream, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        if not append:
            self.writer.writeheader()

    def add(self, rows: list[dict]) -> None:
        self.writer.writerows(rows)
        self.pending += 1
        if self.pending >= self.flush_every:
            self.stream.flush()
            self.pending = 0

    def close(self) -> None:
        self.stream.close()

    def remove(self) -> None:
        """Once manifest.csv holds every row, the journal has nothing left to recover."""
        self.close()
        self.path.unlink(missing_ok=True)


def write_manifest(output: Path, rows: list[dict]) -> None:
    """Write manifest.csv atomically; an unchanged manifest keeps its timestamp (make can rely on it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: (r["split"], r["label"], r["image"] or r["source"])))
    manifest = output / MANIFEST_FILENAME
    if not (manifest.exists() and manifest.read_text() == buffer.getvalue()):
        temp = output / (MANIFEST_FILENAME + ".part")
        temp.write_text(buffer.getvalue())
        temp.replace(manifest)


def is_step1_manifest(columns) -> bool:
    """Whether CSV columns are those of a step 1 manifest (rather than a path,label list)."""
    return {"image", "label", "split", "source"} <= set(columns)


def read_manifest(data_dir: str | Path, split: str | None = None) -> pd.DataFrame:
    """Rows with status ok (optionally of one split); adds `image_path` (absolute) and `y` (1 = FAKE)."""
    data_dir = Path(data_dir)
    manifest = data_dir / MANIFEST_FILENAME
    if not manifest.exists():
        raise DatasetError(f"{manifest} not found: run preprocessing/audio_to_spectrogram.py "
                           f"--output {data_dir} first")
    frame = pd.read_csv(manifest, dtype={"group": str, "attack": str, "origin": str, "vocoder": str}, keep_default_na=False)
    frame = frame[frame["status"] == "ok"].copy()
    if split is not None:
        frame = frame[frame["split"] == split].copy()
        if frame.empty:
            raise DatasetError(f"{manifest}: no images in split {split!r}")
    frame["image_path"] = [str(data_dir / image) for image in frame["image"]]
    frame["y"] = (frame["label"] == "FAKE").astype(int)
    return frame.reset_index(drop=True)


def original_images(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of images made from the audio as it is (no augmented or vocoded copies)."""
    return frame[frame["variant"].astype(int) == 0].reset_index(drop=True)


def is_copy(frame: pd.DataFrame) -> pd.Series:
    """True for rows of vocoded copies (step 1's --vocode: `vocoder` set)."""
    if "vocoder" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["vocoder"].fillna("") != ""


def copy_crossover_hz(data_dir: str | Path) -> float:
    """The highest crossover of the folder's vocoded copies (step 1's --copy-above: the copy is its
    original below it), 0 when copies are vocoded whole or there are none."""
    options_file = Path(data_dir) / BUILD_OPTIONS_FILENAME
    copy_above = json.loads(options_file.read_text()).get("copy_above") if options_file.exists() else None
    return float(max(copy_above) if isinstance(copy_above, list) else copy_above or 0.0)


def read_config(data_dir: str | Path) -> SpectrogramConfig:
    try:
        return SpectrogramConfig.load(data_dir)
    except FileNotFoundError as error:
        raise DatasetError(str(error)) from None
